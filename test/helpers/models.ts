import fc from "fast-check";
import type { ModelComponentSpec, ModelSpec } from "../../src/domain/health-model";
import type { ModelMetricsRow } from "../../src/domain/reference/health-model";
import { SEGMENTS, type Segment } from "../../src/domain/types";

/*
 * Random health models and histories for the properties that compare the model-driven scoring with its reference:
 * 1 to 12 components over the built-in and three custom measures, weights summing to 100 per segment (quarters, and
 * thirds whose sum is 100 only to the last bit), scales in both directions with per-segment ends, mean or latest,
 * carried or not, any window and thresholds.
 */

/** The custom measures the histories carry, with the values they take. */
export const CUSTOM_MEASURES = {
  seats_ratio: fc.oneof(fc.double({ min: 0, max: 1.5, noNaN: true }), fc.integer({ min: 0, max: 150 }).map((value) => value / 100)),
  invoices_overdue: fc.integer({ min: 0, max: 10 }),
  sponsor_engaged: fc.constantFrom(0, 1),
} as const;
export type CustomMeasure = keyof typeof CUSTOM_MEASURES;
const CUSTOM_MEASURE_NAMES = Object.keys(CUSTOM_MEASURES) as CustomMeasure[];

const MEASURES = [
  "daily_active_users",
  "feature_adoption_rate",
  "support_tickets_open",
  "nps_score",
  "login_frequency",
  ...CUSTOM_MEASURE_NAMES,
] as const;

/** `count` weights summing to 100: quarters (exact in any order), or equal thirds-like shares (exact only to the bit). */
function weightsArbitrary(count: number): fc.Arbitrary<number[]> {
  const quarters = fc
    .array(fc.integer({ min: 0, max: 400 }), { minLength: count - 1, maxLength: count - 1 })
    .map((cuts) => {
      const sorted = [0, ...cuts.sort((a, b) => a - b), 400];
      return sorted.slice(1).map((cut, index) => (cut - (sorted[index] ?? 0)) / 4);
    });
  return fc.oneof({ arbitrary: quarters, weight: 4 }, { arbitrary: fc.constant(Array.from({ length: count }, () => 100 / count)), weight: 1 });
}

/**
 * Scale ends are 0 or at least 0.001 in magnitude: an end like 2e-308 is no measure's threshold, and against it a
 * subnormal value (which SQLite may read back as 0) would weigh as much as a real one.
 */
const scaleEnd = fc.oneof(
  fc.constant(0),
  fc.integer({ min: -100, max: 300 }),
  fc.double({ min: -50, max: 250, noNaN: true }).filter((value) => value === 0 || Math.abs(value) >= 0.001),
  fc.integer({ min: 1, max: 40 }).map((value) => value / 20),
);

const scaleArbitrary = fc
  .record({
    ends: fc.tuple(scaleEnd, scaleEnd).filter(([zero, full]) => zero !== full),
    fullBySegment: fc.option(fc.dictionary(fc.constantFrom(...SEGMENTS), scaleEnd, { maxKeys: 3 }), { nil: undefined }),
  })
  .map(({ ends: [zero_at, full_at], fullBySegment }) => {
    const overrides = Object.fromEntries(Object.entries(fullBySegment ?? {}).filter(([, full]) => full !== zero_at));
    return Object.keys(overrides).length > 0 ? { zero_at, full_at, full_at_by_segment: overrides } : { zero_at, full_at };
  });

function componentArbitrary(index: number, weight: number): fc.Arbitrary<ModelComponentSpec> {
  return fc
    .record({
      measure: fc.constantFrom(...MEASURES),
      type: fc.constantFrom("mean" as const, "latest" as const),
      carry: fc.option(fc.oneof(fc.integer({ min: 0, max: 120 }), fc.constantFrom(30, 90)), { nil: undefined }),
      scale: scaleArbitrary,
    })
    .map(({ measure, type, carry, scale }) => ({
      key: `c${index}_${measure.slice(0, 6)}`,
      measure,
      weight,
      aggregation: carry === undefined ? { type } : { type, carry_days: carry },
      scale,
    }));
}

export const modelArbitrary: fc.Arbitrary<ModelSpec> = fc
  .record({
    count: fc.integer({ min: 1, max: 12 }),
    windowDays: fc.oneof(fc.integer({ min: 1, max: 90 }), fc.constantFrom(1, 7, 14, 30)),
    atRisk: fc.integer({ min: 0, max: 98 }),
    gap: fc.integer({ min: 1, max: 40 }),
  })
  .chain(({ count, windowDays, atRisk, gap }) =>
    fc
      .record({
        weights: weightsArbitrary(count),
        overrides: fc.dictionary(fc.constantFrom(...SEGMENTS), weightsArbitrary(count), { maxKeys: 2 }),
      })
      .chain(({ weights, overrides }) =>
        fc.tuple(...weights.map((weight, index) => componentArbitrary(index, weight))).map((components) => ({
          window_days: windowDays,
          buckets: { healthy_min: Math.min(100, atRisk + gap), at_risk_min: atRisk },
          components: components.map((component, index) => {
            const bySegment = Object.fromEntries(
              Object.entries(overrides).map(([segment, segmentWeights]) => [segment, segmentWeights[index] ?? 0]),
            );
            return Object.keys(bySegment).length > 0 ? { ...component, weight_by_segment: bySegment } : component;
          }),
        })),
      ),
  );

const START = Date.parse("2025-01-01T00:00:00Z");

/** A day's custom measures: each present, absent or null. */
const measuresArbitrary = fc.record(
  Object.fromEntries(
    CUSTOM_MEASURE_NAMES.map((name) => [name, fc.option(CUSTOM_MEASURES[name] as fc.Arbitrary<number>, { nil: null, freq: 3 })]),
  ) as Record<CustomMeasure, fc.Arbitrary<number | null>>,
  { requiredKeys: [] },
);

/** One account's history: up to `maxDays` distinct days over 400, NPS mostly missing, custom measures on some rows. */
export function historyArbitrary(maxDays = 40): fc.Arbitrary<ModelMetricsRow[]> {
  return fc.uniqueArray(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: maxDays }).chain((days) =>
    fc.tuple(
      ...days.map((day) =>
        fc.record({
          date: fc.constant(new Date(START + day * 86_400_000).toISOString().slice(0, 10)),
          daily_active_users: fc.integer({ min: 0, max: 400 }),
          feature_adoption_rate: fc.integer({ min: 0, max: 100 }).map((value) => value / 100),
          support_tickets_open: fc.integer({ min: 0, max: 25 }),
          nps_score: fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: fc.integer({ min: -100, max: 100 }), weight: 1 }),
          login_frequency: fc.double({ min: 0, max: 1, noNaN: true }),
          arr: fc.constantFrom(10_000, 50_000, 120_000),
          measures: fc.option(measuresArbitrary, { nil: undefined }),
        }),
      ),
    ),
  ).map((rows) => rows.map(({ measures, ...row }) => (measures === undefined ? row : { ...row, measures })));
}

export const segmentArbitrary: fc.Arbitrary<Segment> = fc.constantFrom(...SEGMENTS);
