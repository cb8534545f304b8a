import type { RouteHandler } from "@hono/zod-openapi";
import { getRecomputeJob } from "../../db/queries/recompute-jobs";
import type { RecomputeMessage } from "../../jobs/recompute-queue";
import { ApiError } from "../../lib/errors";
import type { AppEnv } from "../../lib/types";
import { recomputeScores } from "../../services/recompute";
import { nudgeFanOut, type WebhookMessage } from "../../webhooks/messages";
import { toRecomputeResultBody } from "./health.mappers";
import type { GetJobRoute, RecomputeRoute } from "./health.routes";

export const recompute: RouteHandler<RecomputeRoute, AppEnv> = async (c) => {
  const { mode, scope } = c.req.valid("query");
  const config = c.get("config");
  const outcome = await recomputeScores(c.get("db"), c.env.RECOMPUTE_QUEUE as Queue<RecomputeMessage>, {
    scope,
    health: config.health,
    inlineMaxAccounts: config.recompute.inlineMaxAccounts,
    alertScoreDrop: config.events.alertScoreDrop,
    trigger: "api",
    forceQueue: mode === "queued",
  });
  // A queued job's chunks nudge for their own events.
  if (outcome.mode === "inline" && outcome.result.eventsWritten > 0) {
    await nudgeFanOut(c.env.WEBHOOK_QUEUE as Queue<WebhookMessage>);
  }
  const body = toRecomputeResultBody(outcome);
  return outcome.mode === "queued" ? c.json(body, 202) : c.json(body, 200);
};

export const getJob: RouteHandler<GetJobRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const job = await getRecomputeJob(c.get("db"), id);
  if (!job) throw new ApiError("not_found", `No recompute job has id ${id}.`);
  return c.json(job, 200);
};
