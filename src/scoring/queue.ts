import type { RecomputeJob } from "../contract/health";
import { createDb } from "../db/client";
import { bumpAfter } from "../db/queries/data-version";
import { refreshRevenueFigures } from "../db/queries/revenue";
import { getConfig } from "../lib/config";
import { describeError, errorMessage } from "../lib/errors";
import { log } from "../lib/logger";
import type { Database } from "../lib/types";
import { queuesOf } from "../bindings";
import { nudgeFanOut, type WebhookMessage } from "../webhooks/messages";
import { accountIdRanges, failRecomputeJob, getRecomputeJob, insertRecomputeJob, recordRecomputeChunk } from "./jobs";
import {
  ACCOUNTS_PER_MESSAGE,
  partsForAccounts,
  RECOMPUTE_MAX_ATTEMPTS,
  recomputeMessageSchema,
  sendParts,
  type RecomputeMessage,
  type RecomputePart,
} from "./queue-messages";
import { recomputeSettings } from "./settings";
import { loadActiveScoringModel } from "./model";
import { recomputeHealth } from "./rescore";
import type { RecomputeResult, RecomputeSettings, RecomputeTrigger, RescoreScope } from "./types";

/*
 * Queued recomputes: a job is recorded and its parts enqueued; the consumer rescores a message's accounts and records
 * the chunk once, so a redelivered message is not counted twice. The job is complete when every chunk is recorded.
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
  settings: Pick<RecomputeSettings, "health" | "alertScoreDrop">,
  message: RecomputeMessage,
): Promise<RecomputeResult> {
  const { health, alertScoreDrop } = settings;
  // The model active now: a job queued before an activation rescores with the new one (its marks are the new one's).
  const model = await loadActiveScoringModel(db, health);
  const result =
    "account_ids" in message
      ? await recomputeHealth(db, model, { accountIds: message.account_ids, scope: message.scope ?? "all", alertScoreDrop })
      : await recomputeHealth(db, model, { idRange: { first: message.first_id, last: message.last_id }, alertScoreDrop });
  await bumpAfter(db, recordRecomputeChunk(db, message, result));
  // The job's last chunk to finish brings the accounts up to their metrics: the revenue figures follow.
  if ((await getRecomputeJob(db, message.job_id))?.status === "completed") await refreshRevenueFigures(db);
  return result;
}

/**
 * Has the health events a rescore wrote delivered to the webhooks: every rescore, inline or queued, ends here, so no
 * caller nudges the fan-out itself. A lost nudge only delays the deliveries (see nudgeFanOut).
 */
export async function announceEvents(
  webhooks: Queue<WebhookMessage>,
  result: RecomputeResult,
  fields: Record<string, unknown> = {},
): Promise<void> {
  if (result.eventsWritten > 0) await nudgeFanOut(webhooks, fields);
}

/** The recompute queue's consumer: one chunk of accounts per message, retried by Queues on failure. */
export async function consumeRecomputeChunks(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  // A chunk is rescored where it is: of the settings, only the health formula and the alert threshold apply.
  const settings = recomputeSettings(getConfig(env), "api");
  const queues = queuesOf(env);
  const db = createDb(env.DB);
  for (const message of batch.messages) {
    const parsed = recomputeMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      log("error", "recompute queue message not understood; dropped", { message_id: message.id });
      message.ack();
      continue;
    }
    const body = parsed.data;
    const fields = { job_id: body.job_id, chunk: body.chunk, attempt: message.attempts };
    try {
      const result = await processRecomputeMessage(db, settings, body);
      await announceEvents(queues.webhooks, result, fields);
      log("info", "recompute chunk finished", {
        ...fields,
        accounts_updated: result.accountsUpdated,
        scores_written: result.scoresWritten,
        duration_ms: result.durationMs,
      });
      message.ack();
    } catch (error) {
      const lastAttempt = message.attempts >= RECOMPUTE_MAX_ATTEMPTS;
      log("error", "recompute chunk failed", { ...fields, error: describeError(error), will_retry: !lastAttempt });
      if (lastAttempt) {
        await failRecomputeJob(db, body.job_id, `Chunk ${body.chunk} failed: ${describeError(error)}`);
        message.ack();
      } else {
        message.retry();
      }
    }
  }
}
