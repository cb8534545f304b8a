import type { MetricRow } from "./validate-row";

/**
 * Writes one batch of validated rows as a single atomic `db.batch()`: an account upsert and a metric upsert, each
 * reading all its rows from ONE JSON parameter through `json_each` (D1 allows 100 bound parameters per statement;
 * one JSON parameter is also 4-5x faster than multi-row VALUES).
 *
 * Upserts only change a row when a value differs, so re-uploading a file changes (and counts) nothing. Both
 * answer with the rows they touched (RETURNING). SQLite gives a new row an id (rowid for account_metrics) above
 * the table's highest, and the batch is one transaction, so a returned row whose id exceeds the highest id read at
 * the start of the batch was inserted and any other was updated. That gives exact created/updated counts and the
 * accounts to rescore in one pass over the JSON, instead of a separate UPDATE and INSERT per table.
 */

/** D1 refuses strings over 1,000,000 bytes, bound parameters included; a bigger batch is written in halves. */
export const MAX_JSON_PARAMETER_BYTES = 900_000;

export interface BatchOutcome {
  /** Accounts inserted by this batch (names new to the database). */
  createdAccountIds: number[];
  /** Accounts whose attributes or metrics changed in this batch, the created ones included. */
  changedAccountIds: number[];
  metricsCreated: number;
  metricsUpdated: number;
}

const ID_WATERMARKS = `
SELECT (SELECT coalesce(max(id), 0) FROM accounts) AS account_id,
       (SELECT coalesce(max(rowid), 0) FROM account_metrics) AS metric_rowid`;

// The account's segment, region and ARR are those of its latest-dated row, so they only move forward in date.
const UPSERT_ACCOUNTS = `
INSERT INTO accounts (account_name, segment, region, arr, latest_metric_date)
SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4
FROM json_each(?1)
WHERE true
ON CONFLICT (account_name) DO UPDATE
SET segment = excluded.segment, region = excluded.region, arr = excluded.arr,
    latest_metric_date = excluded.latest_metric_date, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
WHERE (accounts.latest_metric_date IS NULL OR excluded.latest_metric_date >= accounts.latest_metric_date)
  AND (accounts.segment IS NOT excluded.segment OR accounts.region IS NOT excluded.region
       OR accounts.arr IS NOT excluded.arr OR accounts.latest_metric_date IS NOT excluded.latest_metric_date)
RETURNING id`;

/** The run's progress, in the same transaction as the rows: ?1 = run id, ?2 = rows, ?3 = last line written. */
const RECORD_PROGRESS = `
UPDATE ingest_runs
SET rows_committed = rows_committed + ?2, committed_through_line = max(coalesce(committed_through_line, 0), ?3)
WHERE id = ?1`;

const UPSERT_METRICS = `
INSERT INTO account_metrics (account_id, date, daily_active_users, feature_adoption_rate, support_tickets_open,
                             nps_score, login_frequency, arr, ingest_run_id)
SELECT a.id, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5, j.value ->> 6, j.value ->> 7, ?2
FROM json_each(?1) AS j
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

type AccountTuple = [name: string, segment: string, region: string, arr: number, date: string];
type MetricTuple = [
  name: string,
  date: string,
  dailyActiveUsers: number,
  featureAdoptionRate: number,
  supportTicketsOpen: number,
  npsScore: number | null,
  loginFrequency: number,
  arr: number,
];

/**
 * One tuple per account+date (a later line of the file replaces an earlier one) and, per account, the
 * attributes of its latest-dated row (the later line wins a tie).
 */
function toTuples(rows: readonly MetricRow[]): { accounts: AccountTuple[]; metrics: MetricTuple[] } {
  const metricsByKey = new Map<string, MetricTuple>();
  const latestByAccount = new Map<string, MetricRow>();
  for (const row of rows) {
    metricsByKey.set(`${row.accountName}\u0000${row.date}`, [
      row.accountName,
      row.date,
      row.dailyActiveUsers,
      row.featureAdoptionRate,
      row.supportTicketsOpen,
      row.npsScore,
      row.loginFrequency,
      row.arr,
    ]);
    const latest = latestByAccount.get(row.accountName);
    if (!latest || row.date >= latest.date) latestByAccount.set(row.accountName, row);
  }
  const accounts: AccountTuple[] = [];
  for (const row of latestByAccount.values()) {
    accounts.push([row.accountName, row.segment, row.region, row.arr, row.date]);
  }
  return { accounts, metrics: [...metricsByKey.values()] };
}

function utf8Length(text: string): number {
  // Cheap bound first: a UTF-16 code unit never takes more than 3 bytes in UTF-8.
  return text.length * 3 <= MAX_JSON_PARAMETER_BYTES ? text.length : new TextEncoder().encode(text).byteLength;
}

function merge(first: BatchOutcome, second: BatchOutcome): BatchOutcome {
  return {
    createdAccountIds: [...first.createdAccountIds, ...second.createdAccountIds],
    changedAccountIds: [...new Set([...first.changedAccountIds, ...second.changedAccountIds])],
    metricsCreated: first.metricsCreated + second.metricsCreated,
    metricsUpdated: first.metricsUpdated + second.metricsUpdated,
  };
}

/**
 * Writes `rows` (in file order) atomically, or, when their JSON would exceed `maxJsonBytes` (long names), as
 * consecutive halves, each atomic; written in order, the halves give the same result as one batch.
 */
export async function writeMetricBatch(
  d1: D1Database,
  runId: number,
  rows: readonly MetricRow[],
  maxJsonBytes = MAX_JSON_PARAMETER_BYTES,
): Promise<BatchOutcome> {
  const { accounts, metrics } = toTuples(rows);
  const accountsJson = JSON.stringify(accounts);
  const metricsJson = JSON.stringify(metrics);
  if (rows.length > 1 && Math.max(utf8Length(accountsJson), utf8Length(metricsJson)) > maxJsonBytes) {
    const middle = Math.ceil(rows.length / 2);
    const first = await writeMetricBatch(d1, runId, rows.slice(0, middle), maxJsonBytes);
    return merge(first, await writeMetricBatch(d1, runId, rows.slice(middle), maxJsonBytes));
  }

  const [watermarks, upsertedAccounts, upsertedMetrics] = await d1.batch<Record<string, number>>([
    d1.prepare(ID_WATERMARKS),
    d1.prepare(UPSERT_ACCOUNTS).bind(accountsJson),
    d1.prepare(UPSERT_METRICS).bind(metricsJson, runId),
    d1.prepare(RECORD_PROGRESS).bind(runId, rows.length, rows.at(-1)?.line ?? 0),
  ]);
  const before = watermarks?.results[0];
  if (!before || !upsertedAccounts || !upsertedMetrics) {
    throw new Error("D1 returned fewer results than statements in the batch");
  }
  const accountIdBefore = before.account_id as number;
  const metricRowidBefore = before.metric_rowid as number;

  const createdAccountIds: number[] = [];
  const changedAccountIds = new Set<number>();
  for (const { id } of upsertedAccounts.results) {
    if ((id as number) > accountIdBefore) createdAccountIds.push(id as number);
    changedAccountIds.add(id as number);
  }
  let metricsCreated = 0;
  for (const { row_id: rowId, account_id: accountId } of upsertedMetrics.results) {
    if ((rowId as number) > metricRowidBefore) metricsCreated++;
    changedAccountIds.add(accountId as number);
  }
  return {
    createdAccountIds,
    changedAccountIds: [...changedAccountIds],
    metricsCreated,
    metricsUpdated: upsertedMetrics.results.length - metricsCreated,
  };
}
