import { describe, expect, it } from "vitest";
import type { ModelComponentSpec, ModelSpec } from "../../src/domain/health-model";
import { scoreModelHistory, type ModelMetricsRow } from "../../src/domain/reference/health-model";
import { metricsDay } from "../helpers/history";

function row(date: string, { measures, ...values }: Partial<ModelMetricsRow> = {}): ModelMetricsRow {
  return { ...metricsDay(date, values), ...(measures ? { measures } : {}) };
}

function model(components: ModelComponentSpec[], windowDays = 7): ModelSpec {
  return { window_days: windowDays, buckets: { healthy_min: 70, at_risk_min: 40 }, components };
}

const dau = (aggregation: ModelComponentSpec["aggregation"], weight = 50): ModelComponentSpec => ({
  key: "dau",
  measure: "daily_active_users",
  weight,
  aggregation,
  scale: { zero_at: 0, full_at: 200 },
});
const adoption: ModelComponentSpec = {
  key: "adoption",
  measure: "feature_adoption_rate",
  weight: 50,
  aggregation: { type: "mean" },
  scale: { zero_at: 0, full_at: 1 },
};

describe("scoreModelHistory", () => {
  it("`mean` averages the window's values, `latest` takes the newest", () => {
    const history = [row("2026-01-01", { daily_active_users: 100 }), row("2026-01-02", { daily_active_users: 200 })];
    const [, meanDay] = scoreModelHistory(history, "Enterprise", model([dau({ type: "mean" }), adoption]));
    const [, latestDay] = scoreModelHistory(history, "Enterprise", model([dau({ type: "latest" }), adoption]));
    expect(meanDay?.components).toEqual({ dau: 37.5, adoption: 25 });
    expect(latestDay?.components).toEqual({ dau: 50, adoption: 25 });
  });

  it("carries a value from up to carry_days before the window; beyond, the weight goes to the others", () => {
    const nps: ModelComponentSpec = {
      key: "nps",
      measure: "nps_score",
      weight: 50,
      aggregation: { type: "mean", carry_days: 30 },
      scale: { zero_at: -100, full_at: 100 },
    };
    const history = [row("2026-01-01", { nps_score: 100 }), row("2026-01-20"), row("2026-02-15")];
    const [, carried, beyond] = scoreModelHistory(history, "SMB", model([adoption, nps], 1));
    expect(carried).toMatchObject({ components: { adoption: 25, nps: 50 }, sources: { nps: "carried" }, score: 75 });
    // 2026-02-15 is 45 days after the NPS: adoption alone, 25 of its 50 points, is half the score.
    expect(beyond).toMatchObject({ components: { adoption: 25, nps: null }, sources: { nps: "missing" }, score: 50 });
  });

  it("applies per-segment weights and targets to the segments they name only", () => {
    const segmented: ModelComponentSpec = {
      ...dau({ type: "mean" }),
      weight_by_segment: { SMB: 80 },
      scale: { zero_at: 0, full_at: 200, full_at_by_segment: { SMB: 100 } },
    };
    const smbAdoption = { ...adoption, weight_by_segment: { SMB: 20 } };
    const history = [row("2026-01-01", { daily_active_users: 100, feature_adoption_rate: 0 })];
    expect(scoreModelHistory(history, "Enterprise", model([segmented, smbAdoption]))[0]?.score).toBe(25);
    expect(scoreModelHistory(history, "SMB", model([segmented, smbAdoption]))[0]?.score).toBe(80);
  });

  it("scores a measure where less is better from zero_at down to full_at, clamped", () => {
    const tickets: ModelComponentSpec = {
      key: "tickets",
      measure: "support_tickets_open",
      weight: 50,
      aggregation: { type: "latest" },
      scale: { zero_at: 10, full_at: 2 },
    };
    const points = (open: number) =>
      scoreModelHistory([row("2026-01-01", { support_tickets_open: open })], "SMB", model([tickets, adoption]))[0]?.components.tickets;
    expect([points(0), points(2), points(6), points(10), points(20)]).toEqual([50, 50, 25, 0, 0]);
  });

  it("reads a measure beyond the built-in columns from the row's measures, and buckets by the model's thresholds", () => {
    const seats: ModelComponentSpec = { key: "seats", measure: "seats_ratio", weight: 50, aggregation: { type: "latest" }, scale: { zero_at: 0, full_at: 1 } };
    const history = [row("2026-01-01", { feature_adoption_rate: 1, measures: { seats_ratio: 0.9 } })];
    const [scored] = scoreModelHistory(history, "Mid-Market", { ...model([adoption, seats]), buckets: { healthy_min: 96, at_risk_min: 50 } });
    expect(scored).toMatchObject({ score: 95, bucket: "At-Risk", components: { adoption: 50, seats: 45 } });
  });
});
