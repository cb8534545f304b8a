import { SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import type { PortfolioSummary } from "../../src/contract/portfolio";
import type { RenewalList } from "../../src/contract/renewals";
import { todayUtc } from "../../src/services/renewals";
import { resetDatabase } from "../helpers/db";
import { addDays, insertAccount, type AccountSeed } from "../helpers/factories";

/** GET /renewals and the summary's renewals_next_90_days on accounts seeded with renewal dates. */

const AS_OF = "2026-06-01";

async function getRenewals(query = ""): Promise<RenewalList> {
  const response = await SELF.fetch(`http://example.com/renewals${query}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json<RenewalList>();
}

const names = (list: RenewalList) => list.accounts.map((account) => account.account_name);

/** Renewals around AS_OF: on it, inside, on the 90th day, just outside on both sides, and none. */
const SEEDS: AccountSeed[] = [
  { name: "Due today", arr: 300_000, healthScore: 55, renewalDate: AS_OF, latestMetricDate: AS_OF, owner: "Dana Scully" },
  { name: "Due today, bigger", arr: 500_000, healthScore: 82, renewalDate: AS_OF, latestMetricDate: AS_OF },
  { name: "Unscored", arr: 20_000, healthScore: null, renewalDate: addDays(AS_OF, 10), latestMetricDate: AS_OF },
  { name: "Critical", arr: 50_000, healthScore: 30, renewalDate: addDays(AS_OF, 30), latestMetricDate: AS_OF },
  { name: "Last day", arr: 100_000, healthScore: 80, renewalDate: addDays(AS_OF, 90), latestMetricDate: AS_OF },
  { name: "Day after", arr: 70_000, healthScore: 45, renewalDate: addDays(AS_OF, 91), latestMetricDate: AS_OF },
  { name: "Yesterday", arr: 90_000, healthScore: 45, renewalDate: addDays(AS_OF, -1), latestMetricDate: AS_OF },
  { name: "No date", arr: 80_000, healthScore: 45, latestMetricDate: AS_OF },
];

describe("GET /renewals", () => {
  beforeEach(resetDatabase);

  it("lists the renewals from as_of to as_of + 90 days, both included, by date then ARR", async () => {
    await Promise.all(SEEDS.map(insertAccount));
    const list = await getRenewals(`?as_of=${AS_OF}`);
    expect(list).toMatchObject({
      as_of: AS_OF,
      within_days: 90,
      through_date: "2026-08-30",
      accounts_renewing: 5,
      arr_renewing: 970_000,
      arr_renewing_by_bucket: { Healthy: 600_000, "At-Risk": 300_000, Critical: 50_000 },
      arr_at_risk: 350_000,
      total: 5,
      page: 1,
      page_size: 50,
    });
    expect(names(list)).toEqual(["Due today, bigger", "Due today", "Unscored", "Critical", "Last day"]);
    expect(list.accounts.map((account) => account.days_to_renewal)).toEqual([0, 0, 10, 30, 90]);
    expect(list.accounts[1]).toMatchObject({
      account_name: "Due today",
      renewal_date: AS_OF,
      arr: 300_000,
      health_score: 55,
      health_bucket: "At-Risk",
      owner: "Dana Scully",
    });
    expect(list.accounts[0]?.owner).toBeNull();
  });

  it("judges each account's risk factors, the near renewal of an account that is not Healthy among them", async () => {
    await Promise.all(SEEDS.map(insertAccount));
    const list = await getRenewals(`?as_of=${AS_OF}`);
    const factors = (name: string) => list.accounts.find((account) => account.account_name === name)?.risk_factors;
    expect(factors("Due today")).toContain("Renewal at risk");
    expect(factors("Critical")).toContain("Renewal at risk");
    expect(factors("Last day")).not.toContain("Renewal at risk");
  });

  it("narrows the window with within_days, keeping its last day", async () => {
    await Promise.all(SEEDS.map(insertAccount));
    expect(names(await getRenewals(`?as_of=${AS_OF}&within_days=30`))).toEqual([
      "Due today, bigger",
      "Due today",
      "Unscored",
      "Critical",
    ]);
    expect(names(await getRenewals(`?as_of=${AS_OF}&within_days=29`))).toEqual(["Due today, bigger", "Due today", "Unscored"]);
    const wide = await getRenewals(`?as_of=${AS_OF}&within_days=365`);
    expect(names(wide)).toContain("Day after");
    expect(names(wide)).not.toContain("Yesterday");
  });

  it("shows an as_of in the past with its own window, counting the days from it", async () => {
    await Promise.all(SEEDS.map(insertAccount));
    const past = await getRenewals(`?as_of=${addDays(AS_OF, -5)}&within_days=5`);
    expect(names(past)).toEqual(["Yesterday", "Due today, bigger", "Due today"]);
    expect(past.accounts.map((account) => account.days_to_renewal)).toEqual([4, 5, 5]);
    expect(past.through_date).toBe(AS_OF);
  });

  it("pages like GET /accounts, the totals covering every page", async () => {
    await Promise.all(SEEDS.map(insertAccount));
    const second = await getRenewals(`?as_of=${AS_OF}&page=2&page_size=2`);
    expect(names(second)).toEqual(["Unscored", "Critical"]);
    expect(second).toMatchObject({ total: 5, accounts_renewing: 5, arr_renewing: 970_000, page: 2, page_size: 2 });
    expect((await getRenewals(`?as_of=${AS_OF}&page=4&page_size=2`)).accounts).toEqual([]);
  });

  it("starts today (UTC) by default, leaving yesterday's renewals out", async () => {
    const today = todayUtc();
    await insertAccount({ name: "Today", healthScore: 50, renewalDate: today });
    await insertAccount({ name: "Yesterday", healthScore: 50, renewalDate: addDays(today, -1) });
    const list = await getRenewals();
    expect(list.as_of).toBe(today);
    expect(names(list)).toEqual(["Today"]);
  });

  it("answers zeros and an empty list on an empty book", async () => {
    expect(await getRenewals(`?as_of=${AS_OF}`)).toEqual({
      as_of: AS_OF,
      within_days: 90,
      through_date: "2026-08-30",
      accounts_renewing: 0,
      arr_renewing: 0,
      arr_renewing_by_bucket: { Healthy: 0, "At-Risk": 0, Critical: 0 },
      arr_at_risk: 0,
      total: 0,
      page: 1,
      page_size: 50,
      accounts: [],
    });
  });

  it.each([
    ["within_days=0", "within_days"],
    ["within_days=366", "within_days"],
    ["within_days=abc", "within_days"],
    ["as_of=2026-02-30", "as_of"],
    ["as_of=31/12/2026", "as_of"],
    ["as_of=2026-6-1", "as_of"],
    ["page=0", "page"],
    ["page_size=101", "page_size"],
  ])("refuses %s with a 400 problem naming %s", async (query, field) => {
    const response = await SELF.fetch(`http://example.com/renewals?${query}`);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    const problem = await response.json<{ errors: { field: string }[] }>();
    expect(problem.errors.map((error) => error.field)).toEqual([field]);
  });
});

describe("GET /portfolio/summary renewals_next_90_days", () => {
  beforeEach(resetDatabase);

  it("counts the renewals from today to today + 90 days and the ARR of those not Healthy", async () => {
    const today = todayUtc();
    await insertAccount({ name: "Today", arr: 10_000, healthScore: 50, renewalDate: today });
    await insertAccount({ name: "Day 45", arr: 7_000, healthScore: 90, renewalDate: addDays(today, 45) });
    await insertAccount({ name: "Day 90", arr: 5_000, healthScore: 20, renewalDate: addDays(today, 90) });
    await insertAccount({ name: "Day 91", arr: 3_000, healthScore: 20, renewalDate: addDays(today, 91) });
    await insertAccount({ name: "Yesterday", arr: 2_000, healthScore: 20, renewalDate: addDays(today, -1) });
    const response = await SELF.fetch("http://example.com/portfolio/summary");
    const summary = await response.json<PortfolioSummary>();
    expect(summary.renewals_next_90_days).toEqual({ accounts: 3, arr: 22_000, arr_at_risk: 15_000 });
  });
});
