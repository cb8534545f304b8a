import { createApp } from "./app";
import { recomputeHealth } from "./jobs/recompute";
import { getConfig } from "./lib/config";
import { log } from "./lib/logger";

const app = createApp();

/** The Cron Trigger (wrangler.toml `[triggers]`): the same recompute as `POST /health/recompute`. */
async function recomputeOnSchedule(controller: ScheduledController, env: Env): Promise<void> {
  const fields = { cron: controller.cron, scheduled_time: new Date(controller.scheduledTime).toISOString() };
  try {
    const result = await recomputeHealth(env.DB, getConfig(env).health);
    log("info", "scheduled health recompute finished", {
      ...fields,
      accounts_updated: result.accountsUpdated,
      scores_written: result.scoresWritten,
      duration_ms: result.durationMs,
    });
  } catch (error) {
    log("error", "scheduled health recompute failed", {
      ...fields,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    // Rethrown so the invocation is marked failed in the Cron Events of the dashboard.
    throw error;
  }
}

export default {
  fetch: app.fetch,
  scheduled(controller, env, ctx) {
    ctx.waitUntil(recomputeOnSchedule(controller, env));
  },
} satisfies ExportedHandler<Env>;
