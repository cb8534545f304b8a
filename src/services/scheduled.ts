import { createDb } from "../db/client";
import { failRecomputeJob } from "../db/queries/recompute-jobs";
import { RECOMPUTE_MAX_ATTEMPTS, type RecomputeMessage } from "../jobs/recompute-queue";
import { getConfig } from "../lib/config";
import { describeError } from "../lib/errors";
import { log } from "../lib/logger";
import { nudgeFanOut, type WebhookMessage } from "../webhooks/messages";
import { recoverAbandonedRuns } from "./ingest/abandoned-runs";
import { processRecomputeMessage, recomputeScores } from "./recompute";
import { sweepWebhooks } from "./webhooks/deliveries";

/** The Worker's entry points other than HTTP: the Cron Trigger and the recompute queue's consumer. */

/**
 * The Cron Trigger (wrangler.toml `[triggers]`): what `POST /health/recompute?scope=stale` does. It rescores only the
 * accounts marked stale and what uploads left pending (an upload whose rescore failed or was cut off, a queued job
 * that failed, a crashed upload, or every account after a change of the health configuration); an up-to-date book
 * writes nothing and costs a few reads.
 */
export async function recomputeOnSchedule(controller: ScheduledController, env: Env): Promise<void> {
  const fields = { cron: controller.cron, scheduled_time: new Date(controller.scheduledTime).toISOString() };
  try {
    const config = getConfig(env);
    const db = createDb(env.DB);
    await recoverAbandonedRuns(db, fields);
    const outcome = await recomputeScores(db, env.RECOMPUTE_QUEUE as Queue<RecomputeMessage>, {
      health: config.health,
      inlineMaxAccounts: config.recompute.inlineMaxAccounts,
      alertScoreDrop: config.events.alertScoreDrop,
      trigger: "cron",
      scope: "stale",
    });
    if (outcome.mode === "inline" && outcome.result.accountsUpdated === 0) {
      log("info", "scheduled health recompute: nothing to do, every score is current", { ...fields, scores_written: 0 });
    } else if (outcome.mode === "inline") {
      log("info", "scheduled health recompute finished", {
        ...fields,
        mode: "inline",
        accounts_updated: outcome.result.accountsUpdated,
        scores_written: outcome.result.scoresWritten,
        duration_ms: outcome.result.durationMs,
      });
    } else {
      log("info", "scheduled health recompute queued", {
        ...fields,
        mode: "queued",
        job_id: outcome.job.id,
        accounts_total: outcome.job.accounts_total,
        chunks_total: outcome.job.chunks_total,
      });
    }
  } catch (error) {
    log("error", "scheduled health recompute failed", { ...fields, error: describeError(error) });
    // Rethrown so the invocation is marked failed in the Cron Events of the dashboard.
    throw error;
  } finally {
    await sweepOnSchedule(env, fields);
  }
}

/**
 * The cron's webhook part, whatever the rescore did: a fan-out nudge (for the events of a batch whose nudge was lost,
 * or of the rescore just run) and the deliveries whose queue message was lost sent again.
 */
async function sweepOnSchedule(env: Env, fields: Record<string, unknown>): Promise<void> {
  try {
    const { resent } = await sweepWebhooks(createDb(env.DB), env.WEBHOOK_QUEUE as Queue<WebhookMessage>);
    if (resent > 0) log("warn", "scheduled webhook sweep: overdue deliveries sent again", { ...fields, resent });
  } catch (error) {
    log("error", "scheduled webhook sweep failed", { ...fields, error: describeError(error) });
  }
}

/** The recompute queue's consumer: one chunk of accounts per message, retried by Queues on failure. */
export async function consumeRecomputeChunks(batch: MessageBatch<RecomputeMessage>, env: Env): Promise<void> {
  const config = getConfig(env);
  const db = createDb(env.DB);
  for (const message of batch.messages) {
    const fields = { job_id: message.body.job_id, chunk: message.body.chunk, attempt: message.attempts };
    try {
      const result = await processRecomputeMessage(db, config.health, message.body, config.events.alertScoreDrop);
      if (result.eventsWritten > 0) await nudgeFanOut(env.WEBHOOK_QUEUE as Queue<WebhookMessage>, fields);
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
        await failRecomputeJob(db, message.body.job_id, `Chunk ${message.body.chunk} failed: ${describeError(error)}`);
        message.ack();
      } else {
        message.retry();
      }
    }
  }
}
