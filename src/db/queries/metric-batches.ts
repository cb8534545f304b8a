import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../lib/types";
import { MARK_REVENUE_FIGURES_STALE } from "./revenue";
import { numberedStatements, rowsWrittenBy, runNamedBatch } from "../batch";
import type { ChangedRange } from "../schema";
import { renewalDateShares, uploadedAccountShares } from "./book-figures";
import { widenStaleRanges } from "./stale-marks";

/**
 * Writes one batch of validated rows as a single atomic batch (docs/architecture.md, I3): an account upsert and a
 * metric upsert, each
 * reading all its rows from ONE JSON parameter through `json_each` (D1 allows 100 bound parameters per statement;
 * one JSON parameter is also much faster than multi-row VALUES).
 *
 * Upserts only change a row when a value differs, so re-uploading a file changes (and counts) nothing. The account
 * upsert answers with the accounts it touched (RETURNING): SQLite gives a new account an id above the table's highest,
 * and the batch is one transaction, so a returned account whose id exceeds the highest id read at the start of the
 * batch was inserted. The metric upsert answers only how many rows it inserted or updated (`meta.changes`): the ones
 * that did not exist before the batch (counted at its start) are the ones it created, and the accounts it changed
 * are those of the pending rescore it records. That gives exact created/updated counts in one pass over the JSON,
 * without a separate UPDATE and INSERT per table or a row sent back per metric.
 *
 * What D1 bills is rows written, index entries included, so the daily case (one new day for an existing account)
 * writes the metric row and one pending-rescore row for the whole batch, and nothing on the account: its ARR and
 * latest date are set by the rescore, which rewrites the account row anyway.
 */

export interface BatchOutcome {
  /** Accounts inserted by this batch (names new to the database). */
  createdAccountIds: number[];
  /** Accounts whose attributes or metrics changed in this batch, the created ones included. */
  changedAccountIds: number[];
  metricsCreated: number;
  metricsUpdated: number;
  /** Per account, the first and last date whose metrics the batch created or changed. */
  changedRanges: ChangedRange[];
  /** D1 rows written by the batch (`meta.rows_written`, what D1 bills), indexes included. */
  rowsWritten: number;
}

/**
 * The highest account id, and how many of the batch's metric rows (distinct account + date) exist already: per
 * account, the stored rows between its first and latest date in the batch when the batch has every day of that range
 * (one range count), else the stored rows on its listed dates. Only the accounts' JSON is sent, not the metrics'.
 */
function batchStart(accountsJson: string) {
  return sql`
SELECT (SELECT coalesce(max(id), 0) FROM accounts) AS account_id,
       (SELECT coalesce(sum(
                 CASE WHEN j.value ->> 10 IS NULL
                      THEN (SELECT count(*) FROM account_metrics AS m
                            WHERE m.account_id = a.id AND m.date BETWEEN j.value ->> 5 AND j.value ->> 4)
                      ELSE (SELECT count(*) FROM json_each(j.value -> 10) AS d
                            JOIN account_metrics AS m ON m.account_id = a.id AND m.date = d.value)
                 END), 0)
        FROM json_each(${accountsJson}) AS j
        JOIN accounts AS a ON a.account_name = j.value ->> 0) AS existing_metrics`;
}

/** Whether the batch's latest row for the account (`j`) is at least as late as every stored one of `a`. */
const IS_LATEST_ROW = (date: SQL, accountId: SQL) => sql`
  ${date} >= coalesce((SELECT max(m.date) FROM account_metrics AS m WHERE m.account_id = ${accountId}), '')`;

/**
 * Whether the batch's tuple (segment, region, latest date) moves the stored account to another segment or region:
 * when either differs and the tuple's row is the account's latest.
 */
const MOVES_ACCOUNT = (account: string, tuple: { segment: SQL; region: SQL; latestDate: SQL }) => sql`
  (${sql.raw(account)}.segment IS NOT ${tuple.segment} OR ${sql.raw(account)}.region IS NOT ${tuple.region})
  AND ${IS_LATEST_ROW(tuple.latestDate, sql.raw(`${account}.id`))}`;

/**
 * New accounts (with the renewal date and owner the batch gives them), and the segment and region of existing ones
 * when the batch's latest row for them changes either (the latest-dated row's attributes win, so they only move
 * forward in date). An unchanged account is not written: its ARR and latest date follow its metrics at its rescore.
 */
function upsertAccounts(accountsJson: string) {
  return sql`
INSERT INTO accounts (account_name, segment, region, arr, latest_metric_date, renewal_date, owner)
SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 6, value ->> 8
FROM json_each(${accountsJson})
WHERE true
ON CONFLICT (account_name) DO UPDATE
SET segment = excluded.segment, region = excluded.region, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
WHERE ${MOVES_ACCOUNT("accounts", {
  segment: sql`excluded.segment`,
  region: sql`excluded.region`,
  latestDate: sql`excluded.latest_metric_date`,
})}
RETURNING id`;
}

/** The `column` (renewal date, owner) of the latest metric row of the account `a` that has one, as SQL text. */
const latest = (column: "renewal_date" | "owner") =>
  `(SELECT m.${column} FROM account_metrics AS m WHERE m.account_id = a.id AND m.${column} IS NOT NULL
    ORDER BY m.date DESC LIMIT 1)`;

/** Whether the batch's tuple `j` carries a renewal date or an owner: its account's are then set from its rows. */
const CARRIES_RENEWAL_OR_OWNER = sql`(j.value ->> 6 IS NOT NULL OR j.value ->> 8 IS NOT NULL)`;

/**
 * An account's renewal date and owner are those of its latest-dated metric row that has them, so each metric row keeps
 * the ones it was uploaded with and this statement, after the metric upsert, sets the account's from its rows. Only
 * for the accounts whose rows in the batch carry one (no other can change), and only where the value changes: naming
 * an indexed column in an UPDATE costs D1 an index row even when the value stays, so a daily feed that repeats its
 * renewal dates and owners writes nothing here. A back-filled older row cannot override a newer one.
 */
function applyRenewalsAndOwners(accountsJson: string) {
  return sql`
UPDATE accounts
SET renewal_date = l.renewal_date, owner = l.owner, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
FROM (
  SELECT a.id, ${sql.raw(latest("renewal_date"))} AS renewal_date, ${sql.raw(latest("owner"))} AS owner
  FROM json_each(${accountsJson}) AS j
  JOIN accounts AS a ON a.account_name = j.value ->> 0
  WHERE ${CARRIES_RENEWAL_OR_OWNER}
) AS l
WHERE accounts.id = l.id AND (accounts.renewal_date IS NOT l.renewal_date OR accounts.owner IS NOT l.owner)
RETURNING accounts.id`;
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
WHERE a.segment IS NOT j.value ->> 1 AND ${IS_LATEST_ROW(sql`j.value ->> 4`, sql`a.id`)}
GROUP BY a.id`);
}

/**
 * Records the dates whose metrics this batch created or changed, per account, as ONE pending_rescores row (none when
 * it changed nothing), in the batch's transaction. The metric upsert stamps exactly those rows with the run (an
 * unchanged row keeps its old run), and each account's rows of the batch lie between its first and last date in the
 * batch, so a primary-key range scan per account finds them. Answers the ranges it recorded.
 */
function recordPendingRescores(accountsJson: string, runId: number) {
  return sql`
INSERT INTO pending_rescores (ingest_run_id, ranges)
SELECT ${runId}, json_group_array(json_array(id, first_date, last_date))
FROM (
  SELECT a.id, min(m.date) AS first_date, max(m.date) AS last_date
  FROM json_each(${accountsJson}) AS j
  JOIN accounts AS a ON a.account_name = j.value ->> 0
  JOIN account_metrics AS m ON m.account_id = a.id AND m.date BETWEEN j.value ->> 5 AND j.value ->> 4
  WHERE m.ingest_run_id = ${runId}
  GROUP BY a.id)
HAVING count(*) > 0
RETURNING ranges`;
}

/** The run's progress, in the same transaction as the rows: the rows written and the last line they reach. */
function recordProgress(runId: number, rows: number, lastLine: number) {
  return sql`
UPDATE ingest_runs
SET rows_committed = rows_committed + ${rows}, committed_through_line = max(coalesce(committed_through_line, 0), ${lastLine})
WHERE id = ${runId}`;
}

/**
 * The batch's metric rows. A stored row of the same account + date is replaced whole, its declared measures' values
 * too (a row without any clears them, as an empty NPS clears the NPS), and only when a value differs.
 */
function upsertMetrics(metricsJson: string, runId: number) {
  return sql`
INSERT INTO account_metrics (account_id, date, daily_active_users, feature_adoption_rate, support_tickets_open,
                             nps_score, login_frequency, arr, renewal_date, owner, measures, ingest_run_id)
SELECT a.id, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5, j.value ->> 6, j.value ->> 7,
       j.value ->> 8, j.value ->> 9, nullif(j.value -> 10, 'null'), ${runId}
FROM json_each(${metricsJson}) AS j
JOIN accounts AS a ON a.account_name = j.value ->> 0
WHERE true
ON CONFLICT (account_id, date) DO UPDATE
SET daily_active_users = excluded.daily_active_users, feature_adoption_rate = excluded.feature_adoption_rate,
    support_tickets_open = excluded.support_tickets_open, nps_score = excluded.nps_score,
    login_frequency = excluded.login_frequency, arr = excluded.arr, renewal_date = excluded.renewal_date,
    owner = excluded.owner, measures = excluded.measures, ingest_run_id = excluded.ingest_run_id
WHERE account_metrics.daily_active_users IS NOT excluded.daily_active_users
   OR account_metrics.feature_adoption_rate IS NOT excluded.feature_adoption_rate
   OR account_metrics.support_tickets_open IS NOT excluded.support_tickets_open
   OR account_metrics.nps_score IS NOT excluded.nps_score
   OR account_metrics.login_frequency IS NOT excluded.login_frequency
   OR account_metrics.arr IS NOT excluded.arr
   OR account_metrics.renewal_date IS NOT excluded.renewal_date
   OR account_metrics.owner IS NOT excluded.owner
   OR account_metrics.measures IS NOT excluded.measures`;
}

/**
 * Upserts the accounts (`AccountTuple`s as JSON) and metrics (`MetricTuple`s as JSON, `metricTuples` of them, one per
 * account + date) of one batch atomically, with the rescores they call for and the run's progress, and tells what it
 * created from what it updated.
 */
export async function upsertMetricBatch(
  db: Database,
  runId: number,
  batch: {
    accountsJson: string;
    metricsJson: string;
    metricTuples: number;
    rows: number;
    lastLine: number;
    /** Whether a row of the batch has a renewal date or an owner (without, none can change). */
    hasRenewalsOrOwners: boolean;
  },
): Promise<BatchOutcome> {
  // The book's figures (book-figures.ts), each statement run just before the write it accounts for: the upsert's new
  // and moved accounts, and the renewal dates the last statement sets.
  const moves = MOVES_ACCOUNT("a", {
    segment: sql`j.value ->> 1`,
    region: sql`j.value ->> 2`,
    latestDate: sql`j.value ->> 4`,
  });
  const batchResults = await runNamedBatch(db, {
    before: db.get<{ account_id: number; existing_metrics: number } | undefined>(batchStart(batch.accountsJson)),
    segmentMarks: db.run(markSegmentChanges(batch.accountsJson)),
    ...numberedStatements(db, "uploadedAccounts", uploadedAccountShares(batch.accountsJson, moves)),
    accountUpsert: db.run(upsertAccounts(batch.accountsJson)),
    metricUpsert: db.run(upsertMetrics(batch.metricsJson, runId)),
    pending: db.run(recordPendingRescores(batch.accountsJson, runId)),
    progress: db.run(recordProgress(runId, batch.rows, batch.lastLine)),
    revenueStale: db.run(MARK_REVENUE_FIGURES_STALE),
    renewalShares: batch.hasRenewalsOrOwners
      ? db.run(renewalDateShares(batch.accountsJson, CARRIES_RENEWAL_OR_OWNER, latest("renewal_date")))
      : undefined,
    renewalsAndOwners: batch.hasRenewalsOrOwners ? db.run(applyRenewalsAndOwners(batch.accountsJson)) : undefined,
  });
  const { before, segmentMarks, accountUpsert, metricUpsert, pending, renewalsAndOwners, ...writes } = batchResults;
  // RETURNING rows, read from the D1Result so its meta (rows written) stays at hand.
  const upsertedAccounts = accountUpsert.results as { id: number }[];
  const renewedOrReowned = (renewalsAndOwners?.results ?? []) as { id: number }[];
  const [recorded] = pending.results as { ranges: string }[];
  if (!before) throw new Error("D1 returned no id watermark for the batch");

  const createdAccountIds: number[] = [];
  const changedAccountIds = new Set<number>();
  for (const { id } of upsertedAccounts) {
    if (id > before.account_id) createdAccountIds.push(id);
    changedAccountIds.add(id);
  }
  const changedRanges = recorded ? (JSON.parse(recorded.ranges) as ChangedRange[]) : [];
  for (const [accountId] of changedRanges) changedAccountIds.add(accountId);
  for (const { id } of renewedOrReowned) changedAccountIds.add(id);
  // The metrics JSON holds one tuple per account + date (writer.ts), so every row it did not find was inserted; the
  // upsert's changes count the rows it inserted or updated.
  const metricsCreated = batch.metricTuples - before.existing_metrics;
  return {
    createdAccountIds,
    changedAccountIds: [...changedAccountIds],
    metricsCreated,
    metricsUpdated: (metricUpsert.meta.changes ?? 0) - metricsCreated,
    changedRanges,
    rowsWritten: rowsWrittenBy(
      segmentMarks,
      accountUpsert,
      metricUpsert,
      pending,
      ...(renewalsAndOwners ? [renewalsAndOwners] : []),
      ...Object.values(writes).filter((write) => write !== undefined),
    ),
  };
}
