import { createMiddleware } from "hono/factory";
import { insightsRateLimiterOf } from "../bindings";
import { ApiError } from "./errors";
import { log } from "./logger";
import type { AppEnv } from "./types";

/**
 * Rate limit of the insight routes (they may call a paid model) with the Workers Rate Limiting binding
 * (`INSIGHTS_RATE_LIMITER` in wrangler.toml), per API key, or per client address when auth is off. Without the binding
 * there is no limit. The binding only answers yes or no, so Retry-After is its whole period.
 */

/** The `period` of the binding in wrangler.toml, in seconds (Cloudflare accepts 10 or 60). */
export const INSIGHTS_RATE_PERIOD_SECONDS = 60;

export const limitInsights = createMiddleware<AppEnv>(async (c, next) => {
  // Optional at run time: a deployment without the binding runs without a limit.
  const limiter = insightsRateLimiterOf(c.env);
  if (!limiter) return next();
  const caller = c.get("apiKeyId") ?? `ip:${c.req.header("cf-connecting-ip") ?? "local"}`;
  const { success } = await limiter.limit({ key: `insights:${caller}` });
  if (!success) {
    // The key's name is on the line already (log context); the limiter's key is not logged: it holds a digest prefix.
    log("warn", "rate limited", { route: c.req.routePath });
    throw new ApiError(
      "rate_limited",
      `Too many insight requests from this caller (API key, or address when auth is off); try again in ${INSIGHTS_RATE_PERIOD_SECONDS} seconds.`,
      undefined,
      { "Retry-After": String(INSIGHTS_RATE_PERIOD_SECONDS) },
    );
  }
  await next();
});
