import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import type { MetricRow } from "../../src/ingest/validate-row";
import { writeMetricBatch } from "../../src/services/ingest/writer";
import { resetDatabase } from "../helpers/db";

function row(accountName: string, date: string, overrides: Partial<MetricRow> = {}): MetricRow {
  return {
    line: 2,
    accountName,
    segment: "SMB",
    region: "EU",
    arr: 1000,
    date,
    dailyActiveUsers: 10,
    featureAdoptionRate: 0.5,
    supportTicketsOpen: 1,
    npsScore: null,
    loginFrequency: 0.5,
    renewalDate: null,
    owner: null,
    ...overrides,
  };
}

async function accountIds(): Promise<Record<string, number>> {
  const { results } = await env.DB.prepare("SELECT id, account_name FROM accounts").all<{ id: number; account_name: string }>();
  return Object.fromEntries(results.map((account) => [account.account_name, account.id]));
}

const db = createDb(env.DB);

beforeEach(resetDatabase);

describe("writeMetricBatch", () => {
  it("counts days appended after the history, and days filling a gap inside it, as created", async () => {
    await writeMetricBatch(db, 1, [row("Acme", "2024-10-01"), row("Acme", "2024-10-03"), row("Beta", "2024-10-01")]);
    const appended = await writeMetricBatch(db, 2, [row("Acme", "2024-10-04"), row("Beta", "2024-10-02"), row("Beta", "2024-10-03")]);
    expect(appended).toMatchObject({ createdAccountIds: [], metricsCreated: 3, metricsUpdated: 0 });
    const gapAndChange = await writeMetricBatch(db, 3, [
      row("Acme", "2024-10-02"), // fills the gap between stored days
      row("Acme", "2024-10-03", { dailyActiveUsers: 12 }), // changes a stored day
      row("Beta", "2024-10-04"), // appended
    ]);
    expect(gapAndChange).toMatchObject({ metricsCreated: 2, metricsUpdated: 1 });
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM account_metrics").first<number>("n");
    expect(stored).toBe(8);
  });

  it("counts the stored rows among a batch's dates when they skip days, not the stored days between them", async () => {
    await writeMetricBatch(db, 1, [row("Acme", "2024-10-01"), row("Acme", "2024-10-02"), row("Acme", "2024-10-03")]);
    // 10-02 is stored and lies between the batch's days, which skip it: only 10-01 exists of the batch's keys.
    const skipping = await writeMetricBatch(db, 2, [row("Acme", "2024-10-01", { dailyActiveUsers: 12 }), row("Acme", "2024-10-05")]);
    expect(skipping).toMatchObject({ metricsCreated: 1, metricsUpdated: 1 });
    // Every day from the first to the last: counted as a range.
    const everyDay = await writeMetricBatch(db, 3, [row("Acme", "2024-10-03"), row("Acme", "2024-10-04", { dailyActiveUsers: 3 })]);
    expect(everyDay).toMatchObject({ metricsCreated: 1, metricsUpdated: 0 });
  });

  it("tells created rows from updated ones and names the accounts that changed", async () => {
    const first = await writeMetricBatch(db, 1, [row("Acme", "2024-10-01"), row("Beta", "2024-10-01")]);
    const ids = await accountIds();
    expect(first).toEqual({
      createdAccountIds: expect.arrayContaining([ids.Acme, ids.Beta]),
      changedAccountIds: expect.arrayContaining([ids.Acme, ids.Beta]),
      metricsCreated: 2,
      metricsUpdated: 0,
      changedRanges: expect.arrayContaining([
        [ids.Acme, "2024-10-01", "2024-10-01"],
        [ids.Beta, "2024-10-01", "2024-10-01"],
      ]),
      rowsWritten: expect.any(Number),
    });
    expect(first.rowsWritten).toBeGreaterThanOrEqual(4);

    const second = await writeMetricBatch(db, 2, [
      row("Acme", "2024-10-01"), // unchanged
      row("Beta", "2024-10-01", { dailyActiveUsers: 11 }), // changed
      row("Gamma", "2024-10-01"), // new account
      row("Acme", "2024-09-30"), // new, older date for an existing account
    ]);
    const after = await accountIds();
    expect(second.createdAccountIds).toEqual([after.Gamma]);
    expect([...second.changedAccountIds].sort()).toEqual([after.Acme, after.Beta, after.Gamma].sort());
    expect(second).toMatchObject({ metricsCreated: 2, metricsUpdated: 1 });
    // Acme's 2024-10-01 is unchanged: only the new, older day is pending a rescore.
    expect([...second.changedRanges].sort()).toEqual(
      [
        [after.Acme, "2024-09-30", "2024-09-30"],
        [after.Beta, "2024-10-01", "2024-10-01"],
        [after.Gamma, "2024-10-01", "2024-10-01"],
      ].sort(),
    );

    const unchanged = await writeMetricBatch(db, 3, [row("Acme", "2024-10-01"), row("Beta", "2024-10-01", { dailyActiveUsers: 11 })]);
    expect(unchanged).toEqual({
      createdAccountIds: [],
      changedAccountIds: [],
      metricsCreated: 0,
      metricsUpdated: 0,
      changedRanges: [],
      rowsWritten: expect.any(Number),
    });
    // No row changed; D1 still counts an upsert's conflicting row as written (measured: 1 here), at most one a row.
    expect(unchanged.rowsWritten).toBeLessThanOrEqual(4);
    // Each batch that changed something recorded its ranges once, in its own transaction; the unchanged one none.
    const pending = await env.DB.prepare("SELECT ingest_run_id FROM pending_rescores ORDER BY id").all<{ ingest_run_id: number }>();
    expect(pending.results.map((row) => row.ingest_run_id)).toEqual([1, 2]);
  });

  it("splits a batch whose JSON is too big into consecutive batches with the same result", async () => {
    const rows = Array.from({ length: 12 }, (_, index) => row(`Account ${index % 5}`, `2024-10-${String(10 + index).padStart(2, "0")}`));
    rows.push(row("Account 0", "2024-10-10", { dailyActiveUsers: 99 })); // a later line for an earlier key
    const outcome = await writeMetricBatch(db, 1, rows, 300);
    expect(outcome).toMatchObject({ metricsCreated: 12, metricsUpdated: 1 });
    expect(outcome.createdAccountIds).toHaveLength(5);
    expect(outcome.changedAccountIds).toHaveLength(5);
    const stored = await env.DB.prepare(
      "SELECT count(*) AS n, sum(daily_active_users) AS dau FROM account_metrics",
    ).first<{ n: number; dau: number }>();
    expect(stored).toEqual({ n: 12, dau: 11 * 10 + 99 });
  });

  it("writes in one D1 batch normally, and in several when long names would pass D1's 1 MB value limit", async () => {
    // Real D1 underneath; the wrapper only counts round trips (local D1 does not enforce the 1 MB limit itself).
    let batches = 0;
    const counting = {
      prepare: (query: string) => env.DB.prepare(query),
      batch: (statements: D1PreparedStatement[]) => {
        batches++;
        return env.DB.batch(statements);
      },
    } as D1Database;
    const countingDb = createDb(counting);

    const short = Array.from({ length: 3000 }, (_, index) => row(`Account ${index}`, "2024-10-01"));
    expect(await writeMetricBatch(countingDb, 1, short)).toMatchObject({ metricsCreated: 3000 });
    expect(batches).toBe(1);

    batches = 0;
    const long = Array.from({ length: 3000 }, (_, index) => row(`${"Ä".repeat(190)} ${index}`, "2024-10-01"));
    const outcome = await writeMetricBatch(countingDb, 1, long);
    expect(outcome).toMatchObject({ metricsCreated: 3000, metricsUpdated: 0 });
    expect(outcome.createdAccountIds).toHaveLength(3000);
    expect(batches).toBeGreaterThan(1);
  });
});
