import type { RouteHandler } from "@hono/zod-openapi";
import { pingDatabase } from "../../db/queries/health-check";
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
  if (await pingDatabase(c.get("db"))) return c.json({ status: "ok" as const, database: "ok" as const, time }, 200);
  return c.json({ status: "degraded" as const, database: "unreachable" as const, time }, 503);
};
