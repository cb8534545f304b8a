import { z } from "@hono/zod-openapi";
import type { Segment } from "../domain/types";

/**
 * Runtime configuration from wrangler vars and secrets, parsed once per isolate. Every setting has a
 * default, so `npm run dev` needs no `.dev.vars`; a malformed value fails fast with the variable's name.
 */
const positiveNumber = z.coerce.number().positive();

const configSchema = z.object({
  ENVIRONMENT: z.string().default("development"),
  HEALTH_WINDOW_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  DAU_BENCHMARK_ENTERPRISE: positiveNumber.default(200),
  DAU_BENCHMARK_MID_MARKET: positiveNumber.default(75),
  DAU_BENCHMARK_SMB: positiveNumber.default(20),
  TICKET_CEILING: positiveNumber.default(10),
});


export interface HealthConfig {
  /** Trailing window, in days ending at the score date, over which metrics are averaged. */
  windowDays: number;
  /** Daily active users that earn full DAU points, per segment. */
  dauBenchmarks: Record<Segment, number>;
  /** Open tickets at which the ticket component reaches zero. */
  ticketCeiling: number;
}

export interface AppConfig {
  environment: string;
  health: HealthConfig;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export const DEFAULT_HEALTH_CONFIG: HealthConfig = {
  windowDays: 7,
  dauBenchmarks: { Enterprise: 200, "Mid-Market": 75, SMB: 20 },
  ticketCeiling: 10,
};

export function parseConfig(env: object): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join("; ")}`);
  }
  const vars = parsed.data;
  return {
    environment: vars.ENVIRONMENT,
    health: {
      windowDays: vars.HEALTH_WINDOW_DAYS,
      dauBenchmarks: {
        Enterprise: vars.DAU_BENCHMARK_ENTERPRISE,
        "Mid-Market": vars.DAU_BENCHMARK_MID_MARKET,
        SMB: vars.DAU_BENCHMARK_SMB,
      },
      ticketCeiling: vars.TICKET_CEILING,
    },
  };
}

const cache = new WeakMap<object, AppConfig>();

/** The parsed configuration for this env object; parsed on first use and kept for the isolate's life. */
export function getConfig(env: object): AppConfig {
  let config = cache.get(env);
  if (!config) {
    config = parseConfig(env);
    cache.set(env, config);
  }
  return config;
}
