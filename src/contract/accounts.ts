import { z } from "@hono/zod-openapi";
import { BUCKETS, SEGMENTS } from "../domain/types";
import { accountIdAndName, money } from "./fields";
import { idPathParams } from "./params";
import { healthEventSchema } from "./events";

/** How many of an account's latest events its detail shows. */
export const RECENT_EVENTS = 10;

/** How far back the detail's histories reach from the latest metric date (the widest trend window). */
export const HISTORY_WINDOW_DAYS = 90;

/**
 * The Account shape: the fields of the v1 API unchanged, field for field, the newer ones beside them. Its parts are
 * named components, so the other answers that show an account's health reuse them.
 */

export const segmentSchema = z.enum(SEGMENTS).openapi("Segment", {
  description: "Customer segment; it sets the DAU benchmark of the health score",
  example: "Enterprise",
});

export const bucketSchema = z.enum(BUCKETS).openapi("HealthBucket", {
  description: "Health bucket of a score: Healthy >= 70, At-Risk 40-69.9, Critical < 40",
  example: "At-Risk",
});

export const engagementTrendSchema = z.enum(["improving", "stable", "declining"]).openapi("EngagementTrend", {
  description:
    "Mean daily active users in the later half of the trend window versus the earlier half: " +
    "above +10 % improving, below −10 % declining, else stable",
  example: "improving",
});

const isoDate = (description: string, example = "2024-10-03") => z.string().openapi({ description, example });

export const healthComponentsSchema = z
  .object({
    daily_active_users: z
      .number().optional()
      .openapi({ description: "Points for daily active users against the segment's benchmark (0-25)", example: 18.75 }),
    feature_adoption: z.number().optional().openapi({ description: "Points for the feature adoption rate (0-25)", example: 18.5 }),
    support_tickets: z
      .number().optional()
      .openapi({ description: "Points for few open support tickets (0-20; 0 at the ticket ceiling)", example: 16 }),
    nps: z.number().nullable().optional().openapi({
      description:
        "Points for NPS (0-15); null when no NPS was found in the window nor in the previous 90 days, " +
        "in which case the other four are scaled to 100",
      example: 11.25,
    }),
    login_frequency: z.number().optional().openapi({ description: "Points for the login frequency (0-15)", example: 12.75 }),
  })
  .catchall(z.number().nullable())
  .openapi("HealthComponents", {
    description:
      "The components of a health score, in points, keyed by the component keys of the model that scored it (GET " +
      "/health/model): under model 1 (the configured formula) the five below; their sum is the score, scaled to 100 " +
      "when a component had no data (null)",
  });

const componentsChangeSchema = z
  .object({
    daily_active_users: z.number().optional().openapi({ description: "Change of the DAU points", example: -2.5 }),
    feature_adoption: z.number().optional().openapi({ description: "Change of the adoption points", example: 1.25 }),
    support_tickets: z.number().optional().openapi({ description: "Change of the ticket points", example: -4 }),
    nps: z
      .number()
      .nullable()
      .optional()
      .openapi({ description: "Change of the NPS points; null unless both dates have an NPS component", example: 0.75 }),
    login_frequency: z.number().optional().openapi({ description: "Change of the login points", example: 0 }),
  })
  .catchall(z.number().nullable())
  .openapi("HealthComponentsChange", {
    description: "Component points at `to_date` minus at `from_date`: what moved the score",
  });

export const trendSchema = z
  .object({
    days: z.number().int().openapi({ description: "Length of the trend window in days", example: 30 }),
    health_score_change: z
      .number()
      .openapi({ description: "Score at `to_date` minus the score at `from_date`", example: -6.4 }),
    arr_change: money("ARR at `to_date` minus ARR at `from_date`", 12500),
    engagement_trend: engagementTrendSchema,
    from_date: isoDate(
      "The score date the change is measured from: the latest at or before `to_date` minus `days`, else the window's first",
      "2024-09-03",
    ),
    to_date: isoDate("The account's latest metric date, where every trend is anchored (not today)"),
    health_components_change: componentsChangeSchema,
  })
  .openapi("Trend", {
    description:
      "A trend over `days`, anchored at the account's latest metric date. The first four fields are those of the " +
      "v1 API; null when the window holds fewer than 2 dates of data.",
  });

export const latestMetricsSchema = z
  .object({
    id: z.number().int().openapi({ description: "Identifier of the metrics row", example: 1042 }),
    account_id: z.number().int().openapi({ example: 7 }),
    date: isoDate("The account's latest metric date"),
    daily_active_users: z.number().int().openapi({ example: 150 }),
    feature_adoption_rate: z.number().openapi({ description: "0-1", example: 0.75 }),
    support_tickets_open: z.number().int().openapi({ example: 2 }),
    nps_score: z.number().nullable().openapi({ description: "-100 to 100; null when not reported that day", example: 50 }),
    login_frequency: z.number().openapi({ description: "0-1", example: 0.85 }),
    health_score: z
      .number()
      .nullable()
      .openapi({ description: "The health score of that date; null until it has been scored", example: 72.4 }),
  })
  .openapi("LatestMetrics", { description: "The metrics of the account's latest date, with that date's score" });

export const accountSchema = z
  .object({
    ...accountIdAndName(7, "Acme Corp"),
    segment: segmentSchema,
    region: z.string().openapi({ example: "North America" }),
    arr: money("Annual recurring revenue, from the latest-dated row", 500000),
    health_score: z
      .number()
      .nullable()
      .openapi({ description: "Current health: the score of the latest metric date (0-100, one decimal); null until scored", example: 72.4 }),
    health_bucket: bucketSchema.nullable().openapi({ description: "Bucket of the current score; null until scored" }),
    created_at: z.string().openapi({ description: "ISO 8601, UTC", example: "2024-10-03T08:15:02.114Z" }),
    updated_at: z.string().openapi({ description: "ISO 8601, UTC", example: "2024-10-03T08:15:02.514Z" }),
    latest_metrics: latestMetricsSchema.nullable(),
    trend_30d: trendSchema.nullable(),
    trend_60d: trendSchema.nullable(),
    trend_90d: trendSchema.nullable(),
    health_components: healthComponentsSchema
      .nullable()
      .openapi({ description: "The components of the current score; null until scored" }),
    latest_metric_date: z
      .string()
      .nullable()
      .openapi({ description: "The account's latest metric date; null when it has no metrics", example: "2024-10-03" }),
    renewal_date: z.string().nullable().openapi({
      description:
        "The contract's renewal date (YYYY-MM-DD): the `renewal_date` of the account's latest-dated CSV row that has " +
        "one (an empty cell keeps it); null when no row gave one",
      example: "2024-12-15",
    }),
    owner: z.string().nullable().openapi({
      description: "The account's owner (its CSM), from the latest-dated CSV row that names one; null when unknown",
      example: "Dana Scully",
    }),
  })
  .openapi("Account", {
    description:
      "An account with its current health. The fields up to `trend_90d` are those of the v1 API, unchanged; " +
      "`health_components`, `latest_metric_date`, `renewal_date` and `owner` were added since.",
  });

export const healthHistoryEntrySchema = z
  .object({
    date: isoDate("Score date"),
    health_score: z.number().openapi({ example: 71.2 }),
    health_bucket: bucketSchema,
    health_components: healthComponentsSchema,
    nps_source: z.enum(["window", "carried", "missing"]).nullable().openapi({
      description:
        "Where the NPS component came from: the window's own NPS, the latest NPS of the previous 90 days, or none; " +
        "null under a model without an NPS component",
      example: "window",
    }),
  })
  .openapi("HealthHistoryEntry");

export const metricsHistoryEntrySchema = z
  .object({
    date: isoDate("Metric date"),
    daily_active_users: z.number().int().openapi({ example: 150 }),
    feature_adoption_rate: z.number().openapi({ example: 0.75 }),
    support_tickets_open: z.number().int().openapi({ example: 2 }),
    nps_score: z.number().nullable().openapi({ example: 50 }),
    login_frequency: z.number().openapi({ example: 0.85 }),
    arr: money("ARR as of that date", 500000),
    measures: z.record(z.string(), z.number()).optional().openapi({
      description: "The row's values of declared measures (GET /measures), by name; absent when it has none",
      example: { seats_ratio: 0.8 },
    }),
  })
  .openapi("MetricsHistoryEntry");

const modelChangeSchema = z
  .object({
    date: isoDate("The day (UTC) the model was activated", "2026-12-07"),
    activated_at: z.string().openapi({ example: "2026-12-07T05:10:00.000Z" }),
    from_model: z.number().int().openapi({ example: 1 }),
    to_model: z.number().int().openapi({ example: 2 }),
  })
  .openapi("ModelChange");

export const accountDetailSchema = accountSchema
  .extend({
    scores_stale: z.boolean().openapi({
      description: "True when the scores are behind the metrics (a rescore queued, failed or cut off, a new configuration)",
      example: false,
    }),
    health_history: z.array(healthHistoryEntrySchema).openapi({
      description: `The daily scores from the latest metric date minus ${HISTORY_WINDOW_DAYS} days up to the latest metric date, oldest first`,
    }),
    metrics_history: z.array(metricsHistoryEntrySchema).openapi({
      description: `The daily metrics over the same ${HISTORY_WINDOW_DAYS} days, oldest first`,
    }),
    model_changes: z.array(modelChangeSchema).openapi({
      description:
        "Every activation of a health model, oldest first: from that date the scores follow `to_model` (its rescore " +
        "rewrote the whole history under it, so a chart can mark where a move came from the model, not the customer)",
    }),
    aliases: z.array(z.string()).openapi({
      description:
        "The names the account had before a rename or a merge (PATCH /accounts/{id}, POST /accounts/{id}/merge), oldest " +
        "first: an upload row under one of them lands on this account",
      example: ["Acme Inc"],
    }),
    recent_events: z.array(healthEventSchema).openapi({
      description: `The account's latest ${RECENT_EVENTS} health events (as GET /events answers them), newest first`,
    }),
  })
  .openapi("AccountDetail", {
    description: "An account (the Account shape) with its score history and recent metrics",
  });

export const accountIdParamsSchema = idPathParams("Account id (a positive whole number)", 7);

export type LatestMetrics = z.infer<typeof latestMetricsSchema>;
export type Account = z.infer<typeof accountSchema>;
export type HealthHistoryEntry = z.infer<typeof healthHistoryEntrySchema>;
export type AccountDetail = z.infer<typeof accountDetailSchema>;
