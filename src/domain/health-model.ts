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
