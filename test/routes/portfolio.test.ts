import { SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { BUCKETS, SEGMENTS, type EngagementTrend } from "../../src/domain/types";
import type { PortfolioSummary } from "../../src/contract/portfolio";
import { resetDatabase } from "../helpers/db";
import { addDays, bucketOfScore, insertAccounts, trend, type AccountSeed } from "../helpers/factories";

const ORIGINAL_FIELDS = [
  "total_accounts",
  "total_arr",
  "arr_by_bucket",
  "risk_breakdown",
  "arr_trend_30d",
  "arr_trend_90d",
  "avg_health_score",
  "accounts_by_segment",
];

async function getSummary(): Promise<PortfolioSummary> {
  const response = await SELF.fetch("http://example.com/portfolio/summary");
  expect(response.status).toBe(200);
  return response.json<PortfolioSummary>();
}

/** `actual` is `raw` rounded to `decimals` places (ties either way, float noise tolerated). */
function expectRounded(actual: number | null | undefined, raw: number, decimals: number, label = "") {
  expect(actual, label).toBeTypeOf("number");
  expect(Number(actual!.toFixed(decimals)), `${label} has at most ${decimals} decimals`).toBe(actual);
  expect(Math.abs(actual! - raw), `${label}: ${actual} vs ${raw}`).toBeLessThanOrEqual(0.5 * 10 ** -decimals + 1e-9);
}

/** A deterministic pseudo-random sequence, so the portfolio is varied but the same on every run. */
function sequence(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function variedPortfolio(): AccountSeed[] {
  const random = sequence(42);
  const regions = ["North America", "EMEA", "APAC", "LATAM"];
  const engagement: EngagementTrend[] = ["improving", "stable", "declining"];
  return Array.from({ length: 26 }, (_, index) => {
    const unscored = index % 7 === 3;
    const latest = addDays("2024-10-03", -Math.floor(random() * 20));
    const score = index === 5 ? 0 : index === 6 ? 70 : index === 8 ? 40 : Math.round(random() * 1000) / 10;
    const arr = Math.round(random() * 100_000_000) / 100;
    const withTrend30 = !unscored && index % 5 !== 1;
    const withTrend90 = !unscored && index % 4 !== 2;
    return {
      name: `Account ${String(index).padStart(2, "0")}`,
      segment: SEGMENTS[index % 3 === 0 ? 0 : index % 4 === 0 ? 1 : 2],
      region: regions[Math.floor(random() * regions.length)],
      arr,
      latestMetricDate: unscored ? null : latest,
      healthScore: unscored ? null : score,
      trend30d: withTrend30
        ? trend(30, latest, {
            arr_change: Math.round((random() - 0.4) * 2_000_000) / 100,
            engagement_trend: engagement[index % 3],
          })
        : null,
      trend90d: withTrend90 ? trend(90, latest, { arr_change: Math.round((random() - 0.4) * 5_000_000) / 100 }) : null,
    } satisfies AccountSeed;
  });
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

describe("GET /portfolio/summary", () => {
  beforeEach(resetDatabase);

  it("answers zeros, every key and no NaN on an empty database", async () => {
    const zeroBuckets = { Healthy: 0, "At-Risk": 0, Critical: 0 };
    expect(await getSummary()).toEqual({
      total_accounts: 0,
      total_arr: 0,
      arr_by_bucket: zeroBuckets,
      risk_breakdown: zeroBuckets,
      arr_trend_30d: 0,
      arr_trend_90d: 0,
      avg_health_score: 0,
      accounts_by_segment: { Enterprise: 0, "Mid-Market": 0, SMB: 0 },
      arr_trend_30d_percent: 0,
      arr_trend_90d_percent: 0,
      arr_at_risk: 0,
      accounts_by_bucket: zeroBuckets,
      scored_accounts: 0,
      unscored_accounts: 0,
      by_segment: SEGMENTS.map((segment) => ({ segment, accounts: 0, arr: 0, avg_health_score: null })),
      by_region: [],
      trend_counts: { improving: 0, stable: 0, declining: 0, unknown: 0 },
      lowest_accounts: [],
      stale_accounts: 0,
      as_of_date: null,
      renewals_next_90_days: { accounts: 0, arr: 0, arr_at_risk: 0 },
    });
  });

  it("matches totals computed independently from the stored accounts", async () => {
    const seeds = variedPortfolio();
    const ids = await insertAccounts(seeds);
    const accounts = seeds.map((seed, index) => ({ ...seed, id: ids[index]!, arr: seed.arr!, score: seed.healthScore ?? null }));
    const scored = accounts.filter((account) => account.score !== null);
    const inBucket = (bucket: string) => scored.filter((account) => bucketOfScore(account.score!) === bucket);
    const summary = await getSummary();

    expect(Object.keys(summary).slice(0, ORIGINAL_FIELDS.length)).toEqual(ORIGINAL_FIELDS);
    expect(summary.total_accounts).toBe(accounts.length);
    expectRounded(summary.total_arr, sum(accounts.map((account) => account.arr)), 2, "total_arr");
    for (const bucket of BUCKETS) {
      expect(inBucket(bucket).length, bucket).toBeGreaterThan(0);
      expectRounded(summary.arr_by_bucket[bucket], sum(inBucket(bucket).map((account) => account.arr)), 2, `arr ${bucket}`);
      expectRounded(summary.risk_breakdown[bucket], (inBucket(bucket).length / scored.length) * 100, 1, `risk ${bucket}`);
      expect(summary.accounts_by_bucket[bucket]).toBe(inBucket(bucket).length);
    }
    expectRounded(summary.avg_health_score, sum(scored.map((account) => account.score!)) / scored.length, 1, "avg");
    expectRounded(
      summary.arr_at_risk,
      sum([...inBucket("At-Risk"), ...inBucket("Critical")].map((account) => account.arr)),
      2,
      "arr_at_risk",
    );
    expect(summary.scored_accounts).toBe(scored.length);
    expect(summary.unscored_accounts).toBe(accounts.length - scored.length);
    expect(summary.unscored_accounts).toBeGreaterThan(0);

    const totalArr = sum(accounts.map((account) => account.arr));
    const change30 = sum(accounts.map((account) => account.trend30d?.arr_change ?? 0));
    const change90 = sum(accounts.map((account) => account.trend90d?.arr_change ?? 0));
    expect(change30).not.toBe(0);
    expectRounded(summary.arr_trend_30d, change30, 2, "arr_trend_30d");
    expectRounded(summary.arr_trend_90d, change90, 2, "arr_trend_90d");
    expectRounded(summary.arr_trend_30d_percent, (change30 / (totalArr - change30)) * 100, 2, "30d percent");
    expectRounded(summary.arr_trend_90d_percent, (change90 / (totalArr - change90)) * 100, 2, "90d percent");

    for (const segment of SEGMENTS) {
      const members = accounts.filter((account) => account.segment === segment);
      expect(summary.accounts_by_segment[segment]).toBe(members.length);
      const group = summary.by_segment.find((entry) => entry.segment === segment)!;
      expect(group.accounts).toBe(members.length);
      expectRounded(group.arr, sum(members.map((account) => account.arr)), 2, `${segment} arr`);
      const memberScores = members.flatMap((account) => (account.score === null ? [] : [account.score]));
      expectRounded(group.avg_health_score, sum(memberScores) / memberScores.length, 1, `${segment} avg`);
    }
    expect(summary.by_segment.map((entry) => entry.segment)).toEqual([...SEGMENTS]);

    const regions = [...new Set(accounts.map((account) => account.region!))].sort();
    expect(summary.by_region.map((entry) => entry.region)).toEqual(regions);
    for (const entry of summary.by_region) {
      const members = accounts.filter((account) => account.region === entry.region);
      expect(entry.accounts).toBe(members.length);
      expectRounded(entry.arr, sum(members.map((account) => account.arr)), 2, `${entry.region} arr`);
    }

    const engagementCount = (value: EngagementTrend) =>
      accounts.filter((account) => account.trend30d?.engagement_trend === value).length;
    expect(summary.trend_counts).toEqual({
      improving: engagementCount("improving"),
      stable: engagementCount("stable"),
      declining: engagementCount("declining"),
      unknown: accounts.filter((account) => !account.trend30d).length,
    });

    const lowest = [...scored]
      .sort((a, b) => a.score! - b.score! || b.arr - a.arr || a.id - b.id)
      .slice(0, 5)
      .map((account) => ({
        id: account.id,
        account_name: account.name,
        health_score: account.score,
        health_bucket: bucketOfScore(account.score!),
        arr: account.arr,
      }));
    expect(summary.lowest_accounts).toEqual(lowest);
    expect(summary.lowest_accounts[0]!.health_score).toBe(0);

    const dates = accounts.flatMap((account) => (account.latestMetricDate ? [account.latestMetricDate] : []));
    expect(summary.as_of_date).toBe(dates.sort().at(-1));
  });

  it("defines the averages on an all-zero portfolio", async () => {
    const seeds: AccountSeed[] = [
      { name: "Zero A", segment: "SMB", arr: 1000, healthScore: 0, latestMetricDate: "2024-10-01" },
      { name: "Zero B", segment: "SMB", arr: 3000, healthScore: 0, latestMetricDate: "2024-10-02" },
      { name: "Zero C", segment: "Enterprise", arr: 2000, healthScore: 0, latestMetricDate: "2024-10-02" },
    ];
    const ids = await insertAccounts(seeds);
    const summary = await getSummary();
    expect(summary.avg_health_score).toBe(0);
    expect(summary.risk_breakdown).toEqual({ Healthy: 0, "At-Risk": 0, Critical: 100 });
    expect(summary.arr_by_bucket).toEqual({ Healthy: 0, "At-Risk": 0, Critical: 6000 });
    expect(summary.arr_at_risk).toBe(6000);
    expect(summary.by_segment.find((entry) => entry.segment === "SMB")).toEqual({ segment: "SMB", accounts: 2, arr: 4000, avg_health_score: 0 });
    // Equal scores: the biggest account first.
    expect(summary.lowest_accounts.map((account) => account.id)).toEqual([ids[1], ids[2], ids[0]]);
    expect(summary.trend_counts).toEqual({ improving: 0, stable: 0, declining: 0, unknown: 3 });
    expect(summary.arr_trend_30d_percent).toBe(0);
  });

  it("counts unscored accounts in the totals but in no bucket or average", async () => {
    await insertAccounts([
      { name: "New A", segment: "Mid-Market", region: "EMEA", arr: 5000 },
      { name: "New B", segment: "Mid-Market", region: "EMEA", arr: 7000 },
    ]);
    const summary = await getSummary();
    expect(summary).toMatchObject({
      total_accounts: 2,
      total_arr: 12_000,
      avg_health_score: 0,
      risk_breakdown: { Healthy: 0, "At-Risk": 0, Critical: 0 },
      arr_by_bucket: { Healthy: 0, "At-Risk": 0, Critical: 0 },
      accounts_by_segment: { Enterprise: 0, "Mid-Market": 2, SMB: 0 },
      scored_accounts: 0,
      unscored_accounts: 2,
      lowest_accounts: [],
      as_of_date: null,
    });
    expect(summary.by_region).toEqual([{ region: "EMEA", accounts: 2, arr: 12_000, avg_health_score: null }]);
  });

  it("gives no ARR percentage for growth from nothing", async () => {
    await insertAccounts([
      {
        name: "Grew from zero",
        arr: 2500,
        healthScore: 75,
        latestMetricDate: "2024-10-03",
        trend30d: trend(30, "2024-10-03", { arr_change: 2500 }),
        trend90d: trend(90, "2024-10-03", { arr_change: 500 }),
      },
    ]);
    const summary = await getSummary();
    expect(summary.arr_trend_30d).toBe(2500);
    expect(summary.arr_trend_30d_percent).toBeNull();
    expect(summary.arr_trend_90d_percent).toBe(25);
  });
});
