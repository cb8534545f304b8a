import { describe, expect, it } from "vitest";
import { averageScore, percentChange, percentOf, summarisePortfolio, type PortfolioTotals } from "../../src/domain/portfolio";
import type { Segment } from "../../src/domain/types";

describe("portfolio figures (pure)", () => {
  const perBucket = (healthy: number, atRisk: number, critical: number) => ({ Healthy: healthy, "At-Risk": atRisk, Critical: critical });
  const emptyTotals: PortfolioTotals = {
    accounts: 0,
    arr: 0,
    scoredAccounts: 0,
    scoreSum: 0,
    accountsByBucket: perBucket(0, 0, 0),
    arrByBucket: perBucket(0, 0, 0),
    arrChange30d: 0,
    arrChange90d: 0,
    engagement: { improving: 0, stable: 0, declining: 0 },
    asOfDate: null,
  };

  it("relates an ARR change to the ARR before it", () => {
    expect(percentChange(110, 10)).toBe(10);
    expect(percentChange(90, -10)).toBe(-10);
    expect(percentChange(300, 100)).toBe(50);
    expect(percentChange(1000, 1)).toBe(0.1);
    expect(percentChange(0, 0)).toBe(0);
    expect(percentChange(500, 500)).toBeNull();
  });

  it("divides only by a non-empty whole", () => {
    expect(percentOf(1, 3)).toBe(33.3);
    expect(percentOf(2, 3)).toBe(66.7);
    expect(percentOf(0, 0)).toBe(0);
    expect(averageScore({ scoredAccounts: 0, scoreSum: 0 })).toBeNull();
    expect(averageScore({ scoredAccounts: 3, scoreSum: 200 })).toBe(66.7);
  });

  it("fills in every segment and bucket, and counts accounts without a trend as unknown", () => {
    const smb = { accounts: 4, arr: 1000, scoredAccounts: 3, scoreSum: 150 };
    const figures = summarisePortfolio(
      {
        ...emptyTotals,
        ...smb,
        accountsByBucket: perBucket(1, 1, 1),
        arrByBucket: perBucket(100, 200, 300.004),
        engagement: { improving: 1, stable: 0, declining: 1 },
      },
      [{ segment: "SMB" as Segment, ...smb }],
      [],
    );
    expect(figures.accounts_by_segment).toEqual({ Enterprise: 0, "Mid-Market": 0, SMB: 4 });
    expect(figures.by_segment.map((entry) => entry.avg_health_score)).toEqual([null, null, 50]);
    expect(figures.risk_breakdown).toEqual({ Healthy: 33.3, "At-Risk": 33.3, Critical: 33.3 });
    expect(figures.arr_at_risk).toBe(500);
    expect(figures.trend_counts).toEqual({ improving: 1, stable: 0, declining: 1, unknown: 2 });
    expect(figures.unscored_accounts).toBe(1);
  });
});
