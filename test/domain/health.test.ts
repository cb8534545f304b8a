import { describe, expect, it } from "vitest";
import { dayNumber, DEFAULT_HEALTH_CONFIG, roundTo } from "../../src/domain/health";
import {
  bucketFor,
  compensatedSum,
  scoreComponents,
  scoreHistory,
  type WindowAverages,
} from "../../src/domain/reference/health-score";
import { metricsDay } from "../helpers/history";

const config = DEFAULT_HEALTH_CONFIG;

function averages(overrides: Partial<WindowAverages>): WindowAverages {
  return {
    daily_active_users: 0,
    feature_adoption_rate: 0,
    support_tickets_open: 0,
    nps_score: 0,
    login_frequency: 0,
    ...overrides,
  };
}

describe("bucketFor", () => {
  it.each([
    [0, "Critical"],
    [39.9, "Critical"],
    [40, "At-Risk"],
    [69.9, "At-Risk"],
    [70, "Healthy"],
    [100, "Healthy"],
  ] as const)("a score of %d is %s", (score, bucket) => {
    expect(bucketFor(score)).toBe(bucket);
  });
});

describe("roundTo", () => {
  it("rounds half away from zero: 1.25 -> 1.3 and -1.25 -> -1.3 (both exact in binary)", () => {
    expect(roundTo(1.25, 1)).toBe(1.3);
    expect(roundTo(-1.25, 1)).toBe(-1.3);
  });

  it("keeps the requested decimals: 72.3449 -> 72.34 (2) and 72.3 (1)", () => {
    expect(roundTo(72.3449, 2)).toBe(72.34);
    expect(roundTo(72.3449, 1)).toBe(72.3);
  });

  it("never answers negative zero: -0.004 -> 0 at 2 decimals", () => {
    expect(Object.is(roundTo(-0.004, 2), 0)).toBe(true);
  });
});

describe("compensatedSum", () => {
  it("0.1 + 0.2 + 0.3 is 0.6, where naive addition gives 0.6000000000000001", () => {
    expect(0.1 + 0.2 + 0.3).not.toBe(0.6);
    expect(compensatedSum([0.1, 0.2, 0.3])).toBe(0.6);
  });
});

describe("dayNumber", () => {
  it("counts calendar days across a leap February: 2024-01-01 + 91 days = 2024-04-01", () => {
    expect(dayNumber("2024-04-01") - dayNumber("2024-01-01")).toBe(91);
    expect(dayNumber("2024-03-01") - dayNumber("2024-02-28")).toBe(2);
  });
});

describe("scoreComponents", () => {
  it("Enterprise, DAU 100/200 -> 12.5, adoption 0.6 -> 15, 2 tickets -> 16, NPS 20 -> 9, login 0.8 -> 12: 64.5 At-Risk", () => {
    const result = scoreComponents(
      averages({ daily_active_users: 100, feature_adoption_rate: 0.6, support_tickets_open: 2, nps_score: 20, login_frequency: 0.8 }),
      "Enterprise",
      config,
    );
    expect(result).toEqual({
      score: 64.5,
      bucket: "At-Risk",
      components: { daily_active_users: 12.5, feature_adoption: 15, support_tickets: 16, nps: 9, login_frequency: 12 },
    });
  });

  it("the DAU benchmark is the segment's: 60 DAU is 25 × 60/200 = 7.5 for Enterprise, 25 × 60/75 = 20 for Mid-Market, 25 (capped) for SMB", () => {
    const sixty = averages({ daily_active_users: 60 });
    expect(scoreComponents(sixty, "Enterprise", config).components.daily_active_users).toBe(7.5);
    expect(scoreComponents(sixty, "Mid-Market", config).components.daily_active_users).toBe(20);
    expect(scoreComponents(sixty, "SMB", config).components.daily_active_users).toBe(25);
  });

  it("perfect metrics (DAU above benchmark, adoption 1, 0 tickets, NPS 100, login 1) score 25+25+20+15+15 = 100 Healthy", () => {
    const result = scoreComponents(
      averages({ daily_active_users: 50, feature_adoption_rate: 1, nps_score: 100, login_frequency: 1 }),
      "SMB",
      config,
    );
    expect(result).toMatchObject({ score: 100, bucket: "Healthy" });
  });

  it("the ticket score is monotonic: 5 tickets -> 20 × 0.5 = 10, 10 -> 0, 15 -> 0 (not negative, not rising again)", () => {
    const ticketPoints = (tickets: number) =>
      scoreComponents(averages({ support_tickets_open: tickets }), "SMB", config).components.support_tickets;
    expect(ticketPoints(5)).toBe(10);
    expect(ticketPoints(10)).toBe(0);
    expect(ticketPoints(15)).toBe(0);
  });

  it("the worst metrics (no users, no adoption, 20 tickets, NPS -100, no logins) score 0 Critical", () => {
    const result = scoreComponents(averages({ support_tickets_open: 20, nps_score: -100 }), "Enterprise", config);
    expect(result).toEqual({
      score: 0,
      bucket: "Critical",
      components: { daily_active_users: 0, feature_adoption: 0, support_tickets: 0, nps: 0, login_frequency: 0 },
    });
  });

  it("clamps out-of-range averages to each component's points: adoption 1.2 -> 25, login -0.5 -> 0, NPS 150 -> 15", () => {
    const result = scoreComponents(
      averages({ feature_adoption_rate: 1.2, login_frequency: -0.5, nps_score: 150 }),
      "SMB",
      config,
    );
    expect(result.components).toMatchObject({ feature_adoption: 25, login_frequency: 0, nps: 15 });
  });

  it("missing NPS: Mid-Market 30/75 -> 10, 0.5 -> 12.5, 5 tickets -> 10, login 0.6 -> 9; 41.5 × 100/85 = 48.82 -> 48.8, NPS null", () => {
    const result = scoreComponents(
      averages({ daily_active_users: 30, feature_adoption_rate: 0.5, support_tickets_open: 5, nps_score: null, login_frequency: 0.6 }),
      "Mid-Market",
      config,
    );
    expect(result).toEqual({
      score: 48.8,
      bucket: "At-Risk",
      components: { daily_active_users: 10, feature_adoption: 12.5, support_tickets: 10, nps: null, login_frequency: 9 },
    });
  });

  it("missing NPS with the other four perfect scores 85 × 100/85 = 100", () => {
    const result = scoreComponents(
      averages({ daily_active_users: 200, feature_adoption_rate: 1, nps_score: null, login_frequency: 1 }),
      "Enterprise",
      config,
    );
    expect(result.score).toBe(100);
  });

  // DAU 25 (capped) + adoption 25 + NPS -100 -> 0 + login 0 = 50, plus tickets 20 × (1 − t/10).
  const healthyEdge = (tickets: number) =>
    scoreComponents(
      averages({ daily_active_users: 20, feature_adoption_rate: 1, support_tickets_open: tickets, nps_score: -100 }),
      "SMB",
      config,
    );
  // Adoption 0.2 -> 5 + login 1 -> 15 + NPS -100 -> 0 + DAU 0 = 20, plus tickets 20 × (1 − t/10).
  const criticalEdge = (tickets: number) =>
    scoreComponents(
      averages({ feature_adoption_rate: 0.2, support_tickets_open: tickets, nps_score: -100, login_frequency: 1 }),
      "SMB",
      config,
    );

  it.each([
    ["0 tickets: 50 + 20 = 70.0", () => healthyEdge(0), 70, "Healthy"],
    ["0.02 tickets: 50 + 19.96 = 69.96, rounded 70.0", () => healthyEdge(0.02), 70, "Healthy"],
    ["0.05 tickets: 50 + 19.9 = 69.9", () => healthyEdge(0.05), 69.9, "At-Risk"],
    ["0 tickets: 20 + 20 = 40.0", () => criticalEdge(0), 40, "At-Risk"],
    ["0.02 tickets: 20 + 19.96 = 39.96, rounded 40.0", () => criticalEdge(0.02), 40, "At-Risk"],
    ["0.05 tickets: 20 + 19.9 = 39.9", () => criticalEdge(0.05), 39.9, "Critical"],
  ] as const)("bucket edge, %s", (_case, score, expectedScore, expectedBucket) => {
    expect(score()).toMatchObject({ score: expectedScore, bucket: expectedBucket });
  });

  it("honours the configured ticket ceiling: 3 tickets of a ceiling of 6 -> 20 × 0.5 = 10", () => {
    const result = scoreComponents(averages({ support_tickets_open: 3 }), "SMB", { ...config, ticketCeiling: 6 });
    expect(result.components.support_tickets).toBe(10);
  });
});

describe("scoreHistory", () => {
  it("averages the rows dated in (date − 7, date]: 01-07 averages 01-01 and 01-07, 01-08 only 01-07 and 01-08", () => {
    const history = scoreHistory(
      [
        metricsDay("2024-01-08", { daily_active_users: 300, nps_score: null }),
        metricsDay("2024-01-01", { daily_active_users: 100, nps_score: 20 }),
        metricsDay("2024-01-07", { daily_active_users: 200, nps_score: 40 }),
      ],
      "Enterprise",
      config,
    );
    expect(history.map((scored) => scored.date)).toEqual(["2024-01-01", "2024-01-07", "2024-01-08"]);
    // 01-07: DAU (100 + 200) / 2 = 150 -> 25 × 150/200 = 18.75; NPS (20 + 40) / 2 = 30 -> 15 × 130/200 = 9.75.
    expect(history[1]?.components).toMatchObject({ daily_active_users: 18.75, nps: 9.75 });
    expect(history[1]?.nps_source).toBe("window");
    // 01-08: DAU (200 + 300) / 2 = 250 -> capped at 25; NPS only 40 -> 15 × 140/200 = 10.5.
    expect(history[2]?.components).toMatchObject({ daily_active_users: 25, nps: 10.5 });
    expect(history[2]?.averages.daily_active_users).toBe(250);
  });

  it("carries the latest NPS of the previous 90 days, and reports it missing on day 91", () => {
    const history = scoreHistory(
      [
        metricsDay("2024-01-01", { nps_score: 60 }),
        metricsDay("2024-02-15"),
        metricsDay("2024-03-31"), // 90 days after 01-01 (2024 is a leap year)
        metricsDay("2024-04-01"), // 91 days after
      ],
      "SMB",
      config,
    );
    expect(history.map((scored) => [scored.date, scored.nps_source, scored.components.nps])).toEqual([
      ["2024-01-01", "window", 12], // 15 × 160/200
      ["2024-02-15", "carried", 12],
      ["2024-03-31", "carried", 12],
      ["2024-04-01", "missing", null],
    ]);
  });

  it("carries the most recent NPS, not the first one", () => {
    const history = scoreHistory(
      [metricsDay("2024-05-01", { nps_score: -100 }), metricsDay("2024-05-20", { nps_score: 100 }), metricsDay("2024-06-10")],
      "SMB",
      config,
    );
    expect(history[2]).toMatchObject({ nps_source: "carried", components: { nps: 15 } });
  });

  it("scores a history without any NPS on the other four components, scaled to 100", () => {
    // DAU 10/20 -> 12.5, adoption 0.5 -> 12.5, 0 tickets -> 20, login 0.5 -> 7.5: 52.5 × 100/85 = 61.76 -> 61.8.
    const [scored] = scoreHistory([metricsDay("2024-05-01", { daily_active_users: 10 })], "SMB", config);
    expect(scored).toMatchObject({ score: 61.8, bucket: "At-Risk", nps_source: "missing", components: { nps: null } });
  });

  it("honours a configured window: with 3 days, 01-04 no longer averages 01-01", () => {
    const metrics = [metricsDay("2024-01-01", { daily_active_users: 0 }), metricsDay("2024-01-04", { daily_active_users: 100 })];
    const sevenDays = scoreHistory(metrics, "Enterprise", config);
    const threeDays = scoreHistory(metrics, "Enterprise", { ...config, windowDays: 3 });
    expect(sevenDays[1]?.averages.daily_active_users).toBe(50);
    expect(threeDays[1]?.averages.daily_active_users).toBe(100);
  });

  it("answers an empty history with no scores", () => {
    expect(scoreHistory([], "SMB", config)).toEqual([]);
  });
});
