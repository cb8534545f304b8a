import { env } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { queuesOf } from "../../src/bindings";
import { DEFAULT_HEALTH_CONFIG } from "../../src/domain/health";
import { CSV_HEADER_ORDER } from "../../src/ingest/csv-header";
import { getConfig } from "../../src/lib/config";
import { loadActiveScoringModel } from "../../src/scoring/model";
import { recomputeHealth } from "../../src/scoring/rescore";
import { activateDraftModel } from "../../src/services/health-models";
import { resetDatabase, testDb } from "../helpers/db";
import { addDays } from "../helpers/factories";
import { scoredState } from "../helpers/history";
import { ingestStream } from "../helpers/ingest";
import { CUSTOM_MEASURES, modelArbitrary, type CustomMeasure } from "../helpers/models";
import { streamOf } from "../helpers/streams";

/*
 * Property: under any active model, the incremental rescore after each upload leaves exactly the state a full
 * recompute under that model gives (every score row with its components, every account's current fields and
 * trends). The model is drawn per case; the uploads carry the three custom measures' columns, their cells empty on
 * some rows, and back-fill, change and repeat days as in the formula's own property (incremental-rescore).
 */

/** Each case uploads a few files and recomputes after each: half the cases of the scoring properties. */
const RUNS = Math.max(50, Math.round(Number(env.FUZZ_RUNS) / 2));
const TIMEOUT_MS = 60_000 + RUNS * 400;

const START = "2025-01-01";
const NAMES = ["Acme", "Globex", "Initech"] as const;
const MEASURE_NAMES = Object.keys(CUSTOM_MEASURES) as CustomMeasure[];
const MEASURE_RANGES: Record<CustomMeasure, [number, number]> = {
  seats_ratio: [0, 1.5],
  invoices_overdue: [0, 10],
  sponsor_engaged: [0, 1],
};

const rate = fc.integer({ min: 0, max: 100 }).map((value) => value / 100);
const day = (min: number, max: number) =>
  fc.oneof(fc.integer({ min, max }), fc.constantFrom(...[0, 1, 6, 7, 29, 30, 31, 89, 90, 91, 120].filter((d) => d >= min && d <= max)));

const rowArbitrary = (days: fc.Arbitrary<number>) =>
  fc.record({
    name: fc.constantFrom(...NAMES),
    segment: fc.constantFrom("Enterprise", "Mid-Market", "SMB"),
    day: days,
    dau: fc.integer({ min: 0, max: 300 }),
    adoption: rate,
    tickets: fc.integer({ min: 0, max: 15 }),
    nps: fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: fc.integer({ min: -100, max: 100 }), weight: 1 }),
    login: rate,
    measures: fc.tuple(
      ...MEASURE_NAMES.map((name) => fc.option(CUSTOM_MEASURES[name] as fc.Arbitrary<number>, { nil: null, freq: 2 })),
    ),
  });
type Row = ReturnType<typeof rowArbitrary> extends fc.Arbitrary<infer R> ? R : never;

const history = fc.array(rowArbitrary(day(0, 120)), { minLength: 1, maxLength: 25 });
const upload = fc.oneof(
  fc.array(rowArbitrary(day(0, 130)), { minLength: 1, maxLength: 6 }),
  fc.array(rowArbitrary(day(110, 130)), { minLength: 1, maxLength: 5 }),
  fc.constant("repeat" as const),
);

function csvOf(rows: readonly Row[]): string {
  const lines = rows.map((row) =>
    [
      row.name,
      row.segment,
      "EMEA",
      50_000,
      addDays(START, row.day),
      row.dau,
      row.adoption,
      row.tickets,
      row.nps ?? "",
      row.login,
      ...row.measures.map((value) => value ?? ""),
    ].join(","),
  );
  return [[...CSV_HEADER_ORDER, ...MEASURE_NAMES].join(","), ...lines].join("\n");
}

async function declareMeasures(): Promise<void> {
  await env.DB.batch(
    MEASURE_NAMES.map((name) =>
      env.DB.prepare("INSERT INTO measures (name, description, min, max) VALUES (?, ?, ?, ?)").bind(name, name, ...MEASURE_RANGES[name]),
    ),
  );
}

async function activate(document: unknown): Promise<void> {
  const row = await env.DB.prepare("INSERT INTO health_models (name, version, document, status) VALUES ('Random', 1, ?, 'draft') RETURNING id")
    .bind(JSON.stringify(document))
    .first<{ id: number }>();
  await activateDraftModel(testDb(), queuesOf(env), getConfig(env), row?.id ?? -1, null);
}

describe("incremental rescore under a random model (property)", () => {
  it(
    "equals a full recompute under the same model after each upload",
    async () => {
      await fc.assert(
        fc.asyncProperty(modelArbitrary, history, fc.array(upload, { minLength: 1, maxLength: 3 }), async (model, first, later) => {
          await resetDatabase();
          await declareMeasures();
          await activate({ name: "Random", ...model });
          const active = await loadActiveScoringModel(testDb(), DEFAULT_HEALTH_CONFIG);
          let previous = csvOf(first);
          for (const next of [previous, ...later.map((rows) => (rows === "repeat" ? previous : csvOf(rows)))]) {
            const report = await ingestStream(streamOf([new TextEncoder().encode(next)]), "property.csv");
            expect(report.errorCount, JSON.stringify(report.rowErrors)).toBe(0);
            previous = next;
            const incremental = await scoredState();
            await recomputeHealth(testDb(), active);
            expect(incremental).toEqual(await scoredState());
          }
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );
});
