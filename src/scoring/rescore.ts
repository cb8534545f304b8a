import type { SQL } from "drizzle-orm";
import { numberedStatements, runNamedBatch } from "../db/batch";
import { BUMP_DATA_VERSION } from "../db/queries/data-version";
import { rescoredAccountShares } from "../db/queries/book-figures";
import { markRevenueStaleIfMoved } from "../db/queries/revenue";
import { DEFAULT_ALERT_SCORE_DROP } from "../domain/events";
import type { Database } from "../lib/types";
import { componentColumns, updateAccounts } from "./account-health-sql";
import { chunksOfAccountIds, rangesByAccount } from "./chunks";
import { insertHealthEvents } from "./events-sql";
import type { HealthConfig } from "../domain/health";
import { configuredModel, rescoreReachDays, specOf, windowDaysOf, type ScoringModel } from "./model";
import { upsertModelScores } from "./model-scores-sql";
import { deleteOrphanScores, targets, upsertScores } from "./scores-sql";
import { deletePendingRescoresSql } from "./state";
import type { RecomputeOptions, RecomputeResult } from "./types";

function assertValidWindowDays(windowDays: number): void {
  // Inlined into SQL, so it must be a plain integer.
  if (!Number.isInteger(windowDays) || windowDays < 1 || windowDays > 3650) {
    throw new RangeError(`The health window must be a whole number of days from 1 to 3650, not ${windowDays}.`);
  }
}

/** The chunk's scores under the model: model 1's statement, or the one built from the model's document. */
function upsertChunkScores(scope: SQL, model: ScoringModel, computedAt: string, scoresEveryRowRead: boolean): SQL {
  return model.kind === "configured"
    ? upsertScores(scope, model.config, computedAt, scoresEveryRowRead)
    : upsertModelScores(scope, model.id, model.spec, computedAt, scoresEveryRowRead);
}

/** D1 rows written by a chunk's statements (`meta.rows_written`, what D1 bills), indexes included. */
function rowsWrittenBy(writes: Record<string, D1Result | undefined>): number {
  return Object.values(writes).reduce((sum, result) => sum + (result?.meta.rows_written ?? 0), 0);
}

/**
 * Scores every date (scope `all`) or the dates a change can reach (scope `stale`) of every (or the given) account
 * with set-based SQL, stores the history in `health_scores`, updates each account's current score, bucket, components
 * and trends, and writes the health events the change caused.
 *
 * Accounts are processed in chunks (chunks.ts); each chunk is one atomic batch that also bumps the data version, so an
 * account is never left with new history but an old current score, and no reader keeps a tag of data that changed
 * (docs/architecture.md, "Invariants"). Chunks run one after another (D1 has a single writer).
 */
export async function recomputeHealth(
  db: Database,
  modelOrConfig: ScoringModel | HealthConfig,
  options: RecomputeOptions = {},
): Promise<RecomputeResult> {
  // A bare configuration is model 1 under it (how the rescore was called before models existed).
  const model = "kind" in modelOrConfig ? modelOrConfig : configuredModel(modelOrConfig);
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const windowDays = windowDaysOf(model);
  assertValidWindowDays(windowDays);
  const reachDays = rescoreReachDays(model);
  const components = componentColumns(specOf(model).components.map((component) => component.key));
  const alertScoreDrop = options.alertScoreDrop ?? DEFAULT_ALERT_SCORE_DROP;
  const scopeName = options.scope ?? "all";
  const rangesOf = rangesByAccount(options.changedRanges ?? []);
  const chunks = await chunksOfAccountIds(db, options, rangesOf, reachDays, windowDays);
  const totals = { accountsUpdated: 0, scoresWritten: 0, rowsWritten: 0, eventsWritten: 0 };
  if (chunks.length === 0 && options.settlesRunId !== undefined) {
    totals.rowsWritten += (await db.run(deletePendingRescoresSql(options.settlesRunId))).meta.rows_written ?? 0;
  }
  for (const [index, chunk] of chunks.entries()) {
    const ids = JSON.stringify(chunk);
    const chunkRanges = JSON.stringify(chunk.flatMap((id) => rangesOf.get(id) ?? []));
    const scope = targets(ids, scopeName, reachDays, windowDays, chunkRanges);
    const settles = index === chunks.length - 1 && options.settlesRunId !== undefined ? { runId: options.settlesRunId } : null;
    const writes = await runNamedBatch(db, {
      scores: db.run(upsertChunkScores(scope, model, startedAt, scopeName === "all")),
      // The API never deletes metrics: only a full recompute, which also repairs edits made outside it, looks for the
      // scores of dates whose metrics are gone (a scan a daily delta need not pay); before the accounts read the scores.
      orphanScores: scopeName === "all" ? db.run(deleteOrphanScores(scope)) : undefined,
      accounts: db.run(updateAccounts(ids, startedAt, components)),
      // The book's figures (db/queries/book-figures.ts): each updated account's share, from its prev_* values to its new.
      ...numberedStatements(db, "figures", rescoredAccountShares(ids, startedAt)),
      revenueStale: db.run(markRevenueStaleIfMoved(ids, startedAt)),
      events: db.run(insertHealthEvents(ids, startedAt, alertScoreDrop)),
      // In the chunk's own batch, so a reader never meets the new scores under the old data version.
      dataVersion: db.run(BUMP_DATA_VERSION),
      // The last chunk settles the upload: its pending rescores are done once every chunk is.
      settledPendingRescores: settles ? db.run(deletePendingRescoresSql(settles.runId)) : undefined,
    });
    totals.scoresWritten += writes.scores.meta.changes ?? 0;
    totals.accountsUpdated += writes.accounts.meta.changes ?? 0;
    totals.eventsWritten += writes.events.meta.changes ?? 0;
    totals.rowsWritten += rowsWrittenBy(writes);
  }
  const finished = Date.now();
  return { ...totals, durationMs: finished - started, startedAt, finishedAt: new Date(finished).toISOString() };
}
