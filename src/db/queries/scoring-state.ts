import { sql } from "drizzle-orm";
import type { Database } from "../../lib/types";
import { runBatch } from "../batch";

/**
 * What the rescores read before they start: the accounts whose scores are behind their metrics (the stale marks the
 * ingest writes with the rows) and the health configuration the stored scores follow.
 */

/** The fingerprint of the health configuration the stored scores were computed with; null before the first rescore. */
export async function getScoringFingerprint(db: Database): Promise<string | null> {
  const row = await db.get<{ fingerprint: string }>(sql`SELECT fingerprint FROM scoring_config WHERE id = 1`);
  return row?.fingerprint ?? null;
}

/**
 * Marks every account with metrics stale over its whole history and records the new fingerprint, in one batch: the
 * configuration changed, so every stored score is behind. Answers how many accounts were marked.
 */
export async function markBookStale(db: Database, fingerprint: string): Promise<number> {
  const [marked] = await runBatch(db, [
    db.run(sql`
      UPDATE accounts
      SET scores_stale_from = (SELECT min(m.date) FROM account_metrics AS m WHERE m.account_id = accounts.id),
          scores_stale_to = latest_metric_date
      WHERE latest_metric_date IS NOT NULL`),
    db.run(sql`
      INSERT INTO scoring_config (id, fingerprint, applied_at) VALUES (1, ${fingerprint}, ${new Date().toISOString()})
      ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, applied_at = excluded.applied_at`),
  ]);
  return marked.meta.changes ?? 0;
}

/** The accounts waiting for a rescore, by id (read from the partial index accounts_stale_idx). */
export async function staleAccountIds(db: Database): Promise<number[]> {
  const rows = await db.values<[number]>(sql`SELECT id FROM accounts WHERE scores_stale_from IS NOT NULL ORDER BY id`);
  return rows.map(([id]) => id);
}
