import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  env,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CSV_HEADER_ORDER } from "../../src/ingest/csv-header";
import worker from "../../src/index";
import { staleMarks } from "../../src/scoring/state";
import { recomputeHealth } from "../../src/scoring/rescore";
import { writeMetricBatch } from "../../src/services/ingest/writer";
import type { RecomputeMessage } from "../../src/scoring/queue-messages";
import { DEFAULT_HEALTH_CONFIG } from "../../src/domain/health";
import { REVENUE_WINDOWS } from "../../src/domain/revenue";
import { getRevenueRows, getRevenueRowsFromScratch } from "../../src/db/queries/revenue";
import type { AccountDetail } from "../../src/contract/accounts";
import type { IngestResult } from "../../src/contract/ingest";
import type { PortfolioSummary } from "../../src/contract/portfolio";
import { resetDatabase, testDb } from "../helpers/db";
import { addDays } from "../helpers/factories";
import { scoredState } from "../helpers/history";

/**
 * The incremental rescore through the Worker: what an upload rescores (the dates its changes reach), what the cron
 * does on an up-to-date book and after a change of the health configuration, and what a failed or queued rescore
 * leaves behind. Every case ends in the state a full recompute gives.
 */

const START = "2025-03-01";
const HEADER = CSV_HEADER_ORDER.join(",");

interface Day {
  name: string;
  day: number;
  dau?: number;
  nps?: number | null;
  segment?: string;
}

function csv(days: readonly Day[]): string {
  const lines = days.map(({ name, day, dau = 120, nps = null, segment = "Mid-Market" }) =>
    [name, segment, "EMEA", 90_000 + day, addDays(START, day), dau, 0.6, 2, nps ?? "", 0.7].join(","),
  );
  return [HEADER, ...lines].join("\n");
}

function daysOf(name: string, from: number, to: number, extra: Partial<Day> = {}): Day[] {
  return Array.from({ length: to - from + 1 }, (_, index) => ({ name, day: from + index, ...extra }));
}

async function post(path: string, init: RequestInit, vars: Record<string, string> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const request = new Request(`http://example.com${path}`, init) as Parameters<typeof worker.fetch>[0];
  const response = await worker.fetch(request, { ...env, ...vars } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

async function upload(days: readonly Day[], vars: Record<string, string> = {}): Promise<IngestResult> {
  const response = await post("/ingest/csv", { method: "POST", headers: { "content-type": "text/csv" }, body: csv(days) }, vars);
  expect(response.status).toBe(200);
  return response.json<IngestResult>();
}

/** The state after the incremental rescores must be the state a full recompute gives. */
async function expectEqualToFullRecompute(config = DEFAULT_HEALTH_CONFIG): Promise<void> {
  const incremental = await scoredState();
  await recomputeHealth(testDb(), config);
  expect(incremental).toEqual(await scoredState());
}

async function runCron(vars: Record<string, string> = {}): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "0 2 * * *" }), { ...env, ...vars } as Env, ctx);
  await waitOnExecutionContext(ctx);
}

function loggedMessages(spy: { mock: { calls: unknown[][] } }): Record<string, unknown>[] {
  return spy.mock.calls.flatMap(([line]) => {
    try {
      return [JSON.parse(String(line)) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

async function scoreOn(name: string, day: number): Promise<number | null> {
  const row = await env.DB.prepare(
    "SELECT h.score FROM health_scores AS h JOIN accounts AS a ON a.id = h.account_id WHERE a.account_name = ? AND h.date = ?",
  )
    .bind(name, addDays(START, day))
    .first<{ score: number }>();
  return row?.score ?? null;
}

beforeEach(resetDatabase);
afterEach(() => vi.restoreAllMocks());

describe("what an upload rescores", () => {
  it("a daily file for every account rescores one date per account", async () => {
    await upload([...daysOf("Acme", 0, 29), ...daysOf("Globex", 0, 29), ...daysOf("Initech", 0, 29)]);
    const daily = await upload([{ name: "Acme", day: 30 }, { name: "Globex", day: 30 }, { name: "Initech", day: 30, dau: 10 }]);
    expect(daily.dates_rescored).toEqual({ accounts: 3, dates: 3 });
    expect(daily.scores_written).toBe(3);
    expect(daily.accounts_rescored).toBe(3);
    expect(daily.d1_rows_written).toBeGreaterThan(0);
    await expectEqualToFullRecompute();
  });

  it("a daily file writes three D1 rows per row (its metrics, its score, its account) and leaves nothing pending", async () => {
    const names = Array.from({ length: 20 }, (_, index) => `Account ${index}`);
    await upload(names.flatMap((name) => daysOf(name, 0, 9)));
    const daily = await upload(names.map((name) => ({ name, day: 10 })));
    expect(daily.metrics_created).toBe(20);
    // Per batch, whatever its size, 6 more (measured), among them its pending-rescore row (written, then deleted), the
    // run's progress and the data version's bumps (after the batch and after the rescore); nothing else per row.
    expect(daily.d1_rows_written).toBeGreaterThanOrEqual(3 * 20);
    // And the book's kept figures: a row per group and per latest date whose figures move, however many accounts move
    // in it (here the day before and the day, and the groups the accounts are in).
    const groups = await env.DB.prepare("SELECT count(*) AS n FROM portfolio_groups").first<number>("n");
    // And the revenue statement's kept rows whose figures changed (at most all of them, whatever the book's size), with
    // its stale mark set by the batch and the rescore and cleared by the refresh.
    const revenueRows = await env.DB.prepare(
      "SELECT (SELECT count(*) FROM revenue_figures) + (SELECT count(*) FROM revenue_movers) AS n",
    ).first<number>("n");
    expect(daily.d1_rows_written).toBeLessThanOrEqual(3 * 20 + 6 + (groups ?? 0) + 2 + (revenueRows ?? 0) + 3);
    const pending = await env.DB.prepare("SELECT count(*) AS n FROM pending_rescores").first<number>("n");
    expect(pending).toBe(0);
    await expectEqualToFullRecompute();
  });

  it("the same file twice: the second upload changes nothing and rescores nothing", async () => {
    const days = [...daysOf("Acme", 0, 20), ...daysOf("Globex", 5, 25)];
    await upload(days);
    const again = await upload(days);
    expect(again).toMatchObject({ metrics_created: 0, metrics_updated: 0, accounts_rescored: 0, scores_written: 0 });
    expect(again.dates_rescored).toEqual({ accounts: 0, dates: 0 });
    await expectEqualToFullRecompute();
  });

  it("a change 90 days before a later date moves that date's score; 91 days before, it does not", async () => {
    // NPS only on day 0: day 90 carries it (exactly 90 days), day 91 does not (91 days).
    await upload([{ name: "Acme", day: 0, nps: 80 }, { name: "Acme", day: 90 }, { name: "Acme", day: 91 }]);
    const [day90, day91] = [await scoreOn("Acme", 90), await scoreOn("Acme", 91)];
    const changed = await upload([{ name: "Acme", day: 0, nps: -60 }]);
    expect(changed.dates_rescored).toEqual({ accounts: 1, dates: 2 });
    expect(await scoreOn("Acme", 90)).toBeLessThan(day90 ?? Number.NaN);
    expect(await scoreOn("Acme", 91)).toBe(day91);
    await expectEqualToFullRecompute();
  });

  it("a back-filled day that becomes the account's earliest date rescores the dates it reaches", async () => {
    await upload(daysOf("Acme", 10, 120));
    const backfill = await upload([{ name: "Acme", day: 3, dau: 5, nps: 40 }]);
    // Day 3 reaches day 93: the dates 3 and 10 … 93 (84 + 1).
    expect(backfill.dates_rescored).toEqual({ accounts: 1, dates: 85 });
    await expectEqualToFullRecompute();
  });

  it("a new segment on the latest row rescores the account's whole history", async () => {
    await upload(daysOf("Acme", 0, 40));
    const moved = await upload([{ name: "Acme", day: 41, segment: "Enterprise" }]);
    expect(moved.dates_rescored).toEqual({ accounts: 1, dates: 42 });
    await expectEqualToFullRecompute();
  });
});

describe("the cron and POST /health/recompute?scope=stale", () => {
  it("score what an upload cut off before its rescore left pending", async () => {
    await upload(daysOf("Acme", 0, 40));
    // The batch commits its rows and pending rescores; the Worker dies before the upload rescores them.
    const run = await env.DB.prepare(
      "INSERT INTO ingest_runs (status, started_at) VALUES ('running', '2025-04-11T00:00:00Z') RETURNING id",
    ).first<number>("id");
    const rows = [41, 42].map((day) => ({
      line: day,
      accountName: "Acme",
      segment: "Mid-Market" as const,
      region: "EMEA",
      arr: 90_000,
      date: addDays(START, day),
      dailyActiveUsers: 5,
      featureAdoptionRate: 0.1,
      supportTicketsOpen: 9,
      npsScore: null,
      loginFrequency: 0.1,
      renewalDate: null,
      owner: null,
    }));
    await writeMetricBatch(testDb(), run ?? 0, rows);
    expect(await scoreOn("Acme", 41)).toBeNull();

    await runCron();
    expect(await scoreOn("Acme", 42)).not.toBeNull();
    expect(await env.DB.prepare("SELECT count(*) AS n FROM pending_rescores").first<number>("n")).toBe(0);
    await expectEqualToFullRecompute();
  });

  it("on an up-to-date book write no score row and log that there was nothing to do", async () => {
    await upload([...daysOf("Acme", 0, 30), ...daysOf("Globex", 0, 30)]);
    const logged = vi.spyOn(console, "log");
    await runCron();
    expect(loggedMessages(logged)).toContainEqual(
      expect.objectContaining({ message: "scheduled health recompute: nothing to do, every score is current", scores_written: 0 }),
    );
    const stale = await post("/health/recompute?scope=stale", { method: "POST" });
    expect(await stale.json()).toMatchObject({ accounts_updated: 0, scores_written: 0, mode: "inline" });
  });

  it("find the stale marks through the index of marked accounts, not by scanning the book", async () => {
    const { sql: text, params } = staleMarks(testDb()).getQuery();
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${text}`)
      .bind(...params)
      .all<{ detail: string }>();
    expect(plan.results.map((step) => step.detail)).toEqual([expect.stringContaining("USING COVERING INDEX accounts_stale_idx")]);
  });

  it("after a change of the health configuration rescore every account under the new one, then nothing", async () => {
    await upload([...daysOf("Acme", 0, 30), ...daysOf("Globex", 0, 12, { dau: 40 })]);
    const before = await scoredState();
    const changed = { DAU_BENCHMARK_MID_MARKET: "150" };
    await runCron(changed);
    const after = await scoredState();
    expect(after.scores).not.toEqual(before.scores);
    expect(after.scores).toHaveLength(44);
    await expectEqualToFullRecompute({ ...DEFAULT_HEALTH_CONFIG, dauBenchmarks: { ...DEFAULT_HEALTH_CONFIG.dauBenchmarks, "Mid-Market": 150 } });
    const logged = vi.spyOn(console, "log");
    await runCron(changed);
    expect(loggedMessages(logged).map((line) => line.message)).toContain(
      "scheduled health recompute: nothing to do, every score is current",
    );
  });
});

/**
 * The revenue statement's kept figures: stale (`stale`) or current, and every window read as the accounts give it,
 * from the kept rows when they are current and from the accounts while they are not.
 */
async function expectRevenueFigures(stale: boolean): Promise<void> {
  expect(await env.DB.prepare("SELECT stale FROM revenue_state").first<number>("stale")).toBe(stale ? 1 : 0);
  for (const days of REVENUE_WINDOWS) {
    expect(await getRevenueRows(testDb(), days)).toEqual(await getRevenueRowsFromScratch(testDb(), days));
  }
}

describe("a rescore that fails or is queued", () => {
  it("leaves the accounts marked stale, visible in the summary and the detail, until the cron rescores them", async () => {
    await upload(daysOf("Acme", 0, 20));
    await env.DB.prepare(
      "CREATE TRIGGER fail_scores BEFORE INSERT ON health_scores BEGIN SELECT RAISE(ABORT, 'simulated D1 failure'); END",
    ).run();
    let failed: IngestResult;
    try {
      failed = await upload([...daysOf("Acme", 21, 25), ...daysOf("Globex", 0, 5)]);
    } finally {
      await env.DB.prepare("DROP TRIGGER fail_scores").run();
    }
    expect(failed.rescore_error).toContain("simulated D1 failure");
    expect(failed.dates_rescored).toBeNull();
    await expectRevenueFigures(true);
    const summary = await (await post("/portfolio/summary", { method: "GET" })).json<PortfolioSummary>();
    expect(summary.stale_accounts).toBe(2);
    const acmeId = await env.DB.prepare("SELECT id FROM accounts WHERE account_name = 'Acme'").first<number>("id");
    const detail = await (await post(`/accounts/${acmeId}`, { method: "GET" })).json<AccountDetail>();
    expect(detail.scores_stale).toBe(true);

    await runCron();
    expect((await (await post("/portfolio/summary", { method: "GET" })).json<PortfolioSummary>()).stale_accounts).toBe(0);
    expect((await (await post(`/accounts/${acmeId}`, { method: "GET" })).json<AccountDetail>()).scores_stale).toBe(false);
    await expectRevenueFigures(false);
    await expectEqualToFullRecompute();
  });

  it("queued: the messages carry the stale accounts' ids, and a redelivered message writes nothing", async () => {
    await upload([...daysOf("Acme", 0, 30), ...daysOf("Globex", 0, 30), ...daysOf("Initech", 0, 30)]);
    const sent: RecomputeMessage[] = [];
    const queue = {
      async sendBatch(messages: Iterable<MessageSendRequest<RecomputeMessage>>) {
        for (const message of messages) sent.push(message.body);
      },
    };
    const daily = await upload(
      [{ name: "Acme", day: 31 }, { name: "Globex", day: 31 }, { name: "Initech", day: 31 }],
      { INGEST_RESCORE_INLINE_MAX_ACCOUNTS: "2", RECOMPUTE_QUEUE: queue } as unknown as Record<string, string>,
    );
    expect(daily.rescore_job_id).toEqual(expect.any(Number));
    expect(daily.dates_rescored).toBeNull();
    expect(sent).toEqual([expect.objectContaining({ account_ids: expect.any(Array), scope: "stale" })]);
    await expectRevenueFigures(true);

    const deliver = async () => {
      const batch = createMessageBatch<RecomputeMessage>(
        "ai-success-insights-recompute",
        sent.map((body, index) => ({ id: `m${index}`, timestamp: new Date(), attempts: 1, body })),
      );
      await worker.queue(batch, env);
      return getQueueResult(batch, createExecutionContext());
    };
    await deliver();
    const job = await env.DB.prepare("SELECT status, accounts_updated, scores_written FROM recompute_jobs").first();
    expect(job).toEqual({ status: "completed", accounts_updated: 3, scores_written: 3 });
    await expectRevenueFigures(false);
    const state = await scoredState();
    await deliver();
    expect(await scoredState()).toEqual(state);
    await expectEqualToFullRecompute();
  });
});
