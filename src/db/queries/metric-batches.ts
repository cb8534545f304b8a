import { sql, type SQL } from "drizzle-orm";
import type { Segment } from "../../domain/types";
import type { Database } from "../../lib/types";
import { runBatch } from "../batch";

/**
 * Writes one batch of validated rows as a single atomic batch: an account upsert and a metric upsert, each
 * reading all its rows from ONE JSON parameter through `json_each` (D1 allows 100 bound parameters per statement;
 * one JSON parameter is also 4-5x faster than multi-row VALUES).
 *
 * Upserts only change a row when a value differs, so re-uploading a file changes (and counts) nothing. Both
 * answer with the rows they touched (RETURNING). SQLite gives a new row an id (rowid for account_metrics) above
 * the table's highest, and the batch is one transaction, so a returned row whose id exceeds the highest id read at
 * the start of the batch was inserted and any other was updated. That gives exact created/updated counts and the
 * accounts to rescore in one pass over the JSON, instead of a separate UPDATE and INSERT per table.
 */

export interface BatchOutcome {
  /** Accounts inserted by this batch (names new to the database). */
  createdAccountIds: number[];
  /** Accounts whose attributes or metrics changed in this batch, the created ones included. */
  changedAccountIds: number[];
  metricsCreated: number;
  metricsUpdated: number;
  /** D1 rows written by the batch (`meta.rows_written`, what D1 bills), indexes included. */
  rowsWritten: number;
}

/**
 * One account's attributes, as of its latest-dated row in the batch, and the batch's first date for it; then the
 * renewal date and owner of its latest-dated row in the batch that has them, each with that row's date (null: none).
 */
export type AccountTuple = [
  name: string,
  segment: Segment,
  region: string,
  arr: number,
  date: string,
  firstDate: string,
  renewalDate: string | null,
  renewalDateAsOf: string | null,
  owner: string | null,
  ownerAsOf: string | null,
];

/** One account + date of metrics. */
export type MetricTuple = [
  name: string,
  date: string,
  dailyActiveUsers: number,
  featureAdoptionRate: number,
  supportTicketsOpen: number,
  npsScore: number | null,
  loginFrequency: number,
  arr: number,
];

const ID_WATERMARKS = sql`
SELECT (SELECT coalesce(max(id), 0) FROM accounts) AS account_id,
       (SELECT coalesce(max(rowid), 0) FROM account_metrics) AS metric_rowid`;

// The account's segment, region and ARR are those of its latest-dated row, so they only move forward in date.
// The renewal date and owner are inserted with a new account; afterwards this statement only moves their `_as_of`
// dates forward (applyRenewalsAndOwners changes the values), so a daily feed never rewrites their indexes.
function upsertAccounts(accountsJson: string) {
  return sql`
INSERT INTO accounts (account_name, segment, region, arr, latest_metric_date, renewal_date, renewal_date_as_of, owner,
                      owner_as_of)
SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 6, value ->> 7, value ->> 8, value ->> 9
FROM json_each(${accountsJson})
WHERE true
ON CONFLICT (account_name) DO UPDATE
SET segment = excluded.segment, region = excluded.region, arr = excluded.arr,
    latest_metric_date = excluded.latest_metric_date, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
    renewal_date_as_of = nullif(max(coalesce(excluded.renewal_date_as_of, ''), coalesce(accounts.renewal_date_as_of, '')), ''),
    owner_as_of = nullif(max(coalesce(excluded.owner_as_of, ''), coalesce(accounts.owner_as_of, '')), '')
WHERE (accounts.latest_metric_date IS NULL OR excluded.latest_metric_date >= accounts.latest_metric_date)
  AND (accounts.segment IS NOT excluded.segment OR accounts.region IS NOT excluded.region
       OR accounts.arr IS NOT excluded.arr OR accounts.latest_metric_date IS NOT excluded.latest_metric_date)
RETURNING id`;
}

/**
 * The renewal date and owner of each account's latest-dated row that has them: a batch value dated at or after the
 * stored one's date replaces it. Runs after the account upsert, which has already moved the dates forward where the
 * value is unchanged (the daily case), so this statement writes an account (and the renewal and owner indexes) only
 * when a value changes, or when a row the upsert skipped (a back-fill) carries a newer date for the same value.
 */
function applyRenewalsAndOwners(accountsJson: string) {
  const renewalNewer = sql.raw(`j.renewal_date_as_of >= coalesce(accounts.renewal_date_as_of, '')`);
  const ownerNewer = sql.raw(`j.owner_as_of >= coalesce(accounts.owner_as_of, '')`);
  return sql`
UPDATE accounts
SET renewal_date = CASE WHEN ${renewalNewer} THEN j.renewal_date ELSE accounts.renewal_date END,
    renewal_date_as_of = CASE WHEN ${renewalNewer} THEN j.renewal_date_as_of ELSE accounts.renewal_date_as_of END,
    owner = CASE WHEN ${ownerNewer} THEN j.owner ELSE accounts.owner END,
    owner_as_of = CASE WHEN ${ownerNewer} THEN j.owner_as_of ELSE accounts.owner_as_of END,
    updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
FROM (SELECT value ->> 0 AS account_name, value ->> 6 AS renewal_date, value ->> 7 AS renewal_date_as_of,
             value ->> 8 AS owner, value ->> 9 AS owner_as_of
      FROM json_each(${accountsJson})) AS j
WHERE accounts.account_name = j.account_name
  AND ((${renewalNewer} AND (accounts.renewal_date IS NOT j.renewal_date
                             OR j.renewal_date_as_of > coalesce(accounts.renewal_date_as_of, '')))
       OR (${ownerNewer} AND (accounts.owner IS NOT j.owner OR j.owner_as_of > coalesce(accounts.owner_as_of, ''))))
RETURNING id`;
}

/** Widens each account's stale range to cover `changes`: rows of (id, first_date, last_date). */
function widenStaleRanges(changes: SQL) {
  return sql`
UPDATE accounts
SET scores_stale_from = min(coalesce(scores_stale_from, c.first_date), c.first_date),
    scores_stale_to = max(coalesce(scores_stale_to, c.last_date), c.last_date)
FROM (${changes}) AS c
WHERE accounts.id = c.id`;
}

/**
 * A new segment changes the DAU benchmark of every date, so an account whose latest row changes its segment is stale
 * over its whole history. Runs before the account upsert, with the same condition (the row is the latest).
 */
function markSegmentChanges(accountsJson: string) {
  return widenStaleRanges(sql`
SELECT a.id, min(m.date) AS first_date, max(m.date) AS last_date
FROM json_each(${accountsJson}) AS j
JOIN accounts AS a ON a.account_name = j.value ->> 0
JOIN account_metrics AS m ON m.account_id = a.id
WHERE a.segment IS NOT j.value ->> 1 AND (a.latest_metric_date IS NULL OR j.value ->> 4 >= a.latest_metric_date)
GROUP BY a.id`);
}

/**
 * Widens each account's stale range to the dates whose metrics this batch created or changed: the metric upsert
 * stamps exactly those rows with the run (an unchanged row keeps its old run), and each account's rows of the batch
 * lie between its first and last date in the batch, so a primary-key range scan per account finds them.
 */
function markChangedDates(accountsJson: string, runId: number) {
  return widenStaleRanges(sql`
SELECT a.id, min(m.date) AS first_date, max(m.date) AS last_date
FROM json_each(${accountsJson}) AS j
JOIN accounts AS a ON a.account_name = j.value ->> 0
JOIN account_metrics AS m ON m.account_id = a.id AND m.date BETWEEN j.value ->> 5 AND j.value ->> 4
WHERE m.ingest_run_id = ${runId}
GROUP BY a.id`);
}

/** The run's progress, in the same transaction as the rows: the rows written and the last line they reach. */
function recordProgress(runId: number, rows: number, lastLine: number) {
  return sql`
UPDATE ingest_runs
SET rows_committed = rows_committed + ${rows}, committed_through_line = max(coalesce(committed_through_line, 0), ${lastLine})
WHERE id = ${runId}`;
}

function upsertMetrics(metricsJson: string, runId: number) {
  return sql`
INSERT INTO account_metrics (account_id, date, daily_active_users, feature_adoption_rate, support_tickets_open,
                             nps_score, login_frequency, arr, ingest_run_id)
SELECT a.id, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5, j.value ->> 6, j.value ->> 7, ${runId}
FROM json_each(${metricsJson}) AS j
JOIN accounts AS a ON a.account_name = j.value ->> 0
WHERE true
ON CONFLICT (account_id, date) DO UPDATE
SET daily_active_users = excluded.daily_active_users, feature_adoption_rate = excluded.feature_adoption_rate,
    support_tickets_open = excluded.support_tickets_open, nps_score = excluded.nps_score,
    login_frequency = excluded.login_frequency, arr = excluded.arr, ingest_run_id = excluded.ingest_run_id
WHERE account_metrics.daily_active_users IS NOT excluded.daily_active_users
   OR account_metrics.feature_adoption_rate IS NOT excluded.feature_adoption_rate
   OR account_metrics.support_tickets_open IS NOT excluded.support_tickets_open
   OR account_metrics.nps_score IS NOT excluded.nps_score
   OR account_metrics.login_frequency IS NOT excluded.login_frequency
   OR account_metrics.arr IS NOT excluded.arr
RETURNING rowid AS row_id, account_id`;
}

/** D1 rows written by statements whose results are D1Results. */
function rowsWrittenBy(...results: D1Result[]): number {
  return results.reduce((sum, result) => sum + (result.meta.rows_written ?? 0), 0);
}

/**
 * Upserts the accounts (`AccountTuple`s as JSON) and metrics (`MetricTuple`s as JSON) of one batch atomically, with
 * the stale ranges they open and the run's progress, and tells what it created from what it updated.
 */
export async function upsertMetricBatch(
  db: Database,
  runId: number,
  batch: { accountsJson: string; metricsJson: string; rows: number; lastLine: number },
): Promise<BatchOutcome> {
  const results = await runBatch(db, [
    db.get<{ account_id: number; metric_rowid: number } | undefined>(ID_WATERMARKS),
    db.run(markSegmentChanges(batch.accountsJson)),
    db.run(upsertAccounts(batch.accountsJson)),
    db.run(applyRenewalsAndOwners(batch.accountsJson)),
    db.run(upsertMetrics(batch.metricsJson, runId)),
    db.run(markChangedDates(batch.accountsJson, runId)),
    db.run(recordProgress(runId, batch.rows, batch.lastLine)),
  ]);
  const [before, segmentMarks, accountUpsert, renewalsAndOwners, metricUpsert, dateMarks, progress] = results;
  // RETURNING rows, read from the D1Result so its meta (rows written) stays at hand.
  const upsertedAccounts = accountUpsert.results as { id: number }[];
  const renewedOrReowned = renewalsAndOwners.results as { id: number }[];
  const upsertedMetrics = metricUpsert.results as { row_id: number; account_id: number }[];
  if (!before) throw new Error("D1 returned no id watermarks for the batch");

  const createdAccountIds: number[] = [];
  const changedAccountIds = new Set<number>();
  for (const { id } of upsertedAccounts) {
    if (id > before.account_id) createdAccountIds.push(id);
    changedAccountIds.add(id);
  }
  for (const { id } of renewedOrReowned) changedAccountIds.add(id);
  let metricsCreated = 0;
  for (const { row_id: rowId, account_id: accountId } of upsertedMetrics) {
    if (rowId > before.metric_rowid) metricsCreated++;
    changedAccountIds.add(accountId);
  }
  return {
    createdAccountIds,
    changedAccountIds: [...changedAccountIds],
    metricsCreated,
    metricsUpdated: upsertedMetrics.length - metricsCreated,
    rowsWritten: rowsWrittenBy(segmentMarks, accountUpsert, renewalsAndOwners, metricUpsert, dateMarks, progress),
  };
}
