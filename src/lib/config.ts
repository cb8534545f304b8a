import { z } from "@hono/zod-openapi";
import { DEFAULT_ALERT_SCORE_DROP } from "../domain/events";
import { isIsoCalendarDate } from "../domain/calendar";
import { DEFAULT_HEALTH_CONFIG, NPS_CARRY_DAYS, type HealthConfig } from "../domain/health";
import { metricRetentionFloorDays } from "../domain/retention";
import { API_KEY_ENTRY, parseApiKeyEntry, type ApiKeyEntry } from "./api-keys";
import { ConfigError, type ConfigProblem } from "./config-error";

export { ConfigError, type ConfigProblem } from "./config-error";

/**
 * Runtime configuration from wrangler vars and secrets, parsed once per isolate. Every setting has a
 * default, so `npm run dev` needs no `.dev.vars`; a malformed value fails fast with the variable's name.
 */
const positiveNumber = z.coerce.number().positive();
/** `true` or `false` in any case, false when unset. */
const trueOrFalse = z
  .preprocess((value) => (typeof value === "string" ? value.trim().toLowerCase() : value), z.enum(["true", "false"]))
  .default("false")
  .transform((value) => value === "true");

const retentionDays = z.coerce.number().int().min(1).max(36_500);
/** A secret of at least 32 characters; empty counts as unset. */
const optionalSecret = z.preprocess(
  (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
  z.string().trim().min(32).optional(),
);

/**
 * The key webhook secrets are sealed under when SECRETS_KEY is unset outside production, so `npm run dev` needs no set-up.
 * It is published here: whatever it seals is readable by anyone with the database. /healthz says when it is in use.
 */
export const DEVELOPMENT_SECRETS_KEY = "ai-success-insights development key: public, never for production";

/** What signs the console's session cookies when SESSION_SECRET is unset outside production (published: not secret). */
export const DEVELOPMENT_SESSION_SECRET = "ai-success-insights development session secret: public, never for production";

export const DEFAULT_WORKERS_AI_MODEL = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
export const DEFAULT_OPENAI_MODEL = "gpt-4o-mini";
export const DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1";
/** Longest CSV record (MAX_LINE_CHARS), in characters, when nothing else is configured. */
export const DEFAULT_MAX_LINE_CHARS = 64 * 1024;
/** Most fields a CSV record may have (MAX_COLUMNS), when nothing else is configured. */
export const DEFAULT_MAX_COLUMNS = 200;
/** The earliest metric date an upload may carry (MIN_METRIC_DATE), when nothing else is configured. */
export const DEFAULT_MIN_METRIC_DATE = "2000-01-01";

const configSchema = z.object({
  ENVIRONMENT: z.string().default("development"),
  HEALTH_WINDOW_DAYS: z.coerce.number().int().min(1).max(90).default(DEFAULT_HEALTH_CONFIG.windowDays),
  DAU_BENCHMARK_ENTERPRISE: positiveNumber.default(DEFAULT_HEALTH_CONFIG.dauBenchmarks.Enterprise),
  DAU_BENCHMARK_MID_MARKET: positiveNumber.default(DEFAULT_HEALTH_CONFIG.dauBenchmarks["Mid-Market"]),
  DAU_BENCHMARK_SMB: positiveNumber.default(DEFAULT_HEALTH_CONFIG.dauBenchmarks.SMB),
  TICKET_CEILING: positiveNumber.default(DEFAULT_HEALTH_CONFIG.ticketCeiling),
  INSIGHTS_PROVIDER: z
    .preprocess(
      (value) => (typeof value === "string" ? value.trim().toLowerCase() : value),
      z.enum(["auto", "workers-ai", "openai", "rules"]),
    )
    .default("auto"),
  WORKERS_AI_MODEL: z.string().trim().min(1).default(DEFAULT_WORKERS_AI_MODEL),
  // An empty secret counts as unset, so `OPENAI_API_KEY=""` in .dev.vars does not select OpenAI.
  OPENAI_API_KEY: z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? value : null)),
  OPENAI_MODEL: z.string().trim().min(1).default(DEFAULT_OPENAI_MODEL),
  OPENAI_BASE_URL: z
    .url({ protocol: /^https?$/ })
    .default(DEFAULT_OPENAI_BASE_URL)
    .transform((value) => value.replace(/\/+$/, "")),
  INSIGHTS_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
  // The accepted API keys, separated by commas or spaces: `<scope>:<name>:<SHA-256 hex>`, or a bare digest (full access,
  // as before scopes existed). Several at once, so keys can be rotated.
  API_KEYS: z
    .string()
    .optional()
    .transform((value) => (value ?? "").split(/[\s,]+/).filter((entry) => entry !== ""))
    .pipe(
      z.array(
        z
          .string()
          .regex(API_KEY_ENTRY, { error: "each entry must be <scope>:<name>:<SHA-256 hex digest> or a bare digest" })
          .transform(parseApiKeyEntry),
      ),
    ),
  AUTH_READS: trueOrFalse,
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((value) => (value ?? "").split(/[\s,]+/).filter((origin) => origin !== ""))
    .pipe(z.array(z.union([z.literal("*"), z.url({ protocol: /^https?$/ }).transform((url) => new URL(url).origin)]))),
  MAX_UPLOAD_BYTES: z.coerce.number().int().min(1024).max(1024 ** 3).default(100 * 1024 * 1024),
  MAX_LINE_CHARS: z.coerce.number().int().min(256).max(16 * 1024 * 1024).default(DEFAULT_MAX_LINE_CHARS),
  MAX_COLUMNS: z.coerce.number().int().min(10).max(10_000).default(DEFAULT_MAX_COLUMNS),
  MIN_METRIC_DATE: z.string().trim().refine(isIsoCalendarDate).default(DEFAULT_MIN_METRIC_DATE),
  RECOMPUTE_INLINE_MAX_ACCOUNTS: z.coerce.number().int().min(0).max(50_000).default(10_000),
  INGEST_RESCORE_INLINE_MAX_ACCOUNTS: z.coerce.number().int().min(0).max(50_000).default(2_000),
  ALERT_SCORE_DROP: z.coerce.number().positive().max(100).default(DEFAULT_ALERT_SCORE_DROP),
  D1_USAGE_HEADERS: trueOrFalse,
  EVENTS_RETENTION_DAYS: retentionDays.default(180),
  DELIVERIES_RETENTION_DAYS: retentionDays.default(30),
  INGEST_RUNS_RETENTION_DAYS: retentionDays.default(90),
  SECRETS_KEY: optionalSecret,
  SECRETS_KEY_PREVIOUS: optionalSecret,
  SESSION_SECRET: optionalSecret,
  // Unset or empty: metric rows are kept for ever.
  METRICS_RETENTION_DAYS: z.preprocess((value) => (value === "" ? undefined : value), retentionDays.optional()),
});


export type InsightsProviderSetting = "auto" | "workers-ai" | "openai" | "rules";

export interface InsightsConfig {
  /** `auto` picks OpenAI when a key is set, else Workers AI when the AI binding exists, else the rules. */
  provider: InsightsProviderSetting;
  workersAiModel: string;
  /** Null when the secret is unset or empty. */
  openAiApiKey: string | null;
  openAiModel: string;
  /** Without a trailing slash; any OpenAI-compatible Chat Completions endpoint. */
  openAiBaseUrl: string;
  /** How long a model may take before the rules answer instead. */
  timeoutMs: number;
}

export interface RecomputeConfig {
  /** A full recompute of at most this many accounts runs in the request (or cron) itself; a bigger one is queued. */
  inlineMaxAccounts: number;
  /** An upload that changed at most this many accounts rescores them before answering; more are queued. */
  ingestInlineMaxAccounts: number;
}

export interface AuthConfig {
  /** Production always requires a key (fail closed); elsewhere only once API_KEYS is set. */
  required: boolean;
  /** The accepted keys: their digests, scopes and names. */
  keys: ApiKeyEntry[];
  /** Whether the read routes need a key too. */
  protectReads: boolean;
}

export interface LimitsConfig {
  /** Largest CSV upload, in bytes, counted as it streams in. */
  maxUploadBytes: number;
  /** Longest CSV record, in characters: a 50 MB line or a binary blob is refused, not buffered. */
  maxLineChars: number;
  /** Most fields a CSV record may have. */
  maxColumns: number;
  /** The earliest metric date accepted (YYYY-MM-DD); the latest is the day after the upload's UTC date. */
  minMetricDate: string;
}

/**
 * The key webhook secrets are sealed under (webhooks/sealing.ts): `configured` (SECRETS_KEY), `development` (unset outside
 * production: DEVELOPMENT_SECRETS_KEY) or `missing` (unset in production: the webhook routes answer 503).
 */
export interface SecretsConfig {
  key: string | null;
  previousKey: string | null;
  source: "configured" | "development" | "missing";
}

/** How long the cron keeps what grows with time (days); see services/retention.ts. */
export interface RetentionConfig {
  eventsDays: number;
  deliveriesDays: number;
  ingestRunsDays: number;
  /** Null: metric rows are kept for ever. */
  metricsDays: number | null;
}

export interface EventsConfig {
  /** `health.score_dropped` fires when the 30-day score change falls to −this many points or below. */
  alertScoreDrop: number;
}

export interface AppConfig {
  environment: string;
  auth: AuthConfig;
  limits: LimitsConfig;
  /** Origins allowed to call the API from a browser (`*` for any); empty: no CORS headers. */
  corsOrigins: string[];
  health: HealthConfig;
  recompute: RecomputeConfig;
  events: EventsConfig;
  insights: InsightsConfig;
  /** Each answer carries the D1 rows its request read and wrote (lib/d1-usage.ts). */
  d1UsageHeaders: boolean;
  /**
   * An upload refused before its end reads the rest of its body (up to MAX_UPLOAD_BYTES) before answering: wrangler
   * dev's proxy loses an answer sent while the body is unread. Outside production only, where nothing is lost.
   */
  drainRejectedUploads: boolean;
  retention: RetentionConfig;
  secrets: SecretsConfig;
  /** Signs the console's session cookies; null in production without SESSION_SECRET (the console answers 503). */
  sessionSecret: string | null;
}

/** What a variable must be, for the message that names it (never its value: it may be a secret). */
const RULES: Record<keyof z.input<typeof configSchema>, string> = {
  ENVIRONMENT: "a name such as production or development",
  HEALTH_WINDOW_DAYS: "a whole number of days from 1 to 90",
  DAU_BENCHMARK_ENTERPRISE: "a number above 0",
  DAU_BENCHMARK_MID_MARKET: "a number above 0",
  DAU_BENCHMARK_SMB: "a number above 0",
  TICKET_CEILING: "a number above 0",
  INSIGHTS_PROVIDER: "one of auto, workers-ai, openai, rules",
  WORKERS_AI_MODEL: "a model name, not empty",
  OPENAI_API_KEY: "the OpenAI key, or empty",
  OPENAI_MODEL: "a model name, not empty",
  OPENAI_BASE_URL: "an http(s) URL",
  INSIGHTS_TIMEOUT_MS: "a whole number of milliseconds from 100 to 120000",
  API_KEYS:
    "entries of <scope>:<name>:<SHA-256 digest> (scope read, ingest or admin) or bare digests (64 hex characters), " +
    "separated by commas or spaces; the digests of the keys, not the keys themselves: npm run key:new prints both",
  AUTH_READS: "true or false",
  CORS_ORIGINS: "http(s) origins or *, separated by commas or spaces",
  MAX_UPLOAD_BYTES: "a whole number of bytes from 1024 to 1073741824",
  MAX_LINE_CHARS: "a whole number from 256 to 16777216",
  MAX_COLUMNS: "a whole number from 10 to 10000",
  MIN_METRIC_DATE: "a date written YYYY-MM-DD",
  RECOMPUTE_INLINE_MAX_ACCOUNTS: "a whole number from 0 to 50000",
  INGEST_RESCORE_INLINE_MAX_ACCOUNTS: "a whole number from 0 to 50000",
  ALERT_SCORE_DROP: "a number of points above 0, at most 100",
  D1_USAGE_HEADERS: "true or false",
  EVENTS_RETENTION_DAYS: "a whole number of days from 1 to 36500",
  DELIVERIES_RETENTION_DAYS: "a whole number of days from 1 to 36500",
  INGEST_RUNS_RETENTION_DAYS: "a whole number of days from 1 to 36500",
  METRICS_RETENTION_DAYS: "empty (keep every metric row) or a whole number of days from 1 to 36500",
  SECRETS_KEY: "empty or at least 32 characters (e.g. openssl rand -base64 32)",
  SECRETS_KEY_PREVIOUS: "empty or at least 32 characters: the SECRETS_KEY before the rotation",
  SESSION_SECRET: "empty or at least 32 characters (e.g. openssl rand -base64 32)",
};

function secretsConfig(production: boolean, key: string | null, previousKey: string | null): SecretsConfig {
  if (key) return { key, previousKey, source: "configured" };
  if (production) return { key: null, previousKey, source: "missing" };
  return { key: DEVELOPMENT_SECRETS_KEY, previousKey, source: "development" };
}

export function parseConfig(env: object): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const variables = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? "")))];
    throw new ConfigError(
      variables.map((variable) => ({ variable, rule: RULES[variable as keyof typeof RULES] ?? "valid" })),
    );
  }
  const vars = parsed.data;
  const metricsFloor = metricRetentionFloorDays(vars.HEALTH_WINDOW_DAYS);
  if (vars.METRICS_RETENTION_DAYS !== undefined && vars.METRICS_RETENTION_DAYS < metricsFloor) {
    throw new ConfigError([
      {
        variable: "METRICS_RETENTION_DAYS",
        rule:
          `empty or at least ${metricsFloor} days: the scoring reads ${vars.HEALTH_WINDOW_DAYS} days of window ` +
          `(HEALTH_WINDOW_DAYS), ${NPS_CARRY_DAYS} of NPS carried before it and a 90-day trend, and the revenue ` +
          `statement the ARR of a year ago`,
      },
    ]);
  }
  return {
    environment: vars.ENVIRONMENT,
    auth: {
      required: vars.ENVIRONMENT === "production" || vars.API_KEYS.length > 0,
      keys: vars.API_KEYS,
      protectReads: vars.AUTH_READS,
    },
    limits: {
      maxUploadBytes: vars.MAX_UPLOAD_BYTES,
      maxLineChars: vars.MAX_LINE_CHARS,
      maxColumns: vars.MAX_COLUMNS,
      minMetricDate: vars.MIN_METRIC_DATE,
    },
    corsOrigins: vars.CORS_ORIGINS,
    health: {
      windowDays: vars.HEALTH_WINDOW_DAYS,
      dauBenchmarks: {
        Enterprise: vars.DAU_BENCHMARK_ENTERPRISE,
        "Mid-Market": vars.DAU_BENCHMARK_MID_MARKET,
        SMB: vars.DAU_BENCHMARK_SMB,
      },
      ticketCeiling: vars.TICKET_CEILING,
    },
    recompute: {
      inlineMaxAccounts: vars.RECOMPUTE_INLINE_MAX_ACCOUNTS,
      ingestInlineMaxAccounts: vars.INGEST_RESCORE_INLINE_MAX_ACCOUNTS,
    },
    events: { alertScoreDrop: vars.ALERT_SCORE_DROP },
    insights: {
      provider: vars.INSIGHTS_PROVIDER,
      workersAiModel: vars.WORKERS_AI_MODEL,
      openAiApiKey: vars.OPENAI_API_KEY,
      openAiModel: vars.OPENAI_MODEL,
      openAiBaseUrl: vars.OPENAI_BASE_URL,
      timeoutMs: vars.INSIGHTS_TIMEOUT_MS,
    },
    d1UsageHeaders: vars.D1_USAGE_HEADERS,
    drainRejectedUploads: vars.ENVIRONMENT !== "production",
    retention: {
      eventsDays: vars.EVENTS_RETENTION_DAYS,
      deliveriesDays: vars.DELIVERIES_RETENTION_DAYS,
      ingestRunsDays: vars.INGEST_RUNS_RETENTION_DAYS,
      metricsDays: vars.METRICS_RETENTION_DAYS ?? null,
    },
    secrets: secretsConfig(vars.ENVIRONMENT === "production", vars.SECRETS_KEY ?? null, vars.SECRETS_KEY_PREVIOUS ?? null),
    sessionSecret: vars.SESSION_SECRET ?? (vars.ENVIRONMENT === "production" ? null : DEVELOPMENT_SESSION_SECRET),
  };
}

const cache = new WeakMap<object, AppConfig | ConfigError>();

/** The parsed configuration for this env object, or why it is invalid; parsed once and kept for the isolate's life. */
function parsedConfig(env: object): AppConfig | ConfigError {
  let parsed = cache.get(env);
  if (!parsed) {
    try {
      parsed = parseConfig(env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      parsed = error;
    }
    cache.set(env, parsed);
  }
  return parsed;
}

/** The parsed configuration for this env object; throws the ConfigError when a variable is malformed. */
export function getConfig(env: object): AppConfig {
  const parsed = parsedConfig(env);
  if (parsed instanceof ConfigError) throw parsed;
  return parsed;
}

/** The malformed variables of this env object, with the rule each breaks; empty when the configuration is valid. */
export function configProblems(env: object): ConfigProblem[] {
  const parsed = parsedConfig(env);
  return parsed instanceof ConfigError ? parsed.problems : [];
}
