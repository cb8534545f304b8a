import { queuesOf } from "../bindings";
import { createDb } from "../db/client";
import { getConfig } from "../lib/config";
import { describeError } from "../lib/errors";
import { log } from "../lib/logger";
import { recomputeScores, recomputeSettings } from "../scoring";
import { recoverAbandonedRuns } from "./ingest/abandoned-runs";
import { pruneExpired } from "./retention";
import { sweepWebhooks } from "./webhooks/deliveries";
import { resealWebhookSecrets, webhookSealingKeys } from "./webhooks/secrets";

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
    const outcome = await recomputeScores(db, queuesOf(env), {
      settings: recomputeSettings(config, "cron"),
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
    await pruneOnSchedule(env, fields);
  }
}

/** The cron's retention part (services/retention.ts), whatever the rescore did; says what it deleted. */
async function pruneOnSchedule(env: Env, fields: Record<string, unknown>): Promise<void> {
  try {
    const pruned = await pruneExpired(createDb(env.DB), getConfig(env).retention);
    log("info", "scheduled retention: old rows pruned", {
      ...fields,
      events: pruned.events,
      webhook_deliveries: pruned.deliveries,
      ingest_runs: pruned.ingestRuns,
      metric_rows: pruned.metrics,
      complete: pruned.complete,
    });
  } catch (error) {
    log("error", "scheduled retention failed", { ...fields, error: describeError(error) });
  }
}

/**
 * The cron's webhook part, whatever the rescore did: a fan-out nudge (for the events of a batch whose nudge was lost,
 * or of the rescore just run), the deliveries whose queue message was lost sent again, and every secret sealed under
 * the current SECRETS_KEY (one stored before sealing, or under SECRETS_KEY_PREVIOUS).
 */
async function sweepOnSchedule(env: Env, fields: Record<string, unknown>): Promise<void> {
  try {
    const db = createDb(env.DB);
    const { resent } = await sweepWebhooks(db, queuesOf(env).webhooks);
    if (resent > 0) log("warn", "scheduled webhook sweep: overdue deliveries sent again", { ...fields, resent });
    const resealed = await resealWebhookSecrets(db, await webhookSealingKeys(getConfig(env).secrets));
    if (resealed > 0) log("info", "scheduled webhook sweep: secrets sealed under the current SECRETS_KEY", { ...fields, webhooks: resealed });
  } catch (error) {
    log("error", "scheduled webhook sweep failed", { ...fields, error: describeError(error) });
  }
}
