import { SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import type { Problem } from "../../src/contract/problems";
import type { AccountList } from "../../src/contract/account-list";
import type { AccountDetail } from "../../src/contract/accounts";
import { resetDatabase } from "../helpers/db";
import {
  addDays,
  bucketOfScore,
  components,
  consecutiveDates,
  insertAccount,
  insertAccounts,
  insertHealthScores,
  insertMetrics,
  trend,
  type AccountSeed,
} from "../helpers/factories";

const ORIGINAL_ACCOUNT_FIELDS = [
  "id",
  "account_name",
  "segment",
  "region",
  "arr",
  "health_score",
  "health_bucket",
  "created_at",
  "updated_at",
  "latest_metrics",
  "trend_30d",
  "trend_60d",
  "trend_90d",
];

const LATEST = "2024-10-03";

/** Varied on purpose: score edges (40, 70), ties on score, ARR and 30-day change, `%` and `_` in names, unscored. */
const SEEDS: AccountSeed[] = [
  {
    name: "Acme Corp",
    segment: "Enterprise",
    region: "North America",
    arr: 500_000,
    healthScore: 82.5,
    latestMetricDate: LATEST,
    trend30d: trend(30, LATEST, { health_score_change: 4.2 }),
  },
  {
    name: "acme labs",
    segment: "SMB",
    region: "EMEA",
    arr: 40_000,
    healthScore: 55,
    latestMetricDate: LATEST,
    trend30d: trend(30, LATEST, { health_score_change: -3.1 }),
  },
  {
    name: "Beta 100% Cloud",
    segment: "Mid-Market",
    region: "EMEA",
    arr: 120_000,
    healthScore: 35.2,
    latestMetricDate: LATEST,
    trend30d: trend(30, LATEST, { health_score_change: -12 }),
  },
  { name: "Beta_Data", segment: "Mid-Market", region: "APAC", arr: 120_000, healthScore: 70, latestMetricDate: LATEST },
  {
    name: "Gamma GmbH",
    segment: "Enterprise",
    region: "APAC",
    arr: 900_000,
    healthScore: 40,
    latestMetricDate: "2024-09-30",
    trend30d: trend(30, "2024-09-30", { health_score_change: 0 }),
  },
  { name: "Delta Unscored", segment: "SMB", region: "North America", arr: 10_000 },
  {
    name: "Betamax",
    segment: "SMB",
    region: "APAC",
    arr: 15_000,
    healthScore: 55,
    latestMetricDate: LATEST,
    trend30d: trend(30, LATEST, { health_score_change: -3.1 }),
  },
];

interface Seeded extends AccountSeed {
  id: number;
}

async function seedAccounts(): Promise<Seeded[]> {
  const ids = await insertAccounts(SEEDS);
  return SEEDS.map((seed, index) => ({ ...seed, id: ids[index]! }));
}

async function getList(query: string): Promise<AccountList> {
  const response = await SELF.fetch(`http://example.com/accounts${query}`);
  expect(response.status, `GET /accounts${query}`).toBe(200);
  return response.json<AccountList>();
}

async function namesFor(query: string): Promise<string[]> {
  return (await getList(query)).accounts.map((account) => account.account_name).sort();
}

function namesWhere(seeded: readonly Seeded[], keep: (seed: Seeded) => boolean): string[] {
  return seeded
    .filter(keep)
    .map((seed) => seed.name)
    .sort();
}

async function expectProblem(path: string, status: number, field: string): Promise<Problem> {
  const response = await SELF.fetch(`http://example.com${path}`);
  expect(response.status, path).toBe(status);
  expect(response.headers.get("content-type")).toContain("application/problem+json");
  const problem = await response.json<Problem>();
  expect(problem.status).toBe(status);
  expect(problem.detail, path).toContain(`'${field}'`);
  expect(problem.errors?.map((error) => error.field), path).toContain(field);
  return problem;
}

describe("GET /accounts", () => {
  let seeded: Seeded[];
  beforeEach(async () => {
    await resetDatabase();
    seeded = await seedAccounts();
  });

  it("answers the original's envelope, ordered by name case-insensitively by default", async () => {
    const list = await getList("");
    expect(list.total).toBe(SEEDS.length);
    expect(list.page).toBe(1);
    expect(list.page_size).toBe(50);
    const expected = [...seeded]
      .sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : a.id - b.id))
      .map((seed) => seed.name);
    expect(list.accounts.map((account) => account.account_name)).toEqual(expected);
  });

  it("keeps every field of the original Account and adds ours beside them", async () => {
    const list = await getList("");
    for (const account of list.accounts) {
      expect(Object.keys(account)).toEqual(expect.arrayContaining([...ORIGINAL_ACCOUNT_FIELDS, "health_components", "latest_metric_date"]));
    }
    const acme = list.accounts.find((account) => account.account_name === "Acme Corp")!;
    expect(acme).toMatchObject({ segment: "Enterprise", region: "North America", arr: 500_000, health_score: 82.5, health_bucket: "Healthy" });
    expect(acme.trend_30d).toEqual(SEEDS[0]!.trend30d);
    expect(acme.trend_60d).toBeNull();
    expect(acme.health_components).toEqual(components());
    expect(Date.parse(acme.created_at)).not.toBeNaN();
    const unscored = list.accounts.find((account) => account.account_name === "Delta Unscored")!;
    expect(unscored).toMatchObject({ health_score: null, health_bucket: null, health_components: null, latest_metrics: null, trend_30d: null });
  });

  it("pages through every account once, and a page beyond the end is empty with the right total", async () => {
    const all = (await getList("?page_size=100")).accounts.map((account) => account.id);
    const pages = [];
    for (const page of [1, 2, 3]) {
      const list = await getList(`?page=${page}&page_size=3`);
      expect(list).toMatchObject({ total: SEEDS.length, page, page_size: 3 });
      pages.push(...list.accounts.map((account) => account.id));
    }
    expect(pages).toEqual(all);
    const beyond = await getList("?page=4&page_size=3");
    expect(beyond).toEqual({ total: SEEDS.length, page: 4, page_size: 3, accounts: [] });
  });

  it("filters by segment in any spelling", async () => {
    const spellings: Record<string, string[]> = {
      Enterprise: ["Enterprise", "enterprise", "ENTERPRISE"],
      "Mid-Market": ["Mid-Market", "mid-market", "mid_market", "Mid%20Market"],
      SMB: ["smb"],
    };
    for (const [segment, variants] of Object.entries(spellings)) {
      for (const spelling of variants) {
        expect(await namesFor(`?segment=${spelling}`), spelling).toEqual(namesWhere(seeded, (seed) => seed.segment === segment));
      }
    }
  });

  it("filters by region, exact name and case-insensitive", async () => {
    const emea = namesWhere(seeded, (seed) => seed.region === "EMEA");
    expect(emea).toHaveLength(2);
    expect(await namesFor("?region=EMEA")).toEqual(emea);
    expect(await namesFor("?region=emea")).toEqual(emea);
    expect(await namesFor("?region=North%20America")).toEqual(namesWhere(seeded, (seed) => seed.region === "North America"));
    expect(await namesFor("?region=EM")).toEqual([]);
  });

  it("filters by bucket in every accepted spelling; unscored accounts match none", async () => {
    const spellings: Record<string, string[]> = {
      Healthy: ["Healthy", "healthy"],
      "At-Risk": ["At-Risk", "at-risk", "at_risk", "AT_RISK", "at%20risk"],
      Critical: ["Critical", "CRITICAL"],
    };
    for (const [bucket, variants] of Object.entries(spellings)) {
      const expected = namesWhere(seeded, (seed) => seed.healthScore != null && bucketOfScore(seed.healthScore) === bucket);
      expect(expected.length, bucket).toBeGreaterThan(0);
      for (const spelling of variants) expect(await namesFor(`?bucket=${spelling}`), spelling).toEqual(expected);
    }
  });

  it("searches names case-insensitively and takes % and _ literally", async () => {
    expect(await namesFor("?search=acme")).toEqual(["Acme Corp", "acme labs"]);
    expect(await namesFor("?search=ACME")).toEqual(["Acme Corp", "acme labs"]);
    expect(await namesFor("?search=%25")).toEqual(["Beta 100% Cloud"]);
    expect(await namesFor("?search=100%25%20c")).toEqual(["Beta 100% Cloud"]);
    expect(await namesFor("?search=_")).toEqual(["Beta_Data"]);
    expect(await namesFor("?search=beta")).toEqual(["Beta 100% Cloud", "Beta_Data", "Betamax"]);
    expect(await namesFor("?search=nothing-like-it")).toEqual([]);
  });

  it("filters by min_health and max_health inclusively, leaving unscored accounts out", async () => {
    const scored = (keep: (score: number) => boolean) => namesWhere(seeded, (seed) => seed.healthScore != null && keep(seed.healthScore));
    expect(await namesFor("?min_health=55")).toEqual(scored((score) => score >= 55));
    expect(await namesFor("?max_health=40")).toEqual(scored((score) => score <= 40));
    expect(await namesFor("?min_health=40&max_health=70")).toEqual(scored((score) => score >= 40 && score <= 70));
    expect(await namesFor("?min_health=35.2&max_health=35.2")).toEqual(["Beta 100% Cloud"]);
    expect(await namesFor("?min_health=0")).not.toContain("Delta Unscored");
  });

  it("combines filters with AND, and treats empty filter values as absent", async () => {
    expect(await namesFor("?segment=smb&bucket=at_risk&region=apac")).toEqual(["Betamax"]);
    expect(await namesFor("?segment=&bucket=&region=&search=")).toEqual(namesWhere(seeded, () => true));
    const list = await getList("?segment=mid-market&page_size=1");
    expect(list.total).toBe(2);
    expect(list.accounts).toHaveLength(1);
  });

  const SORT_VALUES: Record<string, (seed: Seeded) => number | string | null> = {
    account_name: (seed) => seed.name.toLowerCase(),
    health_score: (seed) => seed.healthScore ?? null,
    arr: (seed) => seed.arr ?? null,
    health_change_30d: (seed) => seed.trend30d?.health_score_change ?? null,
  };

  for (const [sort, valueOf] of Object.entries(SORT_VALUES)) {
    for (const order of ["asc", "desc"] as const) {
      it(`sorts by ${sort} ${order}, nulls last, ties by id`, async () => {
        const expected = [...seeded]
          .sort((a, b) => {
            const [x, y] = [valueOf(a), valueOf(b)];
            if (x === null || y === null) return x === y ? a.id - b.id : x === null ? 1 : -1;
            const compared = x < y ? -1 : x > y ? 1 : 0;
            return (order === "asc" ? compared : -compared) || a.id - b.id;
          })
          .map((seed) => seed.id);
        const list = await getList(`?sort=${sort}&order=${order}`);
        expect(list.accounts.map((account) => account.id)).toEqual(expected);
      });
    }
  }

  it("accepts sort and order in any case", async () => {
    const lower = await getList("?sort=arr&order=desc");
    const upper = await getList("?sort=ARR&order=DESC");
    expect(upper.accounts.map((account) => account.id)).toEqual(lower.accounts.map((account) => account.id));
  });

  it("joins the latest metrics row and that date's score", async () => {
    const acme = seeded[0]!;
    const dates = consecutiveDates("2024-10-01", 3);
    await insertMetrics(
      acme.id,
      dates.map((date, day) => ({ date, dailyActiveUsers: 150 + day, npsScore: day === 2 ? null : 40, arr: 490_000 + day * 5000 })),
    );
    await insertHealthScores(acme.id, [
      { date: dates[0]!, score: 80 },
      { date: dates[1]!, score: 81 },
      { date: dates[2]!, score: 82.5 },
    ]);
    // Metrics without a score yet (awaiting the recompute) are still shown, with a null score.
    const betaData = seeded[3]!;
    await insertMetrics(betaData.id, [{ date: LATEST, dailyActiveUsers: 12 }]);

    const list = await getList("?page_size=100");
    const shown = list.accounts.find((account) => account.id === acme.id)!;
    expect(shown.latest_metrics).toMatchObject({
      account_id: acme.id,
      date: LATEST,
      daily_active_users: 152,
      feature_adoption_rate: 0.6,
      support_tickets_open: 2,
      nps_score: null,
      login_frequency: 0.7,
      health_score: 82.5,
    });
    expect(Number.isInteger(shown.latest_metrics!.id)).toBe(true);
    const unscoredMetrics = list.accounts.find((account) => account.id === betaData.id)!;
    expect(unscoredMetrics.latest_metrics).toMatchObject({ date: LATEST, daily_active_users: 12, health_score: null });
    expect(unscoredMetrics.latest_metrics!.id).not.toBe(shown.latest_metrics!.id);
  });

  it("answers 400 naming the parameter for every bad value", async () => {
    const cases: [string, string][] = [
      ["?bucket=Unhealthy", "bucket"],
      ["?segment=Startup", "segment"],
      ["?sort=popularity", "sort"],
      ["?order=sideways", "order"],
      ["?page_size=0", "page_size"],
      ["?page_size=101", "page_size"],
      ["?page_size=ten", "page_size"],
      ["?page=0", "page"],
      ["?page=-1", "page"],
      ["?page=1.5", "page"],
      ["?min_health=101", "min_health"],
      ["?max_health=-1", "max_health"],
      ["?min_health=high", "min_health"],
      ["?min_health=80&max_health=20", "min_health"],
    ];
    for (const [query, field] of cases) {
      await expectProblem(`/accounts${query}`, 400, field);
    }
  });

  it("says what a bucket may be when it refuses one", async () => {
    const problem = await expectProblem("/accounts?bucket=Unhealthy", 400, "bucket");
    expect(problem.detail).toContain("Healthy, At-Risk, Critical");
    expect(problem.detail).toContain("Unhealthy");
  });
});

describe("GET /accounts/{id}", () => {
  beforeEach(resetDatabase);

  async function seedWithHistory() {
    // 100 days of data ending at LATEST; the detail shows LATEST - 90 days to LATEST.
    const dates = consecutiveDates(addDays(LATEST, -99), 100);
    const trend30 = trend(30, LATEST, { health_score_change: -6.4, arr_change: 12_500, engagement_trend: "declining" });
    const trend90 = trend(90, LATEST, { health_score_change: 3, arr_change: 40_000, engagement_trend: "improving" });
    const id = await insertAccount({
      name: "Acme Corp",
      segment: "Enterprise",
      region: "North America",
      arr: 599_000,
      healthScore: 49.5,
      latestMetricDate: LATEST,
      healthComponents: components({ nps: null, daily_active_users: 10 }),
      trend30d: trend30,
      trend60d: null,
      trend90d: trend90,
    });
    await insertMetrics(
      id,
      dates.map((date, day) => ({ date, dailyActiveUsers: 100 + day, arr: 500_000 + day * 1000, npsScore: day % 2 ? null : 20 })),
    );
    // The latest date is not scored yet: it shows in the metrics history only.
    await insertHealthScores(
      id,
      dates.slice(0, -1).map((date, day) => ({ date, score: 40 + day / 10, components: components({ daily_active_users: day / 10 }) })),
    );
    // Another account's rows must not leak into this one's history.
    const other = await insertAccount({ name: "Other", healthScore: 90, latestMetricDate: LATEST });
    await insertMetrics(other, [{ date: LATEST, dailyActiveUsers: 999 }]);
    await insertHealthScores(other, [{ date: LATEST, score: 90 }]);
    return { id, dates, trend30, trend90 };
  }

  it("answers the account with latest metrics, trends, components and 90 days of history", async () => {
    const { id, dates, trend30, trend90 } = await seedWithHistory();
    const response = await SELF.fetch(`http://example.com/accounts/${id}`);
    expect(response.status).toBe(200);
    const account = await response.json<AccountDetail>();

    expect(Object.keys(account)).toEqual(expect.arrayContaining([...ORIGINAL_ACCOUNT_FIELDS, "health_components", "health_history", "metrics_history"]));
    expect(account).toMatchObject({ id, account_name: "Acme Corp", health_score: 49.5, health_bucket: "At-Risk", latest_metric_date: LATEST });
    expect(account.health_components).toEqual(components({ nps: null, daily_active_users: 10 }));
    expect(account.trend_30d).toEqual(trend30);
    expect(account.trend_60d).toBeNull();
    expect(account.trend_90d).toEqual(trend90);
    expect(account.latest_metrics).toMatchObject({ account_id: id, date: LATEST, daily_active_users: 199, health_score: null });

    const windowStart = addDays(LATEST, -90);
    const windowDates = dates.filter((date) => date >= windowStart);
    expect(windowDates).toHaveLength(91);
    expect(account.metrics_history.map((entry) => entry.date)).toEqual(windowDates);
    expect(account.metrics_history.at(-1)).toEqual({
      date: LATEST,
      daily_active_users: 199,
      feature_adoption_rate: 0.6,
      support_tickets_open: 2,
      nps_score: null,
      login_frequency: 0.7,
      arr: 599_000,
    });
    expect(account.health_history.map((entry) => entry.date)).toEqual(windowDates.slice(0, -1));
    const first = account.health_history[0]!;
    const firstDay = dates.indexOf(windowStart);
    expect(first.health_score).toBeCloseTo(40 + firstDay / 10, 6);
    expect(first.health_components).toEqual(components({ daily_active_users: firstDay / 10 }));
    expect(first).toMatchObject({ health_bucket: "At-Risk", nps_source: "window" });
  });

  it("answers an account without metrics with empty histories", async () => {
    const id = await insertAccount({ name: "Fresh" });
    const response = await SELF.fetch(`http://example.com/accounts/${id}`);
    expect(response.status).toBe(200);
    const account = await response.json<AccountDetail>();
    expect(account).toMatchObject({ latest_metrics: null, health_score: null, trend_30d: null, health_history: [], metrics_history: [] });
  });

  it("answers 404 problem+json for an unknown id", async () => {
    const id = await insertAccount({ name: "Only" });
    const response = await SELF.fetch(`http://example.com/accounts/${id + 1000}`);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    expect((await response.json<Problem>()).detail).toContain(String(id + 1000));
  });

  it("answers 400 naming the id for a non-numeric, fractional, zero or negative id", async () => {
    for (const id of ["abc", "1.5", "0", "-1", "1e3"]) {
      await expectProblem(`/accounts/${id}`, 400, "id");
    }
  });
});
