import type { Queues } from "../bindings";
import { bumpAfter } from "../db/queries/data-version";
import { refreshRevenueFigures } from "../db/queries/revenue";
import { log } from "../lib/logger";
import type { Database } from "../lib/types";
import { countAccounts } from "./jobs";
import { activeScoringModel, loadActiveScoringModel, scoringFingerprint, type ScoringModel } from "./model";
import { announceEvents, startAccountsRecomputeJob, startFullRecomputeJob } from "./queue";
import { recomputeHealth } from "./rescore";
import { adoptPendingRescores, getScoringFingerprint, markBookStale, readScoringState, staleMarks } from "./state";
import type { RecomputeOutcome, RecomputeSettings, RecomputeTrigger, RescoreScope, UploadChanges } from "./types";

export interface RecomputeRequest {
  settings: RecomputeSettings;
  trigger: RecomputeTrigger;
  scope: RescoreScope;
  forceQueue?: boolean;
  /** Scope `stale` after an upload: the dates it changed (see UploadChanges), rescored with the stale marks. */
  upload?: UploadChanges;
}

/**
 * Compares the active model (under model 1: the configuration that defines it) with the one the stored scores follow
 * (`stored`); when it changed, marks every account stale (and records the new one) before any rescore, so the stale
 * marks every rescore, the summary and the account detail read say so. A change of the four variables while they
 * define model 1 is a model change like an activation: its events are marked so. Answers whether it marked.
 */
async function applyScoringModel(db: Database, model: ScoringModel, stored: string | null): Promise<boolean> {
  const fingerprint = scoringFingerprint(model);
  if (stored === fingerprint) return false;
  const marked = await bumpAfter(db, markBookStale(db, fingerprint, stored === null ? null : model.id));
  log("info", "health model changed: every account marked for rescoring", { fingerprint, accounts: marked });
  return true;
}

/** Scope `all`: the whole book, every date. */
async function recomputeBook(db: Database, queues: Queues, request: RecomputeRequest, started: number): Promise<RecomputeOutcome> {
  const { settings } = request;
  const model = await loadActiveScoringModel(db, settings.health);
  await applyScoringModel(db, model, await getScoringFingerprint(db));
  if (!request.forceQueue && (await countAccounts(db)) <= settings.inlineMaxAccounts) {
    return { mode: "inline", result: await recomputeHealth(db, model, { alertScoreDrop: settings.alertScoreDrop }) };
  }
  return { mode: "queued", job: await startFullRecomputeJob(db, queues.recompute, request.trigger), durationMs: Date.now() - started };
}

/**
 * Scope `stale`: the accounts marked stale (by a configuration change, a new segment, a failed rescore, an abandoned
 * upload's pending rescores) and the dates an upload changed, each over the dates its changes reach.
 */
async function rescoreStale(db: Database, queues: Queues, request: RecomputeRequest, started: number): Promise<RecomputeOutcome> {
  const { settings, upload } = request;
  const others = { exceptRunId: upload?.runId ?? null };
  const state = await readScoringState(db, others);
  if (state.pending) await adoptPendingRescores(db, others);
  const model = activeScoringModel(state.activeModel, settings.health);
  const marked = await applyScoringModel(db, model, state.fingerprint);
  const marks = state.pending || marked ? await staleMarks(db) : state.marks;
  // The marks travel with the upload's ranges so the chunks can be sized; the rescore reads the marks itself too.
  const ranges = [...(upload?.ranges ?? []), ...marks];
  const accountIds = [...new Set(ranges.map(([accountId]) => accountId))];
  if (!request.forceQueue && upload?.ranges !== null && accountIds.length <= settings.inlineMaxAccounts) {
    const result = await recomputeHealth(db, model, {
      accountIds,
      scope: "stale",
      changedRanges: ranges,
      alertScoreDrop: settings.alertScoreDrop,
      settlesRunId: upload?.runId,
    });
    return { mode: "inline", result };
  }
  // A queued job rescores marked accounts: the upload's pending rescores become marks first.
  if (upload) await adoptPendingRescores(db, { runId: upload.runId });
  const stale = (await staleMarks(db)).map(([accountId]) => accountId);
  const job = await startAccountsRecomputeJob(db, queues.recompute, request.trigger, stale, "stale");
  return { mode: "queued", job, durationMs: Date.now() - started };
}

/**
 * A recompute, inline when its accounts are few enough (one invocation does them well within D1's limits) and no
 * queue is forced, else as a job on the recompute queue; an up-to-date book writes nothing. Used by
 * `POST /health/recompute`, every upload and the cron. The events an inline rescore wrote are announced to the
 * webhooks here, but for an upload's (the upload announces them with its own event); a queued job's chunks announce
 * their own (queue.ts).
 */
export async function recomputeScores(db: Database, queues: Queues, request: RecomputeRequest): Promise<RecomputeOutcome> {
  const started = Date.now();
  const outcome =
    request.scope === "all"
      ? await recomputeBook(db, queues, request, started)
      : await rescoreStale(db, queues, request, started);
  // The accounts are up to their metrics: the revenue statement's kept figures follow (a queued job's last chunk
  // does the same, queue.ts).
  if (outcome.mode === "inline") outcome.result.rowsWritten += await refreshRevenueFigures(db);
  // An upload announces its rescore's events with its own ingest.completed, once both have committed.
  if (outcome.mode === "inline" && !request.upload) await announceEvents(queues.webhooks, outcome.result);
  return outcome;
}
