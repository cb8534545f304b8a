import type { RouteHandler } from "@hono/zod-openapi";
import { SERVICE_NAME, SERVICE_VERSION } from "../../lib/service-info";
import type { AppEnv } from "../../lib/types";
import type { liveness, serviceInfo } from "./root.routes";

export const getServiceInfo: RouteHandler<typeof serviceInfo, AppEnv> = (c) =>
  c.json(
    {
      service: SERVICE_NAME,
      version: SERVICE_VERSION,
      docs: { swagger_ui: "/docs", redoc: "/redoc", openapi: "/openapi.json" },
      health: "/healthz",
    },
    200,
  );

export const getLiveness: RouteHandler<typeof liveness, AppEnv> = async (c) => {
  const time = new Date().toISOString();
  try {
    await c.env.DB.prepare("SELECT 1").first();
    return c.json({ status: "ok" as const, database: "ok" as const, time }, 200);
  } catch {
    return c.json({ status: "degraded" as const, database: "unreachable" as const, time }, 503);
  }
};
