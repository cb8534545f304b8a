import type { RouteHandler } from "@hono/zod-openapi";
import { recomputeHealth } from "../../jobs/recompute";
import type { AppEnv } from "../../lib/types";
import type { recompute } from "./health.routes";

export const recomputeAll: RouteHandler<typeof recompute, AppEnv> = async (c) => {
  const result = await recomputeHealth(c.env.DB, c.get("config").health);
  const seconds = Math.round(result.durationMs) / 1000;
  return c.json(
    {
      message: `Recomputed health scores for ${result.accountsUpdated} accounts (${result.scoresWritten} dated scores) in ${seconds.toFixed(3)} s.`,
      accounts_updated: result.accountsUpdated,
      computation_time_seconds: seconds,
      scores_written: result.scoresWritten,
      duration_ms: result.durationMs,
      started_at: result.startedAt,
      finished_at: result.finishedAt,
    },
    200,
  );
};
