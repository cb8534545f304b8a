import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { createDb } from "../db/client";
import { configProblems, getConfig } from "./config";
import { describeConfigProblems } from "./config-error";
import { ApiError } from "./errors";
import { log, withLogContext } from "./logger";
import type { AppEnv } from "./types";

/** The liveness route answers even when the configuration is invalid: it reports the problems instead. */
export const LIVENESS_PATH = "/healthz";

/**
 * Puts the parsed configuration and the drizzle client on the context, once per request. A malformed variable answers
 * 503 on every route but the liveness check, naming each variable and the rule it breaks (never its value).
 */
export const services = createMiddleware<AppEnv>(async (c, next) => {
  const problems = configProblems(c.env);
  if (problems.length > 0 && c.req.path !== LIVENESS_PATH) {
    throw new ApiError(
      "misconfigured",
      `The service is misconfigured: ${describeConfigProblems(problems)}. ` +
        "An operator must fix these variables (wrangler vars or secrets) and restart or redeploy; GET /healthz lists them.",
    );
  }
  if (problems.length === 0) c.set("config", getConfig(c.env));
  c.set("db", createDb(c.env.DB));
  await next();
});

export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  const context: Record<string, unknown> = { request_id: c.get("requestId") };
  await withLogContext(context, next);
  log(c.res.status >= 500 ? "error" : "info", "request", {
    ...context,
    method: c.req.method,
    path: c.req.path,
    route: c.req.routePath,
    status: c.res.status,
    duration_ms: Date.now() - started,
  });
});

/**
 * CORS for the origins in CORS_ORIGINS (`*` for any); without it, no CORS headers, so browsers on other origins cannot
 * read the API. Runs after `services`, which parses the configuration.
 */
export const corsFromConfig = createMiddleware<AppEnv>(async (c, next) => {
  if (configProblems(c.env).length > 0) return next();
  const origins = c.get("config").corsOrigins;
  if (origins.length === 0) return next();
  const handler = cors({
    origin: origins.includes("*") ? "*" : origins,
    allowMethods: ["GET", "POST", "OPTIONS"],
    allowHeaders: ["Authorization", "Content-Type"],
    exposeHeaders: ["X-Request-Id", "Retry-After", "WWW-Authenticate"],
    maxAge: 600,
  });
  return handler(c, next);
});
