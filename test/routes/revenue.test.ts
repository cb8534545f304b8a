import { SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { SEGMENTS, type Segment } from "../../src/domain/types";
import type { RevenueMovements } from "../../src/contract/revenue";
import { resetDatabase } from "../helpers/db";
import { addDays, insertAccount, insertMetrics } from "../helpers/factories";

/**
 * GET /portfolio/revenue on a hand-built book. The expected figures are computed here, independently of the SQL:
 * each account's ARR at a date is its latest reported ARR at or before it, and the movements follow the definitions.
 */

const D = "2026-10-31";

interface BookAccount {
  name: string;
  segment: Segment;
  /** [date, arr] rows. */
  rows: [string, number][];
}

const BOOK: BookAccount[] = [
  { name: "Steady", segment: "Enterprise", rows: [["2026-07-01", 100_000], [D, 100_000]] },
  { name: "Grower", segment: "Enterprise", rows: [["2026-07-15", 200_000], ["2026-09-01", 260_000], [D, 250_000]] },
  // Its start row is exactly on D − 90 days; its data ends before D.
  { name: "Shrinker", segment: "Mid-Market", rows: [["2026-08-02", 80_000], ["2026-10-20", 60_000]] },
  { name: "Churner", segment: "SMB", rows: [["2026-06-01", 30_000], ["2026-09-15", 0], [D, 0]] },
  { name: "Newcomer", segment: "SMB", rows: [["2026-09-01", 50_000], [D, 52_500.5]] },
  // Goes to 0 inside the window and comes back: above 0 at both ends, so it expanded.
  { name: "Boomerang", segment: "Mid-Market", rows: [["2026-07-01", 40_000], ["2026-08-20", 0], [D, 45_000]] },
  // Went to 0 before the window and came back inside it: new ARR again.
  { name: "Returner", segment: "SMB", rows: [["2026-05-01", 20_000], ["2026-07-20", 0], ["2026-10-01", 25_000]] },
  { name: "Dormant", segment: "Enterprise", rows: [["2026-07-01", 0], [D, 0]] },
  // First reported the day after the 90-day window starts.
  { name: "EdgeNew", segment: "Mid-Market", rows: [["2026-08-03", 12_000]] },
  // Stopped reporting long ago: keeps its last ARR at both ends.
  { name: "Stale", segment: "SMB", rows: [["2026-03-01", 15_000]] },
  // Twelve small expanders, more than a movement lists.
  ...Array.from({ length: 12 }, (_, index): BookAccount => ({
    name: `Tiny ${String(index + 1).padStart(2, "0")}`,
    segment: "SMB",
    rows: [["2026-01-01", 1_000], ["2026-10-30", 1_000 + (index + 1) * 100]],
  })),
  // Contracted to 1 cent above 0: a contraction, not a churn.
  { name: "Penny", segment: "Enterprise", rows: [["2026-01-01", 5_000], [D, 0.01]] },
];

async function seedBook(book: readonly BookAccount[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const account of book) {
    const latest = account.rows.map(([date]) => date).sort().at(-1) ?? null;
    const id = await insertAccount({
      name: account.name,
      segment: account.segment,
      arr: account.rows.find(([date]) => date === latest)?.[1] ?? 0,
      latestMetricDate: latest,
    });
    await insertMetrics(id, account.rows.map(([date, arr]) => ({ date, arr })));
    ids.set(account.name, id);
  }
  return ids;
}

function arrAt(account: BookAccount, date: string): number | null {
  const rows = account.rows.filter(([day]) => day <= date).sort(([a], [b]) => a.localeCompare(b));
  return rows.at(-1)?.[1] ?? null;
}

type Movement = "new_arr" | "expansion" | "contraction" | "churned_arr" | "unchanged" | "inactive";

function movementOf(start: number, end: number): Movement {
  if (start <= 0) return end > 0 ? "new_arr" : "inactive";
  if (end <= 0) return "churned_arr";
  return end > start ? "expansion" : end < start ? "contraction" : "unchanged";
}

const round = (value: number, decimals: number) => Number(value.toFixed(decimals));

/** The figures the definitions give for `accounts` over the window [from, to]. */
function expectedFigures(accounts: readonly BookAccount[], from: string, to: string) {
  let starting = 0;
  let newArr = 0;
  let expansion = 0;
  let contraction = 0;
  let churned = 0;
  let ending = 0;
  const counts = { starting: 0, new: 0, expanded: 0, contracted: 0, churned: 0, unchanged: 0, ending: 0 };
  for (const account of accounts) {
    const start = arrAt(account, from) ?? 0;
    const end = arrAt(account, to) ?? 0;
    if (start > 0) {
      starting += start;
      counts.starting++;
    }
    if (end > 0) {
      ending += end;
      counts.ending++;
    }
    const movement = movementOf(start, end);
    if (movement === "new_arr") {
      newArr += end;
      counts.new++;
    } else if (movement === "expansion") {
      expansion += end - start;
      counts.expanded++;
    } else if (movement === "contraction") {
      contraction += start - end;
      counts.contracted++;
    } else if (movement === "churned_arr") {
      churned += start;
      counts.churned++;
    } else if (movement === "unchanged") {
      counts.unchanged++;
    }
  }
  return {
    starting_arr: round(starting, 2),
    new_arr: round(newArr, 2),
    expansion: round(expansion, 2),
    contraction: round(contraction, 2),
    churned_arr: round(churned, 2),
    ending_arr: round(ending, 2),
    nrr: starting > 0 ? round((starting + expansion - contraction - churned) / starting, 4) : null,
    grr: starting > 0 ? round((starting - contraction - churned) / starting, 4) : null,
    account_counts: counts,
  };
}

function expectedMovers(accounts: readonly BookAccount[], ids: Map<string, number>, from: string, to: string, movement: Movement) {
  return accounts
    .map((account) => ({ account, start: arrAt(account, from) ?? 0, end: arrAt(account, to) ?? 0 }))
    .filter(({ start, end }) => movementOf(start, end) === movement)
    .map(({ account, start, end }) => ({
      id: ids.get(account.name),
      account_name: account.name,
      segment: account.segment,
      starting_arr: start,
      ending_arr: end,
      amount: round(Math.abs(end - start), 2),
    }))
    .sort((a, b) => b.amount - a.amount || (a.id ?? 0) - (b.id ?? 0))
    .slice(0, 10);
}

async function getRevenue(query = ""): Promise<RevenueMovements> {
  const response = await SELF.fetch(`http://example.com/portfolio/revenue${query}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json<RevenueMovements>();
}

describe("GET /portfolio/revenue", () => {
  beforeEach(resetDatabase);

  it("answers zeros and null ratios on an empty book", async () => {
    const zeroCounts = { starting: 0, new: 0, expanded: 0, contracted: 0, churned: 0, unchanged: 0, ending: 0 };
    const zero = {
      starting_arr: 0,
      new_arr: 0,
      expansion: 0,
      contraction: 0,
      churned_arr: 0,
      ending_arr: 0,
      nrr: null,
      grr: null,
      account_counts: zeroCounts,
    };
    // An account without metrics is no revenue yet.
    await insertAccount({ name: "No metrics", arr: 50_000, latestMetricDate: null });
    expect(await getRevenue()).toEqual({
      days: 90,
      as_of: null,
      from_date: null,
      ...zero,
      by_segment: SEGMENTS.map((segment) => ({ segment, ...zero })),
      top_accounts: { new_arr: [], expansion: [], contraction: [], churned_arr: [] },
    });
  });

  it("counts every account of a single-date book as new ARR, with null retention", async () => {
    const book: BookAccount[] = [
      { name: "A", segment: "Enterprise", rows: [[D, 300_000]] },
      { name: "B", segment: "SMB", rows: [[D, 20_000]] },
      { name: "C", segment: "SMB", rows: [[D, 0]] },
    ];
    await seedBook(book);
    const revenue = await getRevenue();
    expect(revenue).toMatchObject({
      as_of: D,
      from_date: addDays(D, -90),
      starting_arr: 0,
      new_arr: 320_000,
      ending_arr: 320_000,
      nrr: null,
      grr: null,
    });
    expect(revenue.top_accounts.new_arr.map((mover) => mover.account_name)).toEqual(["A", "B"]);
    expect(revenue.by_segment.find((group) => group.segment === "Mid-Market")).toMatchObject({ ending_arr: 0, nrr: null });
  });

  it.each([30, 90, 180, 365])("matches the independently computed figures over %i days", async (days) => {
    const ids = await seedBook(BOOK);
    const from = addDays(D, -days);
    const revenue = await getRevenue(`?days=${days}`);
    expect(revenue.days).toBe(days);
    expect(revenue.as_of).toBe(D);
    expect(revenue.from_date).toBe(from);
    const { by_segment: bySegment, top_accounts: movers, days: _days, as_of: _asOf, from_date: _from, ...totals } = revenue;
    expect(totals).toEqual(expectedFigures(BOOK, from, D));
    expect(bySegment).toEqual(
      SEGMENTS.map((segment) => ({
        segment,
        ...expectedFigures(
          BOOK.filter((account) => account.segment === segment),
          from,
          D,
        ),
      })),
    );
    for (const movement of ["new_arr", "expansion", "contraction", "churned_arr"] as const) {
      expect(movers[movement], movement).toEqual(expectedMovers(BOOK, ids, from, D, movement));
    }
  });

  it("gives the hand-checked 90-day figures: expansion, contraction, churn, new ARR, NRR, GRR", async () => {
    await seedBook(BOOK);
    const revenue = await getRevenue();
    // Start (2026-08-02): Steady 100k, Grower 200k, Shrinker 80k, Churner 30k, Boomerang 40k, Stale 15k,
    // 12 Tiny × 1k, Penny 5k = 482,000.
    expect(revenue.starting_arr).toBe(482_000);
    // Grower +50k, Boomerang +5k, the Tiny ones +100 … +1,200 (7,800).
    expect(revenue.expansion).toBe(62_800);
    // Shrinker −20k, Penny −4,999.99.
    expect(revenue.contraction).toBe(24_999.99);
    expect(revenue.churned_arr).toBe(30_000);
    // Newcomer 52,500.50, Returner 25k, EdgeNew 12k.
    expect(revenue.new_arr).toBe(89_500.5);
    expect(revenue.ending_arr).toBe(482_000 + 89_500.5 + 62_800 - 24_999.99 - 30_000);
    expect(revenue.nrr).toBe(round((482_000 + 62_800 - 24_999.99 - 30_000) / 482_000, 4));
    expect(revenue.grr).toBe(round((482_000 - 24_999.99 - 30_000) / 482_000, 4));
    expect(revenue.top_accounts.expansion).toHaveLength(10);
    expect(revenue.top_accounts.expansion.slice(0, 3).map((mover) => [mover.account_name, mover.amount])).toEqual([
      ["Grower", 50_000],
      ["Boomerang", 5_000],
      ["Tiny 12", 1_200],
    ]);
    expect(revenue.top_accounts.churned_arr).toEqual([
      expect.objectContaining({ account_name: "Churner", starting_arr: 30_000, ending_arr: 0, amount: 30_000 }),
    ]);
    const smb = revenue.by_segment.find((group) => group.segment === "SMB");
    // SMB start: Churner 30k, Stale 15k, Tiny 12k; expansion 7,800; churn 30k; no contraction.
    expect(smb).toMatchObject({ starting_arr: 57_000, expansion: 7_800, contraction: 0, churned_arr: 30_000 });
    expect(smb?.nrr).toBe(round((57_000 + 7_800 - 30_000) / 57_000, 4));
  });

  it.each(["45", "0", "abc", "-90", "90.5", "366"])("refuses days=%s with a 400 problem naming it", async (days) => {
    const response = await SELF.fetch(`http://example.com/portfolio/revenue?days=${days}`);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    const problem = await response.json<{ errors: { field: string; message: string }[] }>();
    expect(problem.errors).toEqual([{ field: "days", message: `Expected one of 30, 90, 180, 365 (days), not '${days}'` }]);
  });

  it("takes an empty days as the default", async () => {
    expect((await getRevenue("?days=")).days).toBe(90);
  });
});
