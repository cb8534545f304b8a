import { describe, expect, it } from "vitest";
import { componentsChange, computeTrend, engagementTrend, type TrendPoint } from "../../src/domain/reference/trend";
import type { HealthComponents } from "../../src/domain/types";

const components: HealthComponents = {
  daily_active_users: 10,
  feature_adoption: 10,
  support_tickets: 10,
  nps: 5,
  login_frequency: 10,
};

function point(date: string, overrides: Partial<TrendPoint> = {}): TrendPoint {
  return { date, score: 45, components, arr: 100_000, daily_active_users: 50, ...overrides };
}

describe("engagementTrend", () => {
  it.each([
    [100, 111, "improving"], // +11 %
    [100, 110, "stable"], // exactly +10 % is not above it
    [100, 90, "stable"], // exactly −10 %
    [100, 89, "declining"], // −11 %
    [0, 5, "improving"], // from nobody to somebody
    [0, 0, "stable"],
    [40, 0, "declining"],
  ] as const)("earlier mean %d, later mean %d: %s", (earlier, later, expected) => {
    expect(engagementTrend(earlier, later)).toBe(expected);
  });
});

describe("componentsChange", () => {
  it("subtracts component points to 2 decimals: 12.34 − 10.1 = 2.24, 3 − 4.5 = −1.5", () => {
    const change = componentsChange(
      { ...components, daily_active_users: 12.34, support_tickets: 3 },
      { ...components, daily_active_users: 10.1, support_tickets: 4.5 },
    );
    expect(change).toEqual({
      daily_active_users: 2.24,
      feature_adoption: 0,
      support_tickets: -1.5,
      nps: 0,
      login_frequency: 0,
    });
  });

  it("answers a null NPS change when either side has no NPS component", () => {
    expect(componentsChange({ ...components, nps: null }, components).nps).toBeNull();
    expect(componentsChange(components, { ...components, nps: null }).nps).toBeNull();
  });
});

describe("computeTrend", () => {
  it("is null for an empty history, a single date, and a window holding one date", () => {
    expect(computeTrend([], 30)).toBeNull();
    expect(computeTrend([point("2023-05-01")], 30)).toBeNull();
    // 2023-03-01 is 61 days before 2023-05-01: outside the 30- and 60-day windows, inside the 90-day one.
    const sparse = [point("2023-03-01"), point("2023-05-01")];
    expect(computeTrend(sparse, 30)).toBeNull();
    expect(computeTrend(sparse, 60)).toBeNull();
    expect(computeTrend(sparse, 90)).not.toBeNull();
  });

  it("is anchored at the latest date, not today: 2023 data still has a trend", () => {
    const trend = computeTrend([point("2023-01-01", { score: 50 }), point("2023-01-21", { score: 61.3 })], 30);
    expect(trend).toMatchObject({ days: 30, to_date: "2023-01-21", health_score_change: 11.3 });
  });

  it("measures from the latest date at or before L − days: L = 06-30, L − 30 = 05-31, so from 05-31 (not 05-20 or 06-01)", () => {
    const trend = computeTrend(
      [
        point("2023-05-20", { score: 10, arr: 1 }),
        point("2023-05-31", { score: 40.2, arr: 120_000.4 }),
        point("2023-06-01", { score: 90, arr: 5 }),
        point("2023-06-30", { score: 52.5, arr: 150_000.15 }),
      ],
      30,
    );
    // 52.5 − 40.2 = 12.3; 150,000.15 − 120,000.4 = 29,999.75.
    expect(trend).toMatchObject({ from_date: "2023-05-31", health_score_change: 12.3, arr_change: 29_999.75 });
  });

  it("falls back to the window's earliest date when nothing lies at or before L − days", () => {
    const trend = computeTrend(
      [point("2023-06-10", { score: 70, arr: 200_000 }), point("2023-06-30", { score: 64.9, arr: 180_000 })],
      90,
    );
    // 64.9 − 70 = −5.1; 180,000 − 200,000 = −20,000.
    expect(trend).toMatchObject({ from_date: "2023-06-10", health_score_change: -5.1, arr_change: -20_000 });
  });

  it("reports the component changes behind the score change", () => {
    const trend = computeTrend(
      [
        point("2023-06-01", { components: { ...components, daily_active_users: 20, nps: null } }),
        point("2023-06-30", { components: { ...components, daily_active_users: 12.5, nps: 7 } }),
      ],
      30,
    );
    expect(trend?.health_components_change).toEqual({
      daily_active_users: -7.5,
      feature_adoption: 0,
      support_tickets: 0,
      nps: null,
      login_frequency: 0,
    });
  });

  it("splits engagement at the midpoint of the data in the window; a date exactly at the midpoint counts in neither half", () => {
    // Window data 06-01..06-21, midpoint 06-11. Earlier: 06-01, 06-05 (mean 100); later: 06-15, 06-21 (mean 120).
    const history = [
      point("2023-05-01", { daily_active_users: 0 }), // before the 30-day window: ignored
      point("2023-06-01", { daily_active_users: 90 }),
      point("2023-06-05", { daily_active_users: 110 }),
      point("2023-06-11", { daily_active_users: 10_000 }),
      point("2023-06-15", { daily_active_users: 115 }),
      point("2023-06-21", { daily_active_users: 125 }),
    ];
    // L − 30 = 05-22: the change is measured from 05-01, but engagement only reads the window.
    expect(computeTrend(history, 30)).toMatchObject({ from_date: "2023-05-01", engagement_trend: "improving" });
    // Without the midpoint spike, the same halves: +20 %. With the later half at 105 instead: +5 %, stable.
    const flatter = history.map((entry) =>
      entry.date >= "2023-06-15" ? { ...entry, daily_active_users: 105 } : entry,
    );
    expect(computeTrend(flatter, 30)?.engagement_trend).toBe("stable");
  });

  it("declines when the later half's mean DAU falls more than 10 %", () => {
    const trend = computeTrend(
      [
        point("2023-06-01", { daily_active_users: 200 }),
        point("2023-06-02", { daily_active_users: 200 }),
        point("2023-06-29", { daily_active_users: 150 }),
        point("2023-06-30", { daily_active_users: 170 }),
      ],
      30,
    );
    // Earlier mean 200, later mean 160: −20 %.
    expect(trend?.engagement_trend).toBe("declining");
  });

  it("is stable when a dormant account stays at zero users", () => {
    const trend = computeTrend(
      [point("2023-06-01", { daily_active_users: 0 }), point("2023-06-30", { daily_active_users: 0 })],
      30,
    );
    expect(trend?.engagement_trend).toBe("stable");
  });
});
