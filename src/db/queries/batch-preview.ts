import { sql } from "drizzle-orm";
import type { Segment } from "../../domain/types";
import type { Database } from "../../lib/types";
import { runBatch } from "../batch";

/**
 * Read-only: what the database holds for one batch of an upload, before the batch is written (or instead of writing
 * it, in a dry run). One query per table, each reading its keys from ONE JSON parameter through `json_each` and
 * joining on the unique account name and the (account_id, date) primary key, so a batch costs two index lookups per
 * row whatever the size of the book. The metric query compares the values as the batch upsert does
 * (metric-batches.ts) and answers only the rows that would be created or updated: nothing for an unchanged re-upload.
 */

export interface StoredAccount {
  account_name: string;
  segment: Segment;
  region: string;
  arr: number;
  /** Its latest metric date (the account row's follows it at the rescore). */
  latest_metric_date: string | null;
  renewal_date: string | null;
  /** The date of its latest metric row that has a renewal date; null: none has. */
  renewal_date_as_of: string | null;
  owner: string | null;
  /** The date of its latest metric row that has an owner; null: none has. */
  owner_as_of: string | null;
}

/** A metric tuple of the batch that writing it would create (no stored row) or update (a value differs). */
export interface MetricChange {
  account_name: string;
  date: string;
  created: 0 | 1;
}

/** D1 refuses strings over 1,000,000 bytes, bound parameters included; longer key lists are read in parts. */
const MAX_JSON_PARAMETER_CHARS = 300_000;

/** `items` as JSON arrays, each under the parameter limit whatever the names' characters (3 UTF-8 bytes per unit at most). */
function jsonChunks(items: readonly unknown[]): string[] {
  const chunks: string[] = [];
  let part: string[] = [];
  let length = 2;
  for (const item of items) {
    const json = JSON.stringify(item);
    if (part.length > 0 && length + json.length + 1 > MAX_JSON_PARAMETER_CHARS) {
      chunks.push(`[${part.join(",")}]`);
      part = [];
      length = 2;
    }
    part.push(json);
    length += json.length + 1;
  }
  if (part.length > 0) chunks.push(`[${part.join(",")}]`);
  return chunks;
}

/** The date of the account's latest metric row that has `column` (the row its renewal date or owner comes from). */
const LATEST_DATE_WITH = (column: "renewal_date" | "owner") =>
  sql.raw(`(SELECT max(m.date) FROM account_metrics AS m WHERE m.account_id = a.id AND m.${column} IS NOT NULL)`);

function accountsQuery(namesJson: string) {
  return sql`
SELECT a.account_name, a.segment, a.region, a.arr,
       (SELECT max(m.date) FROM account_metrics AS m WHERE m.account_id = a.id) AS latest_metric_date,
       a.renewal_date, ${LATEST_DATE_WITH("renewal_date")} AS renewal_date_as_of,
       a.owner, ${LATEST_DATE_WITH("owner")} AS owner_as_of
FROM json_each(${namesJson}) AS j
JOIN accounts AS a ON a.account_name = j.value`;
}

/** `tuplesJson`: MetricTuples ([name, date, dau, adoption, tickets, nps, login, arr, renewal date, owner, measures]) as JSON. */
function metricChangesQuery(tuplesJson: string) {
  return sql`
SELECT j.value ->> 0 AS account_name, j.value ->> 1 AS date, m.account_id IS NULL AS created
FROM json_each(${tuplesJson}) AS j
LEFT JOIN accounts AS a ON a.account_name = j.value ->> 0
LEFT JOIN account_metrics AS m ON m.account_id = a.id AND m.date = j.value ->> 1
WHERE m.account_id IS NULL
   OR m.daily_active_users IS NOT j.value ->> 2
   OR m.feature_adoption_rate IS NOT j.value ->> 3
   OR m.support_tickets_open IS NOT j.value ->> 4
   OR m.nps_score IS NOT j.value ->> 5
   OR m.login_frequency IS NOT j.value ->> 6
   OR m.arr IS NOT j.value ->> 7
   OR m.renewal_date IS NOT j.value ->> 8
   OR m.owner IS NOT j.value ->> 9
   OR m.measures IS NOT nullif(j.value -> 10, 'null')`;
}

/** The stored ARR of the accounts among `names` (absent when not stored): all an upload's review compares. */
export async function readStoredArrs(db: Database, names: readonly string[]): Promise<Map<string, number>> {
  const arrs = new Map<string, number>();
  for (const json of jsonChunks(names)) {
    const rows = await db.all<{ account_name: string; arr: number }>(sql`
SELECT a.account_name, a.arr FROM json_each(${json}) AS j JOIN accounts AS a ON a.account_name = j.value`);
    for (const row of rows) arrs.set(row.account_name, row.arr);
  }
  return arrs;
}

/**
 * The stored accounts among `names` (absent from the answer when not stored), and which of `metrics` (MetricTuples)
 * writing them would create or update.
 */
export async function readBatchState(
  db: Database,
  names: readonly string[],
  metrics: readonly unknown[],
): Promise<{ accounts: StoredAccount[]; changes: MetricChange[] }> {
  const statements = [
    ...jsonChunks(names).map((json) => ({ kind: "accounts" as const, statement: db.all<StoredAccount>(accountsQuery(json)) })),
    ...jsonChunks(metrics).map((json) => ({ kind: "metrics" as const, statement: db.all<MetricChange>(metricChangesQuery(json)) })),
  ];
  const [first, ...rest] = statements;
  if (!first) return { accounts: [], changes: [] };
  const results = await runBatch(db, [first.statement, ...rest.map((entry) => entry.statement)]);
  const accounts: StoredAccount[] = [];
  const changes: MetricChange[] = [];
  statements.forEach((entry, index) => {
    const rows = results[index] ?? [];
    if (entry.kind === "accounts") accounts.push(...(rows as StoredAccount[]));
    else changes.push(...(rows as MetricChange[]));
  });
  return { accounts, changes };
}
