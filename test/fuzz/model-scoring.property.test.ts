import { env } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ModelSpec } from "../../src/domain/health-model";
import { scoreModelHistory, type ModelMetricsRow } from "../../src/domain/reference/health-model";
import type { Segment } from "../../src/domain/types";
import { HEALTH_SCORE_POINTS_COLUMNS } from "../../src/db/schema";
import { recomputeHealth } from "../../src/scoring/rescore";
import { resetDatabase, testDb } from "../helpers/db";
import { insertAccountWithHistory } from "../helpers/history";
import { historyArbitrary, modelArbitrary, segmentArbitrary } from "../helpers/models";

/*
 * Property: under any model document, the SQL scoring stores exactly what the model's reference
 * (domain/reference/health-model.ts) computes, for every account and date: the score, the bucket, every component's
 * points in its column (null where it had no data) and the NPS source, with the model's id, to the last bit.
 */

const RUNS = Number(env.FUZZ_RUNS);
const TIMEOUT_MS = 60_000 + RUNS * 100;
const MODEL_ID = 42;

interface StoredScore {
  account_id: number;
  date: string;
  score: number;
  bucket: string;
  model_id: number;
  /** Every points column in order, as a JSON array. */
  points: string;
  nps_source: string | null;
}

const accountsArbitrary = fc.array(fc.record({ segment: segmentArbitrary, history: historyArbitrary(30) }), {
  minLength: 1,
  maxLength: 3,
});

/** What the reference says the NPS source is: that of the first component scoring the NPS, else none. */
function npsSourceOf(model: ModelSpec, sources: Record<string, string>): string | null {
  const nps = model.components.find((component) => component.measure === "nps_score");
  return nps ? (sources[nps.key] ?? null) : null;
}

async function storedScores(): Promise<StoredScore[]> {
  const { results } = await env.DB.prepare(
    `SELECT account_id, date, score, bucket, model_id, nps_source,
            json_array(${HEALTH_SCORE_POINTS_COLUMNS.join(", ")}) AS points
     FROM health_scores ORDER BY account_id, date`,
  ).all<StoredScore>();
  return results;
}

describe("model-driven scoring (property)", () => {
  it(
    "stores what the model's reference computes, for random models and histories with custom measures",
    async () => {
      await fc.assert(
        fc.asyncProperty(modelArbitrary, accountsArbitrary, async (model, accounts) => {
          await resetDatabase();
          const seeded: { id: number; segment: Segment; history: ModelMetricsRow[] }[] = [];
          for (const [index, account] of accounts.entries()) {
            const id = await insertAccountWithHistory({ name: `Account ${index}`, segment: account.segment, metrics: account.history });
            seeded.push({ id, ...account });
          }
          await recomputeHealth(testDb(), { kind: "document", id: MODEL_ID, spec: model });
          const stored = await storedScores();
          const expected = seeded.flatMap(({ id, segment, history }) =>
            scoreModelHistory(history, segment, model).map((scored) => ({
              account_id: id,
              date: scored.date,
              score: scored.score,
              bucket: scored.bucket,
              model_id: MODEL_ID,
              nps_source: npsSourceOf(model, scored.sources),
              // Component i in the i-th points column, the columns past the model's components null.
              points: HEALTH_SCORE_POINTS_COLUMNS.map((_, index) => {
                const key = model.components[index]?.key;
                return key === undefined ? null : (scored.components[key] ?? null);
              }),
            })),
          );
          expect(stored.map(({ points, ...row }) => ({ ...row, points: JSON.parse(points) as unknown }))).toEqual(expected);
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );
});
