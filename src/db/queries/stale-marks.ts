import { sql, type SQL } from "drizzle-orm";

/*
 * The two SQL pieces over the stale marks that both the writers (an upload's batches) and the readers (the summary,
 * the account detail) need; the scoring state that reads and clears the marks is src/scoring/state.ts.
 */

/** The account ids of every pending rescore, as a subquery. */
export const PENDING_ACCOUNT_IDS = sql.raw(`
  SELECT r.value ->> 0 FROM pending_rescores AS p, json_each(p.ranges) AS r`);

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
