import { describe, expect, it } from "vitest";
import { assessRisk } from "../../src/domain/assess-risk";
import { formatMoney, formatPercent, formatSigned } from "../../src/domain/format";
import {
  riskLabels,
  type AccountSnapshot,
  type RiskFactor,
  type RiskFactorId,
} from "../../src/domain/risk";
import type { DailyMetrics, HealthComponents } from "../../src/domain/types";
import { addDays, trend } from "../helpers/factories";
import {
  AS_OF,
  atRiskAccount,
  criticalAccount,
  healthyAccount,
  noNpsAccount,
  series,
  snapshotOf,
} from "../insights/fixtures";

/** A steady, healthy Mid-Market account: 8 days of good metrics, no trend, nothing to flag. */
function steadyDay(overrides: Partial<DailyMetrics> = {}): Omit<DailyMetrics, "date"> {
  return {
    daily_active_users: 60,
    feature_adoption_rate: 0.7,
    support_tickets_open: 1,
    nps_score: 40,
    login_frequency: 0.8,
    arr: 120_000,
    ...overrides,
  };
}

const steadyComponents: HealthComponents = {
  daily_active_users: 20,
  feature_adoption: 17.5,
  support_tickets: 18,
  nps: 10.5,
  login_frequency: 12,
};

function account(overrides: Partial<AccountSnapshot> = {}, day: Partial<DailyMetrics> = {}): AccountSnapshot {
  return {
    id: 1,
    account_name: "Acme Corp",
    segment: "Mid-Market",
    region: "EU",
    arr: 120_000,
    health_score: 78,
    health_bucket: "Healthy",
    health_components: steadyComponents,
    nps_source: "window",
    trend_30d: null,
    trend_60d: null,
    trend_90d: null,
    latest_metric_date: AS_OF,
    renewal_date: null,
    owner: null,
    metrics: series(AS_OF, 8, () => steadyDay(day)),
    as_of: AS_OF,
    ...overrides,
  };
}

function find(factors: RiskFactor[], id: RiskFactorId): RiskFactor | undefined {
  return factors.find((factor) => factor.id === id);
}

describe("assessRisk on thresholds", () => {
  it("raises nothing for a steady, healthy account", () => {
    expect(assessRisk(account())).toEqual([]);
  });

  it.each([[0.4, undefined], [0.39, "medium"], [0.2, "medium"], [0.19, "high"]] as const)(
    "feature adoption %d: %s",
    (rate, severity) => {
      const factor = find(assessRisk(account({}, { feature_adoption_rate: rate })), "low_adoption");
      expect(factor?.severity).toBe(severity);
      if (factor) {
        expect(factor.label).toBe("Low feature adoption");
        expect(factor.evidence).toEqual([{ metric: "feature_adoption_rate", value: rate, threshold: 0.4 }]);
      }
    },
  );

  it("averages adoption over the last 7 days only: an older low stretch does not count", () => {
    const metrics = [
      ...series(addDays(AS_OF, -7), 20, () => steadyDay({ feature_adoption_rate: 0.1 })),
      ...series(AS_OF, 7, () => steadyDay({ feature_adoption_rate: 0.6 })),
    ];
    expect(find(assessRisk(account({ metrics })), "low_adoption")).toBeUndefined();
  });

  const ticketCases = [[4.9, undefined], [5, "medium"], [7.9, "medium"], [8, "high"]] as const;
  it.each(ticketCases)("%d open tickets on average: %s", (tickets, severity) => {
    const factor = find(assessRisk(account({}, { support_tickets_open: tickets })), "high_support_load");
    expect(factor?.severity).toBe(severity);
  });

  it("averages tickets over the last 7 days: 2, 2, then 9 open tickets average 7 (medium)", () => {
    const metrics = series(AS_OF, 7, (p) => steadyDay({ support_tickets_open: p < 0.2 ? 2 : 9 }));
    expect(metrics.map((row) => row.support_tickets_open)).toEqual([2, 2, 9, 9, 9, 9, 9]);
    expect(find(assessRisk(account({ metrics })), "high_support_load")).toMatchObject({
      severity: "medium",
      evidence: [{ metric: "support_tickets_open", value: 7, threshold: 5 }],
    });
  });

  it.each([
    [0.5, undefined],
    [0.49, "medium"],
    [0.24, "high"],
  ] as const)("login frequency %d: %s", (frequency, severity) => {
    expect(find(assessRisk(account({}, { login_frequency: frequency })), "low_login_frequency")?.severity).toBe(
      severity,
    );
  });

  it.each([
    [12.5, undefined], // exactly half the benchmark
    [12, "medium"],
    [6.25, "medium"],
    [6, "high"],
  ] as const)("DAU component %d/25 points: %s", (points, severity) => {
    const factor = find(
      assessRisk(account({ health_components: { ...steadyComponents, daily_active_users: points } })),
      "low_engagement",
    );
    expect(factor?.severity).toBe(severity);
    if (factor) expect(factor.evidence[0]).toMatchObject({ metric: "daily_active_users_to_benchmark", threshold: 0.5 });
  });

  it("flags declining engagement over 30 days even when DAU is above half the benchmark", () => {
    const declining = trend(30, AS_OF, { engagement_trend: "declining" });
    const factor = find(assessRisk(account({ trend_30d: declining })), "low_engagement");
    expect(factor).toMatchObject({
      severity: "medium",
      evidence: [{ metric: "engagement_trend_30d", value: "declining", threshold: "stable" }],
    });
  });

  it.each([
    [9, undefined], // NPS 20
    [8.93, "medium"], // NPS 19
    [7.5, "medium"], // NPS 0
    [7.43, "high"], // NPS -1
  ] as const)("NPS component %d/15 points: %s", (points, severity) => {
    const factor = find(assessRisk(account({ health_components: { ...steadyComponents, nps: points } })), "low_nps");
    expect(factor?.severity).toBe(severity);
  });

  it("reads the NPS back from its component points: 6 points is NPS -20", () => {
    const factor = find(assessRisk(account({ health_components: { ...steadyComponents, nps: 6 } })), "low_nps");
    expect(factor?.evidence).toEqual([{ metric: "nps_score", value: -20, threshold: 20 }]);
  });

  it("flags an NPS that fell 20 points over 30 days, even while still above 20", () => {
    const falling = trend(30, AS_OF, {
      health_components_change: { ...trend(30, AS_OF).health_components_change, nps: -1.5 }, // -1.5 points = -20 NPS
    });
    const factor = find(assessRisk(account({ trend_30d: falling })), "low_nps");
    expect(factor).toMatchObject({
      severity: "medium",
      evidence: [{ metric: "nps_change_30d", value: -20, threshold: -20 }],
    });
    const milder = trend(30, AS_OF, {
      health_components_change: { ...trend(30, AS_OF).health_components_change, nps: -1.4 },
    });
    expect(find(assessRisk(account({ trend_30d: milder })), "low_nps")).toBeUndefined();
  });

  it.each([
    [-4.9, undefined],
    [-5, "medium"],
    [-9.9, "medium"],
    [-10, "high"],
  ] as const)("health score change of %d over 30 days: %s", (change, severity) => {
    const moved = trend(30, AS_OF, { health_score_change: change });
    const factor = find(assessRisk(account({ trend_30d: moved })), "declining_health");
    expect(factor?.severity).toBe(severity);
  });

  it("flags a slow decline of 15 points over 90 days when the 30-day change is small", () => {
    const factors = assessRisk(
      account({
        trend_30d: trend(30, AS_OF, { health_score_change: -2 }),
        trend_90d: trend(90, AS_OF, { health_score_change: -15 }),
      }),
    );
    expect(find(factors, "declining_health")).toMatchObject({
      severity: "medium",
      evidence: [{ metric: "health_score_change_90d", value: -15, threshold: -15 }],
    });
  });

  it("raises renewal risk for a Critical account whatever its ARR, and for an At-Risk one from $250,000 ARR", () => {
    const critical = account({ health_score: 32.5, health_bucket: "Critical", arr: 12_000 });
    expect(find(assessRisk(critical), "renewal_risk")).toMatchObject({
      severity: "high",
      evidence: [{ metric: "health_score", value: 32.5, threshold: 40 }],
    });
    const big = account({ health_score: 55, health_bucket: "At-Risk", arr: 250_000 });
    expect(find(assessRisk(big), "renewal_risk")?.severity).toBe("medium");
    const smaller = account({ health_score: 55, health_bucket: "At-Risk", arr: 249_999 });
    expect(find(assessRisk(smaller), "renewal_risk")).toBeUndefined();
    const healthyBig = account({ arr: 2_000_000 });
    expect(find(assessRisk(healthyBig), "renewal_risk")).toBeUndefined();
  });

  it("raises renewal risk when ARR contracted 10% or more over 90 days", () => {
    // 120,000 now after -13,334 is a 10.0% contraction from 133,334.
    const contracting = account({ trend_90d: trend(90, AS_OF, { arr_change: -13_334 }) });
    expect(find(assessRisk(contracting), "renewal_risk")).toMatchObject({
      severity: "medium",
      evidence: [{ metric: "arr_change_ratio_90d", value: -0.1, threshold: -0.1 }],
    });
    const slight = account({ trend_90d: trend(90, AS_OF, { arr_change: -10_000 }) });
    expect(find(assessRisk(slight), "renewal_risk")).toBeUndefined();
  });
});

describe("assessRisk on data quality", () => {
  it("an account without any NPS: a medium data-quality factor and no NPS factor", () => {
    const factors = assessRisk(account({ nps_source: "missing", health_components: { ...steadyComponents, nps: null } }));
    expect(factors.map((factor) => factor.id)).toEqual(["data_quality"]);
    expect(factors[0]).toMatchObject({
      severity: "medium",
      label: "Incomplete or stale data",
      evidence: [{ metric: "nps_source", value: "missing", threshold: "window" }],
    });
  });

  it("a carried NPS (none in the window, one in the last 90 days) is a low data-quality factor", () => {
    expect(find(assessRisk(account({ nps_source: "carried" })), "data_quality")?.severity).toBe("low");
  });

  it("an account with a single day of data: flagged as too short for a trend, and every other rule still runs", () => {
    const single = snapshotOf(series(AS_OF, 1, () => steadyDay({ feature_adoption_rate: 0.3 })));
    expect(single.trend_30d).toBeNull();
    const factors = assessRisk(single);
    expect(find(factors, "data_quality")).toMatchObject({
      severity: "low",
      evidence: [{ metric: "metric_days", value: 1, threshold: 2 }],
    });
    expect(find(factors, "low_adoption")?.severity).toBe("medium");
    expect(find(factors, "declining_health")).toBeUndefined();
  });

  it("flags gaps: metrics on 20 of the last 30 days", () => {
    const days = series(AS_OF, 30, () => steadyDay()).filter((_, index) => index % 3 !== 1);
    expect(days).toHaveLength(20);
    const factor = find(assessRisk(account({ metrics: days })), "data_quality");
    expect(factor).toMatchObject({
      severity: "medium",
      evidence: [{ metric: "data_coverage_30d", value: 0.67, threshold: 0.8 }],
    });
    expect(factor?.detail).toContain("20 of the last 30 days");
  });

  it("measures staleness against the portfolio's latest date, not today", () => {
    const historical = account({ latest_metric_date: "2024-03-31", as_of: "2024-03-31" });
    historical.metrics = series("2024-03-31", 8, () => steadyDay());
    expect(assessRisk(historical)).toEqual([]);

    const behind = (days: number) =>
      find(assessRisk(account({ as_of: addDays(AS_OF, days) })), "data_quality")?.severity;
    expect(behind(6)).toBeUndefined();
    expect(behind(7)).toBe("medium");
    expect(behind(30)).toBe("high");
  });

  it("an account without any metrics has one factor: high data quality", () => {
    const empty = account({
      health_score: null,
      health_bucket: null,
      health_components: null,
      nps_source: null,
      latest_metric_date: null,
      metrics: [],
    });
    expect(assessRisk(empty)).toEqual([
      expect.objectContaining({ id: "data_quality", severity: "high", evidence: [{ metric: "metric_days", value: 0, threshold: 1 }] }),
    ]);
  });
});

describe("assessRisk on realistic accounts", () => {
  it("a healthy, growing Enterprise account has only the positive signal, which is not a risk label", () => {
    const factors = assessRisk(healthyAccount());
    expect(factors.map((factor) => [factor.id, factor.kind, factor.severity])).toEqual([
      ["positive_signals", "positive", "low"],
    ]);
    expect(factors[0]?.detail).toMatch(/^Healthy \(score \d+(\.\d)?\) and growing: ARR grew \d+% over 90 days\.$/);
    expect(riskLabels(factors)).toEqual([]);
  });

  it("an At-Risk $300,000 account: renewal risk, low adoption and low NPS, all medium", () => {
    const factors = assessRisk(atRiskAccount());
    expect(factors.map((factor) => [factor.id, factor.severity])).toEqual([
      ["renewal_risk", "medium"],
      ["low_adoption", "medium"],
      ["low_nps", "medium"],
    ]);
    expect(riskLabels(factors)).toEqual(["Renewal at risk", "Low feature adoption", "Low or falling NPS"]);
  });

  it("a collapsing Critical account: most severe first, every factor with its evidence", () => {
    const factors = assessRisk(criticalAccount());
    expect(factors.map((factor) => factor.id)).toEqual([
      "renewal_risk",
      "declining_health",
      "low_engagement",
      "low_adoption",
      "high_support_load",
      "low_nps",
      "low_login_frequency",
    ]);
    expect(factors.every((factor) => factor.severity === "high" && factor.evidence.length > 0)).toBe(true);
  });

  it("an account that never answered an NPS survey is flagged for data quality only", () => {
    const factors = assessRisk(noNpsAccount());
    expect(factors.map((factor) => [factor.id, factor.severity])).toEqual([["data_quality", "medium"]]);
  });

  it("sorts most severe first, the positive signal last", () => {
    const mixed = account({
      health_components: { ...steadyComponents, daily_active_users: 10 }, // medium engagement
      nps_source: "carried", // low data quality
      trend_30d: trend(30, AS_OF, { health_score_change: 3 }), // positive
    }, { feature_adoption_rate: 0.1 }); // high adoption
    expect(assessRisk(mixed).map((factor) => factor.id)).toEqual([
      "low_adoption",
      "low_engagement",
      "data_quality",
      "positive_signals",
    ]);
  });

  it("is deterministic and does not depend on the order of the metrics", () => {
    const critical = criticalAccount();
    const shuffled = { ...critical, metrics: [...critical.metrics].reverse() };
    expect(assessRisk(shuffled)).toEqual(assessRisk(critical));
    expect(shuffled.metrics[0]?.date).toBe(AS_OF); // the input was not sorted in place
  });
});

describe("formatting", () => {
  it("formats money, percentages and signed changes the way summaries quote them", () => {
    expect(formatMoney(1_250_000)).toBe("$1,250,000");
    expect(formatMoney(-4_999.6)).toBe("-$5,000");
    expect(formatMoney(-0.2)).toBe("$0");
    expect(formatPercent(0.183)).toBe("18%");
    expect(formatSigned(3.25)).toBe("+3.3");
    expect(formatSigned(-8)).toBe("-8.0");
    expect(formatSigned(0)).toBe("0.0");
  });
});
