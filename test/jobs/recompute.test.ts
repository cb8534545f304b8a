import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { parseJson } from "../../src/db/queries/account-rows";
import { DEFAULT_HEALTH_CONFIG, type HealthConfig, type NpsSource } from "../../src/domain/health";
import { scoreHistory } from "../../src/domain/reference/health-score";
import { computeTrend, type TrendPoint } from "../../src/domain/reference/trend";
import { TREND_PERIODS } from "../../src/domain/trend";
import type { DailyMetrics, HealthComponents, Segment, Trend } from "../../src/domain/types";
import { ACCOUNTS_PER_CHUNK } from "../../src/scoring/chunks";
import { recomputeHealth } from "../../src/scoring/rescore";
import { resetDatabase, testDb } from "../helpers/db";
import { addDays } from "../helpers/factories";
import { insertAccountWithHistory, upsertMetricHistory, type HistorySeed } from "../helpers/history";

interface ScoreRow {
  account_id: number;
  date: string;
  score: number;
  bucket: string;
  /** Model 1 under the configuration: its five columns, the columns of further components null. */
  model_id: number;
  points_5: null;
  points_6: null;
  points_7: null;
  points_8: null;
  points_9: null;
  points_10: null;
  points_11: null;
  dau_points: number;
  adoption_points: number;
  tickets_points: number;
  nps_points: number | null;
  login_points: number;
  nps_source: NpsSource;
  computed_at: string;
}

interface AccountRow {
  id: number;
  health_score: number | null;
  health_bucket: string | null;
  health_components: string | null;
  health_change_30d: number | null;
  arr_change_30d: number | null;
  arr_change_90d: number | null;
  engagement_trend_30d: string | null;
  trend_30d: string | null;
  trend_60d: string | null;
  trend_90d: string | null;
}

/** Small seeded PRNG (mulberry32), so the generated data is the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const twoDecimals = (value: number) => Math.round(value * 100) / 100;

interface SeriesShape {
  days: number;
  /** Probability that a day has no row. */
  gapRate: number;
  /** Probability that a row carries an NPS. */
  npsRate: number;
  /** Day ranges [from, to) without any row, e.g. a 40-day outage. */
  outages?: [number, number][];
  /** Day ranges [from, to) where NPS is never reported. */
  silentNps?: [number, number][];
  /** DAU multiplier per day index, to create rising or falling engagement. */
  dauDrift?: (day: number) => number;
}

/** Realistic-looking daily metrics: two-decimal rates, integer counts, sparse NPS surveys, gaps and ARR steps. */
function generateMetrics(random: () => number, segment: Segment, start: string, shape: SeriesShape): DailyMetrics[] {
  const benchmark = DEFAULT_HEALTH_CONFIG.dauBenchmarks[segment];
  const baseDau = benchmark * (0.2 + random() * 1.1);
  const baseAdoption = 0.15 + random() * 0.75;
  const baseLogin = 0.1 + random() * 0.85;
  let arr = Math.round(5_000 + random() * 400_000);
  const rows: DailyMetrics[] = [];
  for (let day = 0; day < shape.days; day += 1) {
    if (shape.outages?.some(([from, to]) => day >= from && day < to)) continue;
    if (random() < shape.gapRate) continue;
    if (random() < 0.05) arr = Math.round(arr * (0.9 + random() * 0.25) * 100) / 100;
    const npsSilent = shape.silentNps?.some(([from, to]) => day >= from && day < to) ?? false;
    const drift = shape.dauDrift?.(day) ?? 1;
    rows.push({
      date: addDays(start, day),
      daily_active_users: Math.max(0, Math.round(baseDau * drift * (0.7 + random() * 0.6))),
      feature_adoption_rate: twoDecimals(Math.min(1, Math.max(0, baseAdoption + (random() - 0.5) * 0.3))),
      support_tickets_open: Math.floor(random() * random() * 16),
      nps_score: !npsSilent && random() < shape.npsRate ? Math.round(random() * 200 - 100) : null,
      login_frequency: twoDecimals(Math.min(1, Math.max(0, baseLogin + (random() - 0.5) * 0.3))),
      arr,
    });
  }
  return rows;
}

function seedAccounts(): HistorySeed[] {
  const random = seededRandom(20_260_115);
  const segments: Segment[] = ["Enterprise", "Mid-Market", "SMB"];
  const accounts: HistorySeed[] = [];
  for (let index = 0; index < 12; index += 1) {
    const segment = segments[index % 3] ?? "SMB";
    accounts.push({
      name: `Generated ${index}`,
      segment,
      metrics: generateMetrics(random, segment, addDays("2024-06-01", index * 3), {
        days: 100 + index * 4,
        gapRate: 0.12,
        npsRate: 0.1,
        dauDrift: index % 2 === 0 ? (day) => 0.6 + day / 100 : (day) => 1.4 - day / 120,
      }),
    });
  }
  accounts.push(
    {
      // A 40-day outage, then NPS silent for 100 days: window, carried and missing NPS all occur.
      name: "Outage and silent NPS",
      segment: "Enterprise",
      metrics: generateMetrics(random, "Enterprise", "2024-05-01", {
        days: 200,
        gapRate: 0.05,
        npsRate: 0.3,
        outages: [[60, 100]],
        silentNps: [[90, 200]],
      }),
    },
    {
      name: "Never answers NPS",
      segment: "SMB",
      metrics: generateMetrics(random, "SMB", "2024-07-10", { days: 70, gapRate: 0.3, npsRate: 0 }),
    },
    {
      name: "Single day",
      segment: "Mid-Market",
      metrics: generateMetrics(random, "Mid-Market", "2024-09-01", { days: 1, gapRate: 0, npsRate: 1 }),
    },
    {
      // Two dates 45 days apart: no 30-day trend, but 60- and 90-day trends.
      name: "Two distant days",
      segment: "SMB",
      metrics: generateMetrics(random, "SMB", "2024-08-01", { days: 46, gapRate: 0, npsRate: 0.5, outages: [[1, 45]] }),
    },
    {
      // No users at first, then some: the earlier half's mean DAU is 0.
      name: "Wakes up",
      segment: "Mid-Market",
      metrics: generateMetrics(random, "Mid-Market", "2024-08-15", {
        days: 40,
        gapRate: 0.1,
        npsRate: 0.2,
        dauDrift: (day) => (day < 25 ? 0 : 1),
      }),
    },
    {
      // Only zero DAU: stable engagement rather than a division by zero.
      name: "Dormant",
      segment: "Enterprise",
      metrics: generateMetrics(random, "Enterprise", "2024-08-15", {
        days: 35,
        gapRate: 0.1,
        npsRate: 0.2,
        dauDrift: () => 0,
      }),
    },
    {
      // Hand-placed dates on every boundary: NPS carried from exactly 90 days back but not 91, a row exactly at
      // L − 30 (the 30-day change is measured from it) and one exactly at the engagement midpoint.
      name: "Boundary dates",
      segment: "SMB",
      metrics: [
        boundaryRow("2024-01-01", { nps_score: 40, daily_active_users: 12, arr: 1000 }),
        boundaryRow("2024-03-02", { daily_active_users: 10, arr: 1200.5 }),
        boundaryRow("2024-03-17", { daily_active_users: 500 }),
        boundaryRow("2024-03-31", { daily_active_users: 14 }),
        boundaryRow("2024-04-01", { daily_active_users: 16, arr: 1500.25 }),
      ],
    },
  );
  return accounts;
}

function boundaryRow(date: string, overrides: Partial<DailyMetrics>): DailyMetrics {
  return {
    date,
    daily_active_users: 10,
    feature_adoption_rate: 0.55,
    support_tickets_open: 3,
    nps_score: null,
    login_frequency: 0.42,
    arr: 1200.5,
    ...overrides,
  };
}

/** Inserts accounts and their metrics with plain SQL, the metrics as one JSON parameter per statement. */
async function insertAccounts(accounts: readonly HistorySeed[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const account of accounts) ids.set(account.name, await insertAccountWithHistory(account));
  return ids;
}

async function scoreRows(): Promise<ScoreRow[]> {
  const { results } = await env.DB.prepare("SELECT * FROM health_scores ORDER BY account_id, date").all<ScoreRow>();
  return results;
}

async function accountRows(): Promise<AccountRow[]> {
  const { results } = await env.DB.prepare(
    `SELECT a.id, a.health_score, a.health_bucket, a.health_components, a.health_change_30d,
            a.arr_change_30d, a.arr_change_90d, a.engagement_trend_30d, a.trend_30d, a.trend_60d, a.trend_90d
     FROM accounts AS a ORDER BY a.id`,
  ).all<AccountRow>();
  return results;
}

/** What the pure reference says every health_scores row and account column should hold. */
function expectedState(accounts: readonly HistorySeed[], ids: Map<string, number>, config: HealthConfig) {
  const scores: Omit<ScoreRow, "computed_at">[] = [];
  const health = new Map<number, Omit<AccountRow, "id" | "health_components"> & { health_components: HealthComponents | null }>();
  for (const account of accounts) {
    const accountId = ids.get(account.name) ?? -1;
    const history = scoreHistory(account.metrics, account.segment, config);
    for (const scored of history) {
      scores.push({
        account_id: accountId,
        date: scored.date,
        score: scored.score,
        bucket: scored.bucket,
        model_id: 1,
        points_5: null,
        points_6: null,
        points_7: null,
        points_8: null,
        points_9: null,
        points_10: null,
        points_11: null,
        dau_points: scored.components.daily_active_users,
        adoption_points: scored.components.feature_adoption,
        tickets_points: scored.components.support_tickets,
        nps_points: scored.components.nps,
        login_points: scored.components.login_frequency,
        nps_source: scored.nps_source,
      });
    }
    const byDate = new Map(account.metrics.map((row) => [row.date, row]));
    const points: TrendPoint[] = history.map((scored) => ({
      date: scored.date,
      score: scored.score,
      components: scored.components,
      arr: byDate.get(scored.date)?.arr ?? Number.NaN,
      daily_active_users: byDate.get(scored.date)?.daily_active_users ?? Number.NaN,
    }));
    const [trend30, trend60, trend90] = TREND_PERIODS.map((days) => computeTrend(points, days));
    const latest = history.at(-1);
    health.set(accountId, {
      health_score: latest?.score ?? null,
      health_bucket: latest?.bucket ?? null,
      health_components: latest?.components ?? null,
      health_change_30d: trend30?.health_score_change ?? null,
      arr_change_30d: trend30?.arr_change ?? null,
      arr_change_90d: trend90?.arr_change ?? null,
      engagement_trend_30d: trend30?.engagement_trend ?? null,
      trend_30d: trend30 ? JSON.stringify(trend30) : null,
      trend_60d: trend60 ? JSON.stringify(trend60) : null,
      trend_90d: trend90 ? JSON.stringify(trend90) : null,
    });
  }
  return { scores, health };
}

function withoutComputedAt(rows: readonly ScoreRow[]): Omit<ScoreRow, "computed_at">[] {
  return rows.map(({ computed_at: _computedAt, ...rest }) => rest);
}

async function expectDatabaseToMatchReference(
  accounts: readonly HistorySeed[],
  ids: Map<string, number>,
  config: HealthConfig,
): Promise<void> {
  const expected = expectedState(accounts, ids, config);
  expect(withoutComputedAt(await scoreRows())).toEqual(expected.scores);
  for (const row of await accountRows()) {
    const want = expected.health.get(row.id);
    expect(want, `account ${row.id} is one of the seeded accounts`).toBeDefined();
    expect({
      health_score: row.health_score,
      health_bucket: row.health_bucket,
      health_components: parseJson<HealthComponents>(row.health_components),
      health_change_30d: row.health_change_30d,
      arr_change_30d: row.arr_change_30d,
      arr_change_90d: row.arr_change_90d,
      engagement_trend_30d: row.engagement_trend_30d,
      trend_30d: parseJson<Trend>(row.trend_30d),
      trend_60d: parseJson<Trend>(row.trend_60d),
      trend_90d: parseJson<Trend>(row.trend_90d),
    }).toEqual({
      ...want,
      trend_30d: parseJson<Trend>(want?.trend_30d ?? null),
      trend_60d: parseJson<Trend>(want?.trend_60d ?? null),
      trend_90d: parseJson<Trend>(want?.trend_90d ?? null),
    });
  }
}

beforeEach(resetDatabase);

describe("recomputeHealth agrees with the pure reference", () => {
  const seeded = seedAccounts();

  it("the seed covers every segment, NPS source, bucket and null trends (so the comparison means something)", () => {
    const histories = seeded.flatMap((account) => scoreHistory(account.metrics, account.segment, DEFAULT_HEALTH_CONFIG));
    expect(new Set(seeded.map((account) => account.segment))).toEqual(new Set(["Enterprise", "Mid-Market", "SMB"]));
    expect(new Set(histories.map((scored) => scored.nps_source))).toEqual(new Set(["window", "carried", "missing"]));
    expect(new Set(histories.map((scored) => scored.bucket))).toEqual(new Set(["Healthy", "At-Risk", "Critical"]));
    const engagement = new Set<string>();
    let nullTrends = 0;
    for (const account of seeded) {
      const points = scoreHistory(account.metrics, account.segment, DEFAULT_HEALTH_CONFIG).map((scored, index) => ({
        ...scored,
        arr: account.metrics[index]?.arr ?? 0,
        daily_active_users: account.metrics[index]?.daily_active_users ?? 0,
      }));
      for (const days of TREND_PERIODS) {
        const trend = computeTrend(points, days);
        if (trend) engagement.add(trend.engagement_trend);
        else nullTrends += 1;
      }
    }
    expect(engagement).toEqual(new Set(["improving", "stable", "declining"]));
    expect(nullTrends).toBeGreaterThan(0);

    const boundary = seeded.find((account) => account.name === "Boundary dates");
    if (!boundary) throw new Error("boundary account missing");
    const history = scoreHistory(boundary.metrics, boundary.segment, DEFAULT_HEALTH_CONFIG);
    expect(history.map((scored) => [scored.date, scored.nps_source])).toEqual([
      ["2024-01-01", "window"],
      ["2024-03-02", "carried"],
      ["2024-03-17", "carried"],
      ["2024-03-31", "carried"],
      ["2024-04-01", "missing"],
    ]);
    const points = history.map((scored, index) => ({
      ...scored,
      arr: boundary.metrics[index]?.arr ?? 0,
      daily_active_users: boundary.metrics[index]?.daily_active_users ?? 0,
    }));
    // Halves of [03-02, 04-01] split at 03-17, which counts in neither: earlier mean 10, later mean 15: improving.
    expect(computeTrend(points, 30)).toMatchObject({ from_date: "2024-03-02", arr_change: 299.75, engagement_trend: "improving" });
    expect(computeTrend(points, 60)).toMatchObject({ from_date: "2024-01-01", arr_change: 500.25 });
  });

  it("writes every score, component, NPS source, current health and trend exactly as the reference computes them", async ({
    annotate,
  }) => {
    const ids = await insertAccounts(seeded);
    const result = await recomputeHealth(testDb(), DEFAULT_HEALTH_CONFIG);
    const metricRows = seeded.reduce((total, account) => total + account.metrics.length, 0);
    expect(result).toMatchObject({ accountsUpdated: seeded.length, scoresWritten: metricRows });
    await annotate(`recomputed ${seeded.length} accounts / ${metricRows} metric rows in ${result.durationMs} ms`);
    await expectDatabaseToMatchReference(seeded, ids, DEFAULT_HEALTH_CONFIG);
  });

  it("agrees under a non-default configuration (window, benchmarks and ticket ceiling are honoured)", async () => {
    const config: HealthConfig = {
      windowDays: 3,
      dauBenchmarks: { Enterprise: 150, "Mid-Market": 40, SMB: 12.5 },
      ticketCeiling: 6,
    };
    const ids = await insertAccounts(seeded);
    await recomputeHealth(testDb(), config);
    await expectDatabaseToMatchReference(seeded, ids, config);
    // And the default configuration gives different scores on the same data.
    const defaults = expectedState(seeded, ids, DEFAULT_HEALTH_CONFIG).scores;
    expect(withoutComputedAt(await scoreRows())).not.toEqual(defaults);
  });

  it("processes more accounts than one chunk holds", async () => {
    const random = seededRandom(7);
    const many: HistorySeed[] = Array.from({ length: ACCOUNTS_PER_CHUNK + 3 }, (_, index) => ({
      name: `Bulk ${index}`,
      segment: (["Enterprise", "Mid-Market", "SMB"] as const)[index % 3] ?? "SMB",
      metrics: generateMetrics(random, "SMB", "2024-10-01", { days: 3, gapRate: 0, npsRate: 0.5 }),
    }));
    const ids = await insertAccounts(many);
    const result = await recomputeHealth(testDb(), DEFAULT_HEALTH_CONFIG);
    expect(result.accountsUpdated).toBe(many.length);
    expect(result.scoresWritten).toBe(many.length * 3);
    await expectDatabaseToMatchReference(many, ids, DEFAULT_HEALTH_CONFIG);
  });
});

describe("recomputeHealth", () => {
  it("on an empty database writes nothing and succeeds", async () => {
    const result = await recomputeHealth(testDb(), DEFAULT_HEALTH_CONFIG);
    expect(result).toMatchObject({ accountsUpdated: 0, scoresWritten: 0 });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(result.finishedAt)).toBeGreaterThanOrEqual(Date.parse(result.startedAt));
    expect(await scoreRows()).toEqual([]);
  });

  it("with accountIds rescores only those accounts and leaves the others untouched", async () => {
    const [first, second, third] = seedAccounts();
    if (!first || !second || !third) throw new Error("seed too small");
    const ids = await insertAccounts([first, second, third]);
    const firstId = ids.get(first.name) ?? -1;
    const thirdId = ids.get(third.name) ?? -1;

    const scoped = await recomputeHealth(testDb(), DEFAULT_HEALTH_CONFIG, { accountIds: [firstId, thirdId, firstId] });
    expect(scoped.accountsUpdated).toBe(2);
    expect(scoped.scoresWritten).toBe(first.metrics.length + third.metrics.length);
    const scoredAccounts = new Set((await scoreRows()).map((row) => row.account_id));
    expect(scoredAccounts).toEqual(new Set([firstId, thirdId]));
    const untouched = (await accountRows()).find((row) => row.id === ids.get(second.name));
    expect(untouched).toMatchObject({ health_score: null, health_bucket: null, trend_30d: null });

    // A later scoped run for the first account does not rewrite the third account's rows.
    const thirdBefore = (await scoreRows()).filter((row) => row.account_id === thirdId);
    await recomputeHealth(testDb(), DEFAULT_HEALTH_CONFIG, { accountIds: [firstId] });
    expect((await scoreRows()).filter((row) => row.account_id === thirdId)).toEqual(thirdBefore);
  });

  it("with an empty accountIds list does nothing", async () => {
    const [first] = seedAccounts();
    if (!first) throw new Error("seed too small");
    await insertAccounts([first]);
    expect(await recomputeHealth(testDb(), DEFAULT_HEALTH_CONFIG, { accountIds: [] })).toMatchObject({
      accountsUpdated: 0,
      scoresWritten: 0,
    });
    expect(await scoreRows()).toEqual([]);
  });

  it("is idempotent: a second run writes the same values", async () => {
    const seeded = seedAccounts().slice(0, 6);
    await insertAccounts(seeded);
    const first = await recomputeHealth(testDb(), DEFAULT_HEALTH_CONFIG);
    const scoresAfterFirst = withoutComputedAt(await scoreRows());
    const accountsAfterFirst = await accountRows();
    const second = await recomputeHealth(testDb(), DEFAULT_HEALTH_CONFIG);
    expect(second.scoresWritten).toBe(first.scoresWritten);
    expect(second.accountsUpdated).toBe(first.accountsUpdated);
    expect(withoutComputedAt(await scoreRows())).toEqual(scoresAfterFirst);
    expect(await accountRows()).toEqual(accountsAfterFirst);
  });

  it("follows changed metrics and drops the score of a date whose metrics are gone", async () => {
    const [account] = seedAccounts();
    if (!account) throw new Error("seed too small");
    const ids = await insertAccounts([account]);
    const accountId = ids.get(account.name) ?? -1;
    await recomputeHealth(testDb(), DEFAULT_HEALTH_CONFIG);

    const removed = account.metrics[account.metrics.length - 1];
    const changed = { ...account.metrics[0], daily_active_users: 0, feature_adoption_rate: 0 } as DailyMetrics;
    await env.DB.prepare("DELETE FROM account_metrics WHERE account_id = ? AND date = ?").bind(accountId, removed?.date).run();
    await upsertMetricHistory(accountId, [changed]);
    const edited: HistorySeed = { ...account, metrics: [changed, ...account.metrics.slice(1, -1)] };

    await recomputeHealth(testDb(), DEFAULT_HEALTH_CONFIG);
    await expectDatabaseToMatchReference([edited], ids, DEFAULT_HEALTH_CONFIG);
  });

  it("clears the current health of an account that has no metrics", async () => {
    const [account] = seedAccounts();
    if (!account) throw new Error("seed too small");
    const ids = await insertAccounts([account]);
    await recomputeHealth(testDb(), DEFAULT_HEALTH_CONFIG);
    await env.DB.prepare("DELETE FROM account_metrics WHERE account_id = ?").bind(ids.get(account.name)).run();
    const result = await recomputeHealth(testDb(), DEFAULT_HEALTH_CONFIG);
    expect(result.accountsUpdated).toBe(1);
    expect(await scoreRows()).toEqual([]);
    expect(await accountRows()).toEqual([
      expect.objectContaining({ health_score: null, health_bucket: null, health_components: null, trend_90d: null }),
    ]);
  });

  it("refuses a window that is not a whole number of days", async () => {
    await expect(recomputeHealth(testDb(), { ...DEFAULT_HEALTH_CONFIG, windowDays: 2.5 })).rejects.toThrow(RangeError);
  });
});
