import { dayNumber, roundTo } from "../health";
import { componentForSegment, componentPoints, type ModelComponentSpec, type ModelSpec } from "../health-model";
import type { Bucket, DailyMetrics, Segment } from "../types";
import { compensatedSum } from "./health-score";

/*
 * REFERENCE ONLY: the semantics of a health model in TypeScript, which only tests call. A model-driven scoring must
 * store exactly what this computes (docs/architecture.md, I2), and under model 1 (the configured formula written as a
 * model) this equals the formula's own reference, health-score.ts, to the last bit: a property test proves it.
 */

/** A day of an account's metrics, with the values of the measures beyond the built-in columns. */
export type ModelMetricsRow = DailyMetrics & { measures?: Readonly<Record<string, number | null>> };

/** Where a component's value came from: the window, a value carried from before it, or nowhere. */
export type ValueSource = "window" | "carried" | "missing";

export interface ModelScoredDate {
  date: string;
  /** 0-100 with one decimal. */
  score: number;
  bucket: Bucket;
  /** Points per component key, two decimals; null for a component without data (its weight went to the others). */
  components: Record<string, number | null>;
  sources: Record<string, ValueSource>;
}

const BUILT_IN: Record<string, (row: DailyMetrics) => number | null> = {
  daily_active_users: (row) => row.daily_active_users,
  feature_adoption_rate: (row) => row.feature_adoption_rate,
  support_tickets_open: (row) => row.support_tickets_open,
  nps_score: (row) => row.nps_score,
  login_frequency: (row) => row.login_frequency,
};

function measureOf(row: ModelMetricsRow, measure: string): number | null {
  const builtIn = BUILT_IN[measure];
  return builtIn ? builtIn(row) : (row.measures?.[measure] ?? null);
}

/**
 * A component's aggregated value at the date `today` (a day number): the mean or the newest of the values in the
 * window (today − window, today]; without any, the newest value in [today − carry_days, today] when the component
 * carries; else missing.
 */
function aggregate(
  component: ModelComponentSpec,
  rows: readonly ModelMetricsRow[],
  days: readonly number[],
  today: number,
  windowDays: number,
): { value: number | null; source: ValueSource } {
  const valuesIn = (from: number) =>
    rows.flatMap((row, index) => {
      const day = days[index] ?? 0;
      const value = measureOf(row, component.measure);
      return day > from && day <= today && value !== null ? [value] : [];
    });
  const inWindow = valuesIn(today - windowDays);
  if (inWindow.length > 0) {
    const value = component.aggregation.type === "mean" ? compensatedSum(inWindow) / inWindow.length : (inWindow.at(-1) ?? 0);
    return { value, source: "window" };
  }
  const carryDays = component.aggregation.carry_days;
  if (carryDays !== undefined) {
    const carried = valuesIn(today - carryDays - 1).at(-1);
    if (carried !== undefined) return { value: carried, source: "carried" };
  }
  return { value: null, source: "missing" };
}

function bucketOf(score: number, model: ModelSpec): Bucket {
  if (score >= model.buckets.healthy_min) return "Healthy";
  if (score >= model.buckets.at_risk_min) return "At-Risk";
  return "Critical";
}

/**
 * Scores every date of one account's metrics under `model`. Each component's points are rounded to two decimals for
 * show; the score sums the unrounded points and, when a component has no data, scales the sum by 100 ÷ the weights
 * present, which spreads the missing weight over the others in proportion to theirs. Rounded to one decimal.
 */
export function scoreModelHistory(metrics: readonly ModelMetricsRow[], segment: Segment, model: ModelSpec): ModelScoredDate[] {
  const sorted = [...metrics].sort((a, b) => a.date.localeCompare(b.date));
  const days = sorted.map((row) => dayNumber(row.date));
  return sorted.map((row, index) => {
    const today = days[index] ?? 0;
    const components: Record<string, number | null> = {};
    const sources: Record<string, ValueSource> = {};
    let sum = 0;
    let weightPresent = 0;
    let weightTotal = 0;
    for (const component of model.components) {
      const { weight, zeroAt, fullAt } = componentForSegment(component, segment);
      const { value, source } = aggregate(component, sorted, days, today, model.window_days);
      sources[component.key] = source;
      weightTotal += weight;
      if (value === null) {
        components[component.key] = null;
        continue;
      }
      const points = componentPoints(value, weight, zeroAt, fullAt);
      components[component.key] = roundTo(points, 2);
      sum += points;
      weightPresent += weight;
    }
    const rawScore = weightPresent === weightTotal ? sum : weightPresent === 0 ? 0 : (sum * 100) / weightPresent;
    const score = roundTo(rawScore, 1);
    return { date: row.date, score, bucket: bucketOf(score, model), components, sources };
  });
}
