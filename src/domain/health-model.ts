import { AT_RISK_MIN_SCORE, COMPONENT_POINTS, HEALTHY_MIN_SCORE, NPS_CARRY_DAYS, type HealthConfig } from "./health";
import type { Segment } from "./types";

/*
 * What a health model says, as plain data: the shape the scoring and its reference read. The API's model document
 * (contract/health-models.ts) has this shape and adds the rules a model must keep.
 */

export interface ModelAggregation {
  /** `mean`: of the values present in the window; `latest`: the newest value in the window. */
  type: "mean" | "latest";
  /** When the window has no value: the latest one of this many days before the score date. */
  carry_days?: number;
}

export interface ModelScale {
  zero_at: number;
  full_at: number;
  zero_at_by_segment?: Partial<Record<Segment, number>>;
  full_at_by_segment?: Partial<Record<Segment, number>>;
}

export interface ModelComponentSpec {
  key: string;
  measure: string;
  weight: number;
  weight_by_segment?: Partial<Record<Segment, number>>;
  aggregation: ModelAggregation;
  scale: ModelScale;
}

export interface ModelSpec {
  window_days: number;
  buckets: { healthy_min: number; at_risk_min: number };
  components: readonly ModelComponentSpec[];
}

/** A component's weight and scale for an account of `segment`. */
export function componentForSegment(component: ModelComponentSpec, segment: Segment) {
  return {
    weight: component.weight_by_segment?.[segment] ?? component.weight,
    zeroAt: component.scale.zero_at_by_segment?.[segment] ?? component.scale.zero_at,
    fullAt: component.scale.full_at_by_segment?.[segment] ?? component.scale.full_at,
  };
}

/**
 * A component's points for an aggregated value: its weight times the value's position between `zero_at` and `full_at`,
 * clamped to [0, weight]. The three forms are the same line; each is written as the formula it generalises computes
 * it (a DAU ratio to its benchmark, the share of the ticket ceiling left, the NPS moved onto 0-200), so a model that
 * restates that formula scores to the same last bit.
 */
export function componentPoints(value: number, weight: number, zeroAt: number, fullAt: number): number {
  const points =
    zeroAt === 0
      ? weight * Math.min(1, value / fullAt)
      : fullAt === 0
        ? weight * Math.max(0, 1 - value / zeroAt)
        : (weight * (value - zeroAt)) / (fullAt - zeroAt);
  return Math.max(0, Math.min(weight, points));
}

/** A model's component as it scores the accounts of one segment: what explaining a score reads. */
export interface SegmentComponent {
  key: string;
  measure: string;
  weight: number;
  zero_at: number;
  full_at: number;
}

export function segmentComponents(model: ModelSpec, segment: Segment): SegmentComponent[] {
  return model.components.map((component) => {
    const { weight, zeroAt, fullAt } = componentForSegment(component, segment);
    return { key: component.key, measure: component.measure, weight, zero_at: zeroAt, full_at: fullAt };
  });
}

/**
 * The aggregated value behind a component's points, read back along its scale: exact while the points are inside
 * (0, weight); at either end, the scale's end (the value itself may lie beyond it).
 */
export function valueFromPoints(component: SegmentComponent, points: number): number {
  return (points / component.weight) * (component.full_at - component.zero_at) + component.zero_at;
}

/** Today's formula as a model: the five components, their points, scales and the NPS carried 90 days. */
export function configuredModelSpec(health: HealthConfig): ModelSpec {
  const { Enterprise, "Mid-Market": midMarket, SMB } = health.dauBenchmarks;
  const mean = { type: "mean" as const };
  return {
    window_days: health.windowDays,
    buckets: { healthy_min: HEALTHY_MIN_SCORE, at_risk_min: AT_RISK_MIN_SCORE },
    components: [
      {
        key: "daily_active_users",
        measure: "daily_active_users",
        weight: COMPONENT_POINTS.daily_active_users,
        aggregation: mean,
        scale: { zero_at: 0, full_at: Enterprise, full_at_by_segment: { "Mid-Market": midMarket, SMB } },
      },
      {
        key: "feature_adoption",
        measure: "feature_adoption_rate",
        weight: COMPONENT_POINTS.feature_adoption,
        aggregation: mean,
        scale: { zero_at: 0, full_at: 1 },
      },
      {
        key: "support_tickets",
        measure: "support_tickets_open",
        weight: COMPONENT_POINTS.support_tickets,
        aggregation: mean,
        scale: { zero_at: health.ticketCeiling, full_at: 0 },
      },
      {
        key: "nps",
        measure: "nps_score",
        weight: COMPONENT_POINTS.nps,
        aggregation: { type: "mean", carry_days: NPS_CARRY_DAYS },
        scale: { zero_at: -100, full_at: 100 },
      },
      {
        key: "login_frequency",
        measure: "login_frequency",
        weight: COMPONENT_POINTS.login_frequency,
        aggregation: mean,
        scale: { zero_at: 0, full_at: 1 },
      },
    ],
  };
}
