import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../lib/types";
import { runBatch } from "../batch";
import type { ChangedRange } from "./metric-batches";

/**
 * What the rescores read before they start: the accounts whose scores are behind their metrics (their stale marks;
 * an upload's own changes wait in pending_rescores, see pending-rescores.ts) and the health configuration the stored
 * scores follow.
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
          scores_stale_to = (SELECT max(m.date) FROM account_metrics AS m WHERE m.account_id = accounts.id)
      WHERE EXISTS (SELECT 1 FROM account_metrics AS m WHERE m.account_id = accounts.id)`),
    db.run(sql`
      INSERT INTO scoring_config (id, fingerprint, applied_at) VALUES (1, ${fingerprint}, ${new Date().toISOString()})
      ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, applied_at = excluded.applied_at`),
  ]);
  return marked.meta.changes ?? 0;
}

/**
 * Widens each account's stale marks to cover `changes`: rows of (id, first_date, last_date). A rescore covers the
 * marks and clears them in the batch that writes the scores.
 */
export function widenStaleRanges(changes: SQL) {
  return sql`
UPDATE accounts
SET scores_stale_from = min(coalesce(scores_stale_from, c.first_date), c.first_date),
    scores_stale_to = max(coalesce(scores_stale_to, c.last_date), c.last_date)
FROM (${changes}) AS c
WHERE accounts.id = c.id`;
}

/**
 * The accounts marked stale with their marks, by id, as changed ranges (from accounts_stale_idx, which holds only the
 * marked accounts: no scan of the book).
 */
export function staleMarks(db: Database) {
  // Not async: the query itself, to await or to send in a batch.
  return db.values<ChangedRange>(
    sql`SELECT id, scores_stale_from, scores_stale_to FROM accounts WHERE scores_stale_from IS NOT NULL ORDER BY id`,
  );
}
