import { sql } from "drizzle-orm";
import type { Database } from "../../lib/types";

/**
 * figure_cache: figures too costly to compute on every read, kept with the data version they were computed at
 * (db/queries/data-version.ts). Any write that changes what reads answer bumps the version, so a kept figure is
 * current exactly while its version is the current one.
 */

/**
 * A kept figure and whether it is current (kept at the current data version), with that version, in one read: a
 * current figure costs a page one query.
 */
export async function readCachedFigure(
  db: Database,
  name: string,
): Promise<{ version: number; current: { body: string; computed_at: string } | null }> {
  const row = await db.get<{ version: number; body: string | null; computed_at: string | null }>(sql`
    SELECT v.version, f.body, f.computed_at
    FROM (SELECT coalesce((SELECT version FROM data_version WHERE id = 1), 0) AS version) AS v
    LEFT JOIN figure_cache AS f ON f.name = ${name} AND f.data_version = v.version`);
  const version = row?.version ?? 0;
  return { version, current: row?.body != null && row.computed_at != null ? { body: row.body, computed_at: row.computed_at } : null };
}

export async function storeCachedFigure(db: Database, name: string, dataVersion: number, body: string, computedAt: string): Promise<void> {
  await db.run(sql`
    INSERT INTO figure_cache (name, data_version, body, computed_at) VALUES (${name}, ${dataVersion}, ${body}, ${computedAt})
    ON CONFLICT (name) DO UPDATE SET data_version = excluded.data_version, body = excluded.body, computed_at = excluded.computed_at
    WHERE excluded.data_version >= figure_cache.data_version`);
}
