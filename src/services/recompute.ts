import {
  accountIdRanges,
  countAccounts,
  failRecomputeJob,
  insertRecomputeJob,
  recordRecomputeChunk,
} from "../db/queries/recompute-jobs";
import { recomputeHealth, type RecomputeResult } from "../jobs/recompute";
import {
  ACCOUNTS_PER_MESSAGE,
  partsForAccounts,
  sendParts,
  type RecomputeMessage,
  type RecomputePart,
  type RecomputeTrigger,
} from "../jobs/recompute-queue";
import type { HealthConfig } from "../lib/config";
import { errorMessage } from "../lib/errors";
import type { Database } from "../lib/types";
import type { RecomputeJob } from "../routes/health/health.schemas";

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

/** The given accounts (e.g. the ones an upload changed), as lists of ids. */
export async function startAccountsRecomputeJob(
  db: Database,
  queue: Queue<RecomputeMessage>,
  trigger: RecomputeTrigger,
  accountIds: readonly number[],
): Promise<RecomputeJob> {
  const { accountsTotal, parts } = partsForAccounts(accountIds);
  return enqueue(db, queue, trigger, accountsTotal, parts);
}

/** The consumer's work for one message: rescore its accounts, then record the chunk. */
export async function processRecomputeMessage(
  db: Database,
  config: HealthConfig,
  message: RecomputeMessage,
): Promise<RecomputeResult> {
  const result =
    "account_ids" in message
      ? await recomputeHealth(db, config, { accountIds: message.account_ids })
      : await recomputeHealth(db, config, { idRange: { first: message.first_id, last: message.last_id } });
  await recordRecomputeChunk(db, message, result);
  return result;
}

export type RecomputeOutcome =
  | { mode: "inline"; result: RecomputeResult }
  | { mode: "queued"; job: RecomputeJob; durationMs: number };

/**
 * The whole book: inline when it has at most `inlineMaxAccounts` accounts (one invocation does it well within D1's
 * limits), else, or when `queue` is forced, as a job on the recompute queue. Shared by the route and the cron.
 */
export async function recomputeBook(
  db: Database,
  queue: Queue<RecomputeMessage>,
  options: { health: HealthConfig; inlineMaxAccounts: number; trigger: RecomputeTrigger; forceQueue?: boolean },
): Promise<RecomputeOutcome> {
  const started = Date.now();
  if (!options.forceQueue && (await countAccounts(db)) <= options.inlineMaxAccounts) {
    return { mode: "inline", result: await recomputeHealth(db, options.health) };
  }
  const job = await startFullRecomputeJob(db, queue, options.trigger);
  return { mode: "queued", job, durationMs: Date.now() - started };
}
