import type { RouteHandler } from "@hono/zod-openapi";
import { getRecomputeJob, recomputeBook, type RecomputeMessage } from "../../jobs/recompute-jobs";
import { ApiError } from "../../lib/errors";
import type { AppEnv } from "../../lib/types";
import type { getRecomputeJob as getJobRoute, recompute } from "./health.routes";

export const recomputeAll: RouteHandler<typeof recompute, AppEnv> = async (c) => {
  const { mode } = c.req.valid("query");
  const config = c.get("config");
  const outcome = await recomputeBook(c.env.DB, c.env.RECOMPUTE_QUEUE as Queue<RecomputeMessage>, {
    health: config.health,
    inlineMaxAccounts: config.recompute.inlineMaxAccounts,
    trigger: "api",
    forceQueue: mode === "queued",
  });
  if (outcome.mode === "queued") {
    const { job } = outcome;
    const finishedAt = new Date().toISOString();
    return c.json(
      {
        message: `Queued the recompute of ${job.accounts_total} accounts as job ${job.id} (${job.chunks_total} chunks); follow it at /health/recompute/jobs/${job.id}.`,
        accounts_updated: 0,
        computation_time_seconds: outcome.durationMs / 1000,
        scores_written: 0,
        duration_ms: outcome.durationMs,
        started_at: job.created_at,
        finished_at: finishedAt,
        mode: "queued" as const,
        job,
      },
      202,
    );
  }
  const { result } = outcome;
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
      mode: "inline" as const,
      job: null,
    },
    200,
  );
};

export const getJob: RouteHandler<typeof getJobRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const job = await getRecomputeJob(c.env.DB, id);
  if (!job) throw new ApiError("not_found", `No recompute job has id ${id}.`);
  return c.json(job, 200);
};
