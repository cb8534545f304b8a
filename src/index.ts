import { createApp } from "./app";
import { markAbandonedRuns } from "./db/queries/ingest-runs";
import {
  failRecomputeJob,
  processRecomputeMessage,
  recomputeBook,
  RECOMPUTE_MAX_ATTEMPTS,
  type RecomputeMessage,
} from "./jobs/recompute-jobs";
import { getConfig } from "./lib/config";
import { log } from "./lib/logger";

const app = createApp();

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The Cron Trigger (wrangler.toml `[triggers]`): the same recompute as `POST /health/recompute`. */
async function recomputeOnSchedule(controller: ScheduledController, env: Env): Promise<void> {
  const fields = { cron: controller.cron, scheduled_time: new Date(controller.scheduledTime).toISOString() };
  try {
    const config = getConfig(env);
    // The full recompute below also rescores what those runs stored.
    const abandoned = await markAbandonedRuns(env.DB);
    if (abandoned.runIds.length > 0) {
      log("warn", "uploads that stopped without finishing marked failed", { ...fields, runs: abandoned.runIds });
    }
    const outcome = await recomputeBook(env.DB, env.RECOMPUTE_QUEUE as Queue<RecomputeMessage>, {
      health: config.health,
      inlineMaxAccounts: config.recompute.inlineMaxAccounts,
      trigger: "cron",
    });
    if (outcome.mode === "inline") {
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
    log("error", "scheduled health recompute failed", { ...fields, error: describe(error) });
    // Rethrown so the invocation is marked failed in the Cron Events of the dashboard.
    throw error;
  }
}

/** The recompute queue's consumer: one chunk of accounts per message, retried by Queues on failure. */
async function consumeRecomputeChunks(batch: MessageBatch<RecomputeMessage>, env: Env): Promise<void> {
  const config = getConfig(env);
  for (const message of batch.messages) {
    const fields = { job_id: message.body.job_id, chunk: message.body.chunk, attempt: message.attempts };
    try {
      const result = await processRecomputeMessage(env.DB, config.health, message.body);
      log("info", "recompute chunk finished", {
        ...fields,
        accounts_updated: result.accountsUpdated,
        scores_written: result.scoresWritten,
        duration_ms: result.durationMs,
      });
      message.ack();
    } catch (error) {
      const lastAttempt = message.attempts >= RECOMPUTE_MAX_ATTEMPTS;
      log("error", "recompute chunk failed", { ...fields, error: describe(error), will_retry: !lastAttempt });
      if (lastAttempt) {
        await failRecomputeJob(env.DB, message.body.job_id, `Chunk ${message.body.chunk} failed: ${describe(error)}`);
        message.ack();
      } else {
        message.retry();
      }
    }
  }
}

export default {
  fetch: app.fetch,
  scheduled(controller, env, ctx) {
    ctx.waitUntil(recomputeOnSchedule(controller, env));
  },
  queue(batch, env) {
    return consumeRecomputeChunks(batch as MessageBatch<RecomputeMessage>, env);
  },
} satisfies ExportedHandler<Env, RecomputeMessage>;
