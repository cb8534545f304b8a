import type { RouteHandler } from "@hono/zod-openapi";
import { queuesOf } from "../../bindings";
import { ApiError } from "../../lib/errors";
import type { AppEnv } from "../../lib/types";
import { getRecomputeJob, recomputeScores, recomputeSettings } from "../../scoring";
import { toRecomputeResultBody } from "./health.mappers";
import type { GetJobRoute, RecomputeRoute } from "./health.routes";

export const recompute: RouteHandler<RecomputeRoute, AppEnv> = async (c) => {
  const { mode, scope } = c.req.valid("query");
  const outcome = await recomputeScores(c.get("db"), queuesOf(c.env), {
    settings: recomputeSettings(c.get("config"), "api"),
    trigger: "api",
    scope,
    forceQueue: mode === "queued",
  });
  const body = toRecomputeResultBody(outcome);
  return outcome.mode === "queued" ? c.json(body, 202) : c.json(body, 200);
};

export const getJob: RouteHandler<GetJobRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const job = await getRecomputeJob(c.get("db"), id);
  if (!job) throw new ApiError("not_found", `No recompute job has id ${id}.`);
  return c.json(job, 200);
};
