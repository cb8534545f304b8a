import { sql } from "drizzle-orm";
import type { Database } from "../../lib/types";

/**
 * The data version (`data_version`, one row): bumped by every write that changes what the reads answer, read by the
 * conditional reads (lib/conditional-read.ts) to tell a client whether its copy is still current
 * (docs/architecture.md, I5).
 */

/** The current version; 0 before the first write. */
export async function readDataVersion(db: Database): Promise<number> {
  const row = await db.get<{ version: number }>(sql`SELECT version FROM data_version WHERE id = 1`);
  return row?.version ?? 0;
}

/** The bump, one row written; for a writer that puts it in the batch of its write. */
export const BUMP_DATA_VERSION = sql`
    INSERT INTO data_version (id, version) VALUES (1, 1)
    ON CONFLICT (id) DO UPDATE SET version = version + 1`;

/** One row write, whatever the write it follows changed. */
export async function bumpDataVersion(db: Database): Promise<void> {
  await db.run(BUMP_DATA_VERSION);
}

/**
 * Awaits `write`, then bumps the data version (when `changed` says the write's result changed anything), and answers
 * the write's result: the one call every writer makes (ingest batches, rescores, recompute chunks, the health
 * configuration), so a reader never keeps a tag of data that has since changed. The bump follows the write, never
 * precedes it: a read between the two may get the old tag with the new data, which only costs that client a second
 * 200. A Worker that dies between the two leaves the old tag current until the next write (the next upload or rescore).
 */
export async function bumpAfter<T>(db: Database, write: Promise<T>, changed: (result: T) => boolean = () => true): Promise<T> {
  const result = await write;
  if (changed(result)) await bumpDataVersion(db);
  return result;
}
