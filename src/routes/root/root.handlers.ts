import type { RouteHandler } from "@hono/zod-openapi";
import { pingDatabase } from "../../db/queries/health-check";
import { configProblems } from "../../lib/config";
import { SERVICE_NAME, SERVICE_VERSION } from "../../lib/service-info";
import type { AppEnv } from "../../lib/types";
import type { GetInfoRoute, GetLivenessRoute } from "./root.routes";

export const getInfo: RouteHandler<GetInfoRoute, AppEnv> = (c) =>
  c.json(
    {
      service: SERVICE_NAME,
      version: SERVICE_VERSION,
      docs: { swagger_ui: "/docs", redoc: "/redoc", openapi: "/openapi.json" },
      health: "/healthz",
    },
    200,
  );

export const getLiveness: RouteHandler<GetLivenessRoute, AppEnv> = async (c) => {
  const time = new Date().toISOString();
  const problems = configProblems(c.env);
  const database = (await pingDatabase(c.get("db"))) ? ("ok" as const) : ("unreachable" as const);
  const configuration = problems.length > 0 ? ("invalid" as const) : ("ok" as const);
  const body = {
    database,
    configuration,
    ...(problems.length > 0 ? { configuration_problems: problems } : { secrets_key: c.get("config").secrets.source }),
    time,
  };
  if (database === "ok" && configuration === "ok") return c.json({ status: "ok" as const, ...body }, 200);
  return c.json({ status: "degraded" as const, ...body }, 503);
};
