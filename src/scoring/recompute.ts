import {
  accountIdRanges,
  countAccounts,
  failRecomputeJob,
  insertRecomputeJob,
  recordRecomputeChunk,
} from "../db/queries/recompute-jobs";
import type { ChangedRange } from "../db/queries/metric-batches";
import { adoptPendingRescores, readScoringState } from "../db/queries/pending-rescores";
import { bumpAfter } from "../db/queries/data-version";
import { getScoringFingerprint, markBookStale, staleMarks } from "../db/queries/scoring-state";
import { recomputeHealth, type RecomputeResult, type RescoreScope } from "../jobs/recompute";
import {
  ACCOUNTS_PER_MESSAGE,
  partsForAccounts,
  sendParts,
  type RecomputeMessage,
  type RecomputePart,
  type RecomputeTrigger,
} from "../jobs/recompute-queue";
import { healthConfigFingerprint, type HealthConfig } from "../domain/health";
import { errorMessage } from "../lib/errors";
import { log } from "../lib/logger";
import type { Database } from "../lib/types";
import type { RecomputeJob } from "../contract/health";

/**
 * Recomputes, inline or queued. A queued one records a job and enqueues its parts; the consumer rescores a message's
 * accounts and records the chunk once, so a redelivered message is not counted twice. The job is complete when
 * every chunk is recorded.
 */

async function enqueue(
  db: Database,
  queue: Queue<RecomputeMessage>,
  trigger: RecomputeTrigger,
  accountsTotal: number,
  parts: readonly RecomputePart[],
): Promise<RecomputeJob> {
  const job = await insertRecomputeJob(db, trigger, accountsTotal, parts.length);
  try {
    await sendParts(queue, job.id, parts);
  } catch (error) {
    await failRecomputeJob(db, job.id, `Enqueueing the chunks failed: ${errorMessage(error)}`);
    throw error;
  }
  return job;
}

/** Every account, as consecutive id ranges. */
export async function startFullRecomputeJob(
  db: Database,
  queue: Queue<RecomputeMessage>,
  trigger: RecomputeTrigger,
): Promise<RecomputeJob> {
  const ranges = await accountIdRanges(db, ACCOUNTS_PER_MESSAGE);
  const total = ranges.reduce((sum, range) => sum + range.accounts, 0);
  return enqueue(db, queue, trigger, total, ranges.map(({ first_id, last_id }) => ({ first_id, last_id })));
}

/** The given accounts (e.g. the stale ones an upload sees), as lists of ids, rescored in `scope`. */
export async function startAccountsRecomputeJob(
  db: Database,
  queue: Queue<RecomputeMessage>,
  trigger: RecomputeTrigger,
  accountIds: readonly number[],
  scope: RescoreScope = "all",
): Promise<RecomputeJob> {
  const { accountsTotal, parts } = partsForAccounts(accountIds, scope);
  return enqueue(db, queue, trigger, accountsTotal, parts);
}

/** The consumer's work for one message: rescore its accounts, then record the chunk. */
export async function processRecomputeMessage(
  db: Database,
  config: HealthConfig,
  message: RecomputeMessage,
  alertScoreDrop: number,
): Promise<RecomputeResult> {
  const result =
    "account_ids" in message
      ? await recomputeHealth(db, config, { accountIds: message.account_ids, scope: message.scope ?? "all", alertScoreDrop })
      : await recomputeHealth(db, config, { idRange: { first: message.first_id, last: message.last_id }, alertScoreDrop });
  await bumpAfter(db, recordRecomputeChunk(db, message, result));
  return result;
}

export type RecomputeOutcome =
  | { mode: "inline"; result: RecomputeResult }
  | { mode: "queued"; job: RecomputeJob; durationMs: number };

export interface RecomputeRequest {
  health: HealthConfig;
  /** ALERT_SCORE_DROP, for the health events the rescore writes. */
  alertScoreDrop: number;
  /** At most this many accounts are rescored in the invocation itself; more go to the queue. */
  inlineMaxAccounts: number;
  trigger: RecomputeTrigger;
  scope: RescoreScope;
  forceQueue?: boolean;
  /** Scope `stale` after an upload: the dates it changed (see UploadChanges), rescored with the stale marks. */
  upload?: UploadChanges;
}

/** What an upload changed: its run (whose pending_rescores rows record it) and, per account, the dates. */
export interface UploadChanges {
  runId: number;
  /** Null when the upload changed more accounts than it keeps in memory: it is rescored by a queued job. */
  ranges: readonly ChangedRange[] | null;
}

/**
 * Compares the health configuration with the one the stored scores follow (`stored`); when it changed, marks every
 * account stale (and records the new one) before any rescore, so the stale marks every rescore, the summary and the
 * account detail read say so. Answers whether it did.
 */
async function applyHealthConfig(db: Database, health: HealthConfig, stored: string | null): Promise<boolean> {
  const fingerprint = healthConfigFingerprint(health);
  if (stored === fingerprint) return false;
  const marked = await bumpAfter(db, markBookStale(db, fingerprint));
  log("info", "health configuration changed: every account marked for rescoring", { fingerprint, accounts: marked });
  return true;
}

/**
 * A recompute, inline when its accounts are few enough (one invocation does them well within D1's limits) and no
 * queue is forced, else as a job on the recompute queue. Scope `all` (`POST /health/recompute`): the whole book, every
 * date. Scope `stale` (every upload, the cron, `POST /health/recompute?scope=stale`): the accounts marked stale (by a
 * configuration change, a new segment, a failed rescore, an abandoned upload's pending rescores) and the dates an
 * upload changed, each over the dates its changes reach; an up-to-date book writes nothing.
 */
export async function recomputeScores(
  db: Database,
  queue: Queue<RecomputeMessage>,
  request: RecomputeRequest,
): Promise<RecomputeOutcome> {
  const started = Date.now();
  if (request.scope === "all") {
    await applyHealthConfig(db, request.health, await getScoringFingerprint(db));
    if (!request.forceQueue && (await countAccounts(db)) <= request.inlineMaxAccounts) {
      return { mode: "inline", result: await recomputeHealth(db, request.health, { alertScoreDrop: request.alertScoreDrop }) };
    }
    return { mode: "queued", job: await startFullRecomputeJob(db, queue, request.trigger), durationMs: Date.now() - started };
  }

  const { upload } = request;
  const others = { exceptRunId: upload?.runId ?? null };
  const state = await readScoringState(db, others);
  if (state.pending) await adoptPendingRescores(db, others);
  const marked = await applyHealthConfig(db, request.health, state.fingerprint);
  const marks = state.pending || marked ? await staleMarks(db) : state.marks;
  // The marks travel with the upload's ranges so the chunks can be sized; the rescore reads the marks itself too.
  const ranges = [...(upload?.ranges ?? []), ...marks];
  const accountIds = [...new Set(ranges.map(([accountId]) => accountId))];
  if (!request.forceQueue && upload?.ranges !== null && accountIds.length <= request.inlineMaxAccounts) {
    const result = await recomputeHealth(db, request.health, {
      accountIds,
      scope: "stale",
      changedRanges: ranges,
      alertScoreDrop: request.alertScoreDrop,
      settlesRunId: upload?.runId,
    });
    return { mode: "inline", result };
  }
  // A queued job rescores marked accounts: the upload's pending rescores become marks first.
  if (upload) await adoptPendingRescores(db, { runId: upload.runId });
  const stale = (await staleMarks(db)).map(([accountId]) => accountId);
  const job = await startAccountsRecomputeJob(db, queue, request.trigger, stale, "stale");
  return { mode: "queued", job, durationMs: Date.now() - started };
}
