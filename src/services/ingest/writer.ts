import { bumpAfter } from "../../db/queries/data-version";
import { dayNumber } from "../../domain/health";
import { upsertMetricBatch, type BatchOutcome } from "../../db/queries/metric-batches";
import type { AccountTuple, MetricTuple } from "../../db/queries/metric-tuples";
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

/** What the account tuple of one account is built from, kept up to date row by row. */
interface AccountRows {
  latest: MetricRow;
  firstDate: string;
  /** Its rows, which are its distinct dates while no key repeats. */
  rows: number;
  renewal: DatedValue | undefined;
  owner: DatedValue | undefined;
}

/** `value` of the row dated `date`, when it is at least as recent as `kept` (the later line wins a tie). */
function latestOf(kept: DatedValue | undefined, value: string | null, date: string): DatedValue | undefined {
  return value !== null && (!kept || date >= kept.date) ? { value, date } : kept;
}

function metricTuple(row: MetricRow): MetricTuple {
  return [
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
    row.measures ?? null,
  ];
}

/** One metric tuple per account+date: a later line of the file replaces an earlier one, in the place of the first. */
function uniqueMetricTuples(rows: readonly MetricRow[]): MetricTuple[] {
  const byKey = new Map<string, MetricTuple>();
  for (const row of rows) byKey.set(`${row.accountName}\u0000${row.date}`, metricTuple(row));
  return [...byKey.values()];
}

/**
 * One tuple per account+date (a later line of the file replaces an earlier one) and, per account, the
 * attributes of its latest-dated row (the later line wins a tie), with the renewal date and owner of its latest-dated
 * row that has them.
 *
 * Files usually hold each account's rows together, in date order (or reversed); then no key can repeat and the
 * metric tuples are the rows', one for one, without a map of keys. Any order gives the same tuples. An account's
 * tuple lists its dates only when they skip a day (the batch upsert counts the stored rows among them).
 */
export function toTuples(rows: readonly MetricRow[]): { accounts: AccountTuple[]; metrics: MetricTuple[] } {
  const byAccount = new Map<string, AccountRows>();
  let current: AccountRows | undefined;
  let keysMayRepeat = false;
  for (const row of rows) {
    if (!current || row.accountName !== current.latest.accountName) {
      const known = byAccount.get(row.accountName);
      // The account's rows are not all together: a date may come back.
      if (known) keysMayRepeat = true;
      current = known ?? { latest: row, firstDate: row.date, rows: 0, renewal: undefined, owner: undefined };
      if (!known) byAccount.set(row.accountName, current);
    } else if (row.date <= current.latest.date && row.date >= current.firstDate) {
      // Not after nor before the account's dates so far: it may be one of them.
      keysMayRepeat = true;
    }
    current.rows++;
    if (row.date >= current.latest.date) current.latest = row;
    if (row.date < current.firstDate) current.firstDate = row.date;
    current.renewal = latestOf(current.renewal, row.renewalDate, row.date);
    current.owner = latestOf(current.owner, row.owner, row.date);
  }
  const metrics = keysMayRepeat ? uniqueMetricTuples(rows) : rows.map(metricTuple);
  // While no key repeats, an account's rows are its distinct dates; they cover every day from its first to its last
  // when there are as many as days between them.
  let datesOf = keysMayRepeat ? datesByAccount(metrics) : undefined;
  const accounts: AccountTuple[] = [];
  for (const { latest, firstDate, rows: rowCount, renewal, owner } of byAccount.values()) {
    const days = datesOf?.get(latest.accountName)?.length ?? rowCount;
    const everyDay = dayNumber(latest.date) - dayNumber(firstDate) + 1 === days;
    if (!everyDay) datesOf ??= datesByAccount(metrics);
    accounts.push([
      latest.accountName,
      latest.segment,
      latest.region,
      latest.arr,
      latest.date,
      firstDate,
      renewal?.value ?? null,
      renewal?.date ?? null,
      owner?.value ?? null,
      owner?.date ?? null,
      everyDay ? null : (datesOf?.get(latest.accountName) ?? []),
    ]);
  }
  return { accounts, metrics };
}

function datesByAccount(metrics: readonly MetricTuple[]): Map<string, string[]> {
  const dates = new Map<string, string[]>();
  for (const [name, date] of metrics) {
    const list = dates.get(name);
    if (list) list.push(date);
    else dates.set(name, [date]);
  }
  return dates;
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
      hasRenewalsOrOwners: accounts.some((tuple) => tuple[6] !== null || tuple[8] !== null),
      lastLine: rows.at(-1)?.line ?? 0,
    }),
    changedAnything,
  );
  // The data version's bump is a row written too.
  return changedAnything(outcome) ? { ...outcome, rowsWritten: outcome.rowsWritten + 1 } : outcome;
}
