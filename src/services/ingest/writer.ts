import { bumpAfter } from "../../db/queries/data-version";
import { upsertMetricBatch, type AccountTuple, type BatchOutcome, type MetricTuple } from "../../db/queries/metric-batches";
import type { MetricRow } from "../../ingest/validate-row";
import type { Database } from "../../lib/types";

/**
 * Turns a batch of validated rows into the two JSON parameters of the batch upsert (db/queries/metric-batches.ts),
 * halving the batch when a parameter would be too big for D1.
 */

/** D1 refuses strings over 1,000,000 bytes, bound parameters included; a bigger batch is written in halves. */
export const MAX_JSON_PARAMETER_BYTES = 900_000;

/** A value of an account's latest-dated row that has one, and that row's date. */
type DatedValue = { value: string; date: string };

/** Keeps `value` of the row dated `date` in `byAccount` when it is at least as recent (the later line wins a tie). */
function keepLatest(byAccount: Map<string, DatedValue>, account: string, value: string | null, date: string): void {
  if (value === null) return;
  const kept = byAccount.get(account);
  if (!kept || date >= kept.date) byAccount.set(account, { value, date });
}

/**
 * One tuple per account+date (a later line of the file replaces an earlier one) and, per account, the
 * attributes of its latest-dated row (the later line wins a tie), with the renewal date and owner of its latest-dated
 * row that has them.
 */
export function toTuples(rows: readonly MetricRow[]): { accounts: AccountTuple[]; metrics: MetricTuple[] } {
  const metricsByKey = new Map<string, MetricTuple>();
  const latestByAccount = new Map<string, MetricRow>();
  const firstDateByAccount = new Map<string, string>();
  const renewalByAccount = new Map<string, DatedValue>();
  const ownerByAccount = new Map<string, DatedValue>();
  for (const row of rows) {
    keepLatest(renewalByAccount, row.accountName, row.renewalDate, row.date);
    keepLatest(ownerByAccount, row.accountName, row.owner, row.date);
    metricsByKey.set(`${row.accountName}\u0000${row.date}`, [
      row.accountName,
      row.date,
      row.dailyActiveUsers,
      row.featureAdoptionRate,
      row.supportTicketsOpen,
      row.npsScore,
      row.loginFrequency,
      row.arr,
      row.renewalDate,
      row.owner,
    ]);
    const latest = latestByAccount.get(row.accountName);
    if (!latest || row.date >= latest.date) latestByAccount.set(row.accountName, row);
    const first = firstDateByAccount.get(row.accountName);
    if (first === undefined || row.date < first) firstDateByAccount.set(row.accountName, row.date);
  }
  const accounts: AccountTuple[] = [];
  for (const row of latestByAccount.values()) {
    const renewal = renewalByAccount.get(row.accountName);
    const owner = ownerByAccount.get(row.accountName);
    accounts.push([
      row.accountName,
      row.segment,
      row.region,
      row.arr,
      row.date,
      firstDateByAccount.get(row.accountName) ?? row.date,
      renewal?.value ?? null,
      renewal?.date ?? null,
      owner?.value ?? null,
      owner?.date ?? null,
    ]);
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
    changedRanges: [...first.changedRanges, ...second.changedRanges],
    rowsWritten: first.rowsWritten + second.rowsWritten,
  };
}

/** Whether a batch changed what the reads answer (a changed metric or account is all they read). */
function changedAnything(outcome: BatchOutcome): boolean {
  return outcome.changedAccountIds.length > 0;
}

/**
 * Writes `rows` (in file order) atomically, or, when their JSON would exceed `maxJsonBytes` (long names), as
 * consecutive halves, each atomic; written in order, the halves give the same result as one batch.
 */
export async function writeMetricBatch(
  db: Database,
  runId: number,
  rows: readonly MetricRow[],
  maxJsonBytes = MAX_JSON_PARAMETER_BYTES,
): Promise<BatchOutcome> {
  const { accounts, metrics } = toTuples(rows);
  const accountsJson = JSON.stringify(accounts);
  const metricsJson = JSON.stringify(metrics);
  if (rows.length > 1 && Math.max(utf8Length(accountsJson), utf8Length(metricsJson)) > maxJsonBytes) {
    const middle = Math.ceil(rows.length / 2);
    const first = await writeMetricBatch(db, runId, rows.slice(0, middle), maxJsonBytes);
    return merge(first, await writeMetricBatch(db, runId, rows.slice(middle), maxJsonBytes));
  }
  const outcome = await bumpAfter(
    db,
    upsertMetricBatch(db, runId, {
      accountsJson,
      metricsJson,
      metricTuples: metrics.length,
      rows: rows.length,
      lastLine: rows.at(-1)?.line ?? 0,
    }),
    changedAnything,
  );
  // The data version's bump is a row written too.
  return changedAnything(outcome) ? { ...outcome, rowsWritten: outcome.rowsWritten + 1 } : outcome;
}
