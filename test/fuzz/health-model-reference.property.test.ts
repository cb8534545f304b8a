import { env } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { HealthConfig } from "../../src/domain/health";
import type { ModelSpec } from "../../src/domain/health-model";
import { scoreModelHistory, type ModelMetricsRow } from "../../src/domain/reference/health-model";
import { scoreHistory } from "../../src/domain/reference/health-score";
import { SEGMENTS } from "../../src/domain/types";
import { configuredModelDocument } from "../../src/services/health-models";

/*
 * Model 1 is today's formula written as a model. Under it, the model semantics (domain/reference/health-model.ts)
 * must give exactly what the formula's own reference gives: every score, bucket, component and NPS source, to the
 * last bit, for any history, segment and configuration. And a model's semantics keep their promises on any model.
 */

const RUNS = Number(env.FUZZ_RUNS);
const TIMEOUT_MS = 30_000 + RUNS * 5;
const START = Date.parse("2025-01-01T00:00:00Z");

const historyArbitrary = fc
  .uniqueArray(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 40 })
  .chain((days) =>
    fc.tuple(
      ...days.map((day) =>
        fc.record({
          date: fc.constant(new Date(START + day * 86_400_000).toISOString().slice(0, 10)),
          daily_active_users: fc.oneof(fc.integer({ min: 0, max: 400 }), fc.double({ min: 0, max: 400, noNaN: true })),
          feature_adoption_rate: fc.integer({ min: 0, max: 100 }).map((value) => value / 100),
          support_tickets_open: fc.integer({ min: 0, max: 25 }),
          nps_score: fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: fc.integer({ min: -100, max: 100 }), weight: 1 }),
          login_frequency: fc.double({ min: 0, max: 1, noNaN: true }),
          arr: fc.constant(100_000),
        }),
      ),
    ),
  );

const configArbitrary: fc.Arbitrary<HealthConfig> = fc.record({
  windowDays: fc.integer({ min: 1, max: 90 }),
  dauBenchmarks: fc.record({
    Enterprise: fc.integer({ min: 1, max: 500 }),
    "Mid-Market": fc.double({ min: 0.5, max: 300, noNaN: true }),
    SMB: fc.integer({ min: 1, max: 100 }),
  }),
  ticketCeiling: fc.oneof(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0.5, max: 30, noNaN: true })),
});

describe("the health model semantics", () => {
  it("under model 1, equal the formula's reference on every date, to the last bit", () => {
    fc.assert(
      fc.property(historyArbitrary, fc.constantFrom(...SEGMENTS), configArbitrary, (history, segment, config) => {
        const expected = scoreHistory(history, segment, config);
        const actual = scoreModelHistory(history, segment, configuredModelDocument(config));
        expect(actual.map((scored) => scored.date)).toEqual(expected.map((scored) => scored.date));
        actual.forEach((scored, index) => {
          const reference = expected[index];
          expect(scored.score).toBe(reference?.score);
          expect(scored.bucket).toBe(reference?.bucket);
          expect(scored.components).toEqual(reference?.components);
          expect(scored.sources.nps).toBe(reference?.nps_source);
        });
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT_MS);

  it("on any model: points within each weight, a missing component's weight spread over the others", () => {
    const componentArbitrary = (key: string, weight: number) =>
      fc.record({
        measure: fc.constantFrom("daily_active_users", "support_tickets_open", "nps_score", "login_frequency", "seats_ratio"),
        type: fc.constantFrom("mean" as const, "latest" as const),
        carry: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
        ends: fc.tuple(fc.integer({ min: -100, max: 300 }), fc.integer({ min: -100, max: 300 })).filter(([a, b]) => a !== b),
      }).map(({ measure, type, carry, ends: [zero_at, full_at] }) => ({
        key,
        measure,
        weight,
        aggregation: carry === undefined ? { type } : { type, carry_days: carry },
        scale: { zero_at, full_at },
      }));
    const modelArbitrary: fc.Arbitrary<ModelSpec> = fc
      .tuple(fc.integer({ min: 1, max: 98 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 99 }))
      .chain(([split, windowDays, atRisk]) =>
        fc.record({
          window_days: fc.constant(windowDays),
          buckets: fc.constant({ healthy_min: atRisk + 1, at_risk_min: atRisk }),
          components: fc.tuple(componentArbitrary("first", split), componentArbitrary("second", 100 - split)),
        }),
      );
    const withSeats = historyArbitrary.chain((history) =>
      fc.tuple(...history.map(() => fc.option(fc.double({ min: 0, max: 1.5, noNaN: true }), { nil: null }))).map(
        (seats): ModelMetricsRow[] => history.map((row, index) => ({ ...row, measures: { seats_ratio: seats[index] ?? null } })),
      ),
    );
    fc.assert(
      fc.property(withSeats, fc.constantFrom(...SEGMENTS), modelArbitrary, (history, segment, model) => {
        for (const scored of scoreModelHistory(history, segment, model)) {
          expect(scored.score).toBeGreaterThanOrEqual(0);
          expect(scored.score).toBeLessThanOrEqual(100);
          const [first, second] = model.components;
          const a = scored.components.first;
          const b = scored.components.second;
          if (first && a !== null && a !== undefined) expect(a).toBeLessThanOrEqual(first.weight);
          if (second && b !== null && b !== undefined) expect(b).toBeLessThanOrEqual(second.weight);
          if (first && second && a != null && b === null) {
            // The second's weight went to the first: the score is its points on a 0-100 scale.
            expect(Math.abs(scored.score - (a * 100) / first.weight)).toBeLessThanOrEqual(0.06 + 100 / first.weight / 200);
          }
          const expectedBucket = scored.score >= model.buckets.healthy_min ? "Healthy" : scored.score >= model.buckets.at_risk_min ? "At-Risk" : "Critical";
          expect(scored.bucket).toBe(expectedBucket);
        }
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT_MS);
});
