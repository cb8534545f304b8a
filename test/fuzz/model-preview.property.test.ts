import { env } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { queuesOf } from "../../src/bindings";
import { DEFAULT_HEALTH_CONFIG } from "../../src/domain/health";
import { bucketFigures } from "../../src/domain/model-preview";
import type { Bucket } from "../../src/domain/types";
import { getConfig } from "../../src/lib/config";
import { previewAccounts } from "../../src/scoring/preview";
import { recomputeHealth } from "../../src/scoring/rescore";
import { activateDraftModel, previewModel } from "../../src/services/health-models";
import { resetDatabase, testDb } from "../helpers/db";
import { insertAccountWithHistory } from "../helpers/history";
import { historyArbitrary, modelArbitrary, segmentArbitrary } from "../helpers/models";

/*
 * Property: a preview does not lie. For a random book scored under model 1 and a random draft, activating the draft
 * stores, at every account's latest metric date, exactly the score and bucket the preview gave it, and the book's
 * buckets, ARR per bucket and moves are the preview's figures.
 */

/** Each case activates a model and rescores the book: half the cases of the scoring properties. */
const RUNS = Math.max(50, Math.round(Number(env.FUZZ_RUNS) / 2));
const TIMEOUT_MS = 60_000 + RUNS * 400;

const bookArbitrary = fc.array(fc.record({ segment: segmentArbitrary, history: historyArbitrary(20) }), { minLength: 0, maxLength: 5 });

interface AccountState {
  id: number;
  arr: number;
  health_score: number | null;
  health_bucket: Bucket | null;
}

async function accountStates(): Promise<AccountState[]> {
  const { results } = await env.DB.prepare("SELECT id, arr, health_score, health_bucket FROM accounts ORDER BY id").all<AccountState>();
  return results;
}

async function insertDraft(document: unknown): Promise<number> {
  const row = await env.DB.prepare(
    "INSERT INTO health_models (name, version, document, status) VALUES ('Random', 1, ?, 'draft') RETURNING id",
  )
    .bind(JSON.stringify(document))
    .first<{ id: number }>();
  return row?.id ?? -1;
}

describe("model preview (property)", () => {
  it(
    "equals the latest scores after activating the model: every account, every bucket and move figure",
    async () => {
      await fc.assert(
        fc.asyncProperty(modelArbitrary, bookArbitrary, async (model, book) => {
          await resetDatabase();
          for (const [index, account] of book.entries()) {
            await insertAccountWithHistory({ name: `Account ${index}`, segment: account.segment, metrics: account.history });
          }
          await recomputeHealth(testDb(), DEFAULT_HEALTH_CONFIG);
          const id = await insertDraft({ name: "Random", ...model });
          const before = await accountStates();
          const rows = await previewAccounts(testDb(), model);
          const preview = await previewModel(testDb(), id, DEFAULT_HEALTH_CONFIG);

          const activation = await activateDraftModel(testDb(), queuesOf(env), getConfig(env), id, null);
          expect(activation.rescore.mode).toBe("inline");
          const after = await accountStates();

          const scored = after.filter((account) => account.health_bucket !== null);
          expect(scored.map(({ id: accountId, health_score, health_bucket }) => ({ accountId, health_score, health_bucket }))).toEqual(
            rows.map((row) => ({ accountId: row.account_id, health_score: row.after.score, health_bucket: row.after.bucket })),
          );
          expect(preview.accounts).toBe(scored.length);
          expect(preview.draft).toEqual(bucketFigures(scored.map((account) => ({ bucket: account.health_bucket as Bucket, arr: account.arr }))));
          const bucketBefore = new Map(before.map((account) => [account.id, account.health_bucket]));
          for (const move of preview.moves) {
            const moved = scored.filter((account) => bucketBefore.get(account.id) === move.from && account.health_bucket === move.to);
            expect(move.accounts, `${move.from} → ${move.to}`).toBe(moved.length);
          }
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );
});
