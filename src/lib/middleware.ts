import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { createDb } from "../db/client";
import { configProblems, getConfig } from "./config";
import { describeConfigProblems } from "./config-error";
import { BOOKMARK_HEADER, sessionStart } from "./d1-session";
import { meteredSession, ROWS_READ_HEADER, ROWS_WRITTEN_HEADER, type D1Usage } from "./d1-usage";
import { ApiError } from "./errors";
import { log, withLogContext } from "./logger";
import type { AppEnv } from "./types";

/** Where the console's pages live (src/console/). */
export const CONSOLE_PATH = "/app";

/** True for the console's pages and assets. */
export function isConsolePath(path: string): boolean {
  return path === CONSOLE_PATH || path.startsWith(`${CONSOLE_PATH}/`);
}

/** The liveness route answers even when the configuration is invalid: it reports the problems instead. */
export const LIVENESS_PATH = "/healthz";

/**
 * Puts the parsed configuration and the drizzle client on the context, once per request. A malformed variable answers
 * 503 on every route but the liveness check, naming each variable and the rule it breaks (never its value). The client
 * runs the request's queries in one D1 session (lib/d1-session.ts), whose latest bookmark goes on the answer, with the
 * rows the session read and wrote when D1_USAGE_HEADERS asks for them (lib/d1-usage.ts).
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
  const bookmark = c.req.header(BOOKMARK_HEADER);
  const session = c.env.DB.withSession(sessionStart(c.req.method, bookmark));
  const usage: D1Usage | null = problems.length === 0 && c.get("config").d1UsageHeaders ? { rowsRead: 0, rowsWritten: 0 } : null;
  c.set("db", createDb(usage ? meteredSession(session, usage) : session));
  await next();
  // A request that ran no query leaves the client where it was: its own bookmark, if it sent one.
  const latest = session.getBookmark() ?? bookmark;
  if (latest) c.header(BOOKMARK_HEADER, latest);
  if (usage) {
    c.header(ROWS_READ_HEADER, String(usage.rowsRead));
    c.header(ROWS_WRITTEN_HEADER, String(usage.rowsWritten));
  }
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
  // The console's pages are for its own origin only: no other site may read them or send them requests with CORS.
  if (configProblems(c.env).length > 0 || isConsolePath(c.req.path)) return next();
  const origins = c.get("config").corsOrigins;
  if (origins.length === 0) return next();
  const handler = cors({
    origin: origins.includes("*") ? "*" : origins,
    allowMethods: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
    allowHeaders: ["Authorization", "Content-Type", BOOKMARK_HEADER, "If-None-Match"],
    exposeHeaders: ["X-Request-Id", "Retry-After", "WWW-Authenticate", BOOKMARK_HEADER, "ETag"],
    maxAge: 600,
  });
  return handler(c, next);
});
