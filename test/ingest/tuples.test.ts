import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dayNumber } from "../../src/domain/health";
import type { MetricRow } from "../../src/ingest/validate-row";
import { toTuples } from "../../src/services/ingest/writer";

const NAMES = ["Acme", "Beta", "Gamma"];
const DATES = ["2024-10-01", "2024-10-02", "2024-10-03", "2024-10-05", "2024-10-08"];

const rowArbitrary = fc.record({
  accountName: fc.constantFrom(...NAMES),
  date: fc.constantFrom(...DATES),
  segment: fc.constantFrom("SMB" as const, "Enterprise" as const),
  region: fc.constantFrom("EU", "US"),
  arr: fc.integer({ min: 1, max: 5 }),
  dailyActiveUsers: fc.integer({ min: 0, max: 3 }),
  renewalDate: fc.constantFrom(null, "2025-01-01", "2025-06-01"),
  owner: fc.constantFrom(null, "Ana", "Ben"),
  measures: fc.constantFrom<Readonly<Record<string, number>> | undefined>(undefined, { seats_ratio: 0.5 }, { invoices_overdue: 2, seats_ratio: 1 }),
});

/** Rows sorted as files usually are (by account, then date), or in the arbitrary's order. */
const batchArbitrary = fc.tuple(fc.array(rowArbitrary, { maxLength: 25 }), fc.boolean()).map(([generated, sorted]) => {
  const rows = sorted ? [...generated].sort((a, b) => a.accountName.localeCompare(b.accountName) || a.date.localeCompare(b.date)) : generated;
  return rows.map(
    (row, index): MetricRow => ({ ...row, line: index + 2, featureAdoptionRate: 0.5, supportTicketsOpen: 1, npsScore: null, loginFrequency: 0.5 }),
  );
});

/** What the batch upsert is to store, worked out the plain way: a map per key and per account. */
function reference(rows: readonly MetricRow[]) {
  const metrics = new Map<string, MetricRow>();
  for (const row of rows) metrics.set(`${row.accountName}\u0000${row.date}`, row);
  const byAccount = new Map<string, MetricRow[]>();
  for (const row of rows) byAccount.set(row.accountName, [...(byAccount.get(row.accountName) ?? []), row]);
  const accounts = [...byAccount].map(([name, accountRows]) => {
    const latestOf = (candidates: MetricRow[]) => candidates.reduce<MetricRow | undefined>((kept, row) => (!kept || row.date >= kept.date ? row : kept), undefined);
    const latest = latestOf(accountRows);
    const renewal = latestOf(accountRows.filter((row) => row.renewalDate !== null));
    const owner = latestOf(accountRows.filter((row) => row.owner !== null));
    const dates = [...new Set(accountRows.map((row) => row.date))];
    const first = dates.reduce((a, b) => (b < a ? b : a));
    const everyDay = dayNumber(latest?.date ?? first) - dayNumber(first) + 1 === dates.length;
    const inTupleOrder = [...metrics.values()].filter((row) => row.accountName === name).map((row) => row.date);
    return [name, latest?.segment, latest?.region, latest?.arr, latest?.date, first, renewal?.renewalDate ?? null, renewal?.date ?? null, owner?.owner ?? null, owner?.date ?? null, everyDay ? null : inTupleOrder];
  });
  const metricTuples = [...metrics.values()].map((row) => [
    row.accountName, row.date, row.dailyActiveUsers, row.featureAdoptionRate, row.supportTicketsOpen, row.npsScore,
    row.loginFrequency, row.arr, row.renewalDate, row.owner, row.measures ?? null,
  ]);
  return { accounts, metrics: metricTuples };
}

describe("toTuples (property)", () => {
  it("gives the tuples of the plain reference whatever the order of the rows (2,000 cases)", () => {
    fc.assert(
      fc.property(batchArbitrary, (rows) => {
        expect(toTuples(rows)).toEqual(reference(rows));
      }),
      { numRuns: 2000 },
    );
  });
});
