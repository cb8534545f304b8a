import { createMiddleware } from "hono/factory";
import { createDb } from "../db/client";
import { getConfig } from "./config";
import { log } from "./logger";
import type { AppEnv } from "./types";

/** Puts the parsed configuration and the drizzle client on the context, once per request. */
export const services = createMiddleware<AppEnv>(async (c, next) => {
  c.set("config", getConfig(c.env));
  c.set("db", createDb(c.env.DB));
  await next();
});

export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  await next();
  log(c.res.status >= 500 ? "error" : "info", "request", {
    request_id: c.get("requestId"),
    method: c.req.method,
    path: c.req.path,
    route: c.req.routePath,
    status: c.res.status,
    duration_ms: Date.now() - started,
  });
});
