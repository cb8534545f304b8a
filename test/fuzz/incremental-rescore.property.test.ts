import { env } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CSV_HEADER_ORDER } from "../../src/ingest/csv-header";
import { recomputeHealth } from "../../src/scoring/rescore";
import { DEFAULT_HEALTH_CONFIG } from "../../src/domain/health";
import { resetDatabase, testDb } from "../helpers/db";
import { addDays } from "../helpers/factories";
import { ingestStream } from "../helpers/ingest";
import { scoredState } from "../helpers/history";
import { streamOf } from "../helpers/streams";

/*
 * Property: after every upload, the incremental rescore (the stale accounts, over the dates their changes reach)
 * leaves exactly the state a full recompute of every date of every account gives: every health_scores row, every
 * account's current fields and its stored components and trends (timestamps aside). Histories and uploads are
 * random: new days appended, days back-filled inside and outside the 90-day reach, values changed, the same file
 * twice, files out of date order, NPS appearing and disappearing, a segment change.
 */

const RUNS = Number(env.FUZZ_RUNS);
/** About 60 ms a case (a few uploads, each compared with a full recompute); generous for `npm run test:fuzz`. */
const TIMEOUT_MS = 60_000 + RUNS * 150;

const START = "2025-01-01";
const NAMES = ["Acme", "Globex", "Initech"] as const;
const SEGMENTS = ["Enterprise", "Mid-Market", "SMB"] as const;

interface Row {
  name: (typeof NAMES)[number];
  segment: (typeof SEGMENTS)[number];
  day: number;
  dau: number;
  adoption: number;
  tickets: number;
  nps: number | null;
  login: number;
  arr: number;
}

const rate = fc.integer({ min: 0, max: 100 }).map((value) => value / 100);

/** Days up to 260, far enough apart for changes outside the 90-day reach; often exactly at or next to its edge. */
const day = (min: number, max: number) =>
  fc.oneof(fc.integer({ min, max }), fc.constantFrom(...[0, 1, 6, 7, 89, 90, 91, 97, 98, 180, 181, 240].filter((d) => d >= min && d <= max)));

const rowArbitrary = (days: fc.Arbitrary<number>) =>
  fc.record({
    name: fc.constantFrom(...NAMES),
    segment: fc.constantFrom(...SEGMENTS),
    day: days,
    dau: fc.integer({ min: 0, max: 300 }),
    adoption: rate,
    tickets: fc.integer({ min: 0, max: 15 }),
    // NPS comes and goes: most days carry none, so the carried NPS and its 90-day limit matter.
    nps: fc.oneof(
      { arbitrary: fc.constant(null), weight: 3 },
      { arbitrary: fc.integer({ min: -100, max: 100 }), weight: 1 },
    ),
    login: rate,
    arr: fc.constantFrom(10_000, 50_000, 120_000, 500_000),
  });

const history = fc.array(rowArbitrary(day(0, 240)), { minLength: 1, maxLength: 40 });

/** One upload after the first: a few rows anywhere (back-fills, changes) or appended days, or the previous file again. */
const upload = fc.oneof(
  fc.array(rowArbitrary(day(0, 260)), { minLength: 1, maxLength: 8 }),
  fc.array(rowArbitrary(day(230, 260)), { minLength: 1, maxLength: 6 }),
  fc.constant("repeat" as const),
);

function csvOf(rows: readonly Row[]): string {
  const lines = rows.map((row) =>
    [
      row.name,
      row.segment,
      "EMEA",
      row.arr,
      addDays(START, row.day),
      row.dau,
      row.adoption,
      row.tickets,
      row.nps ?? "",
      row.login,
    ].join(","),
  );
  return [CSV_HEADER_ORDER.join(","), ...lines].join("\n");
}

async function ingestCsvText(csv: string): Promise<void> {
  await ingestStream(streamOf([new TextEncoder().encode(csv)]), "property.csv");
}

describe("incremental rescore (property)", () => {
  it(
    "equals a full recompute of every score row and every current field after each upload",
    async () => {
      await fc.assert(
        fc.asyncProperty(history, fc.array(upload, { minLength: 1, maxLength: 3 }), async (first, later) => {
          await resetDatabase();
          let previous = csvOf(first);
          for (const next of [previous, ...later.map((rows) => (rows === "repeat" ? previous : csvOf(rows)))]) {
            await ingestCsvText(next);
            previous = next;
            const incremental = await scoredState();
            await recomputeHealth(testDb(), DEFAULT_HEALTH_CONFIG);
            const full = await scoredState();
            expect(incremental).toEqual(full);
            expect(incremental.accounts?.every((account) => account.scores_stale_from === null)).toBe(true);
          }
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );
});
