import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The single source of truth for the D1 schema: `npm run db:generate` turns changes here into SQL
 * migrations under `migrations/`, which wrangler applies locally, in tests and in production.
 */

const timestamps = {
  createdAt: text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`),
  updatedAt: text("updated_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`),
};

export const accounts = sqliteTable(
  "accounts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    accountName: text("account_name").notNull().unique(),
    // Segment, region and ARR are those of the account's latest-dated metric row.
    segment: text("segment", { enum: ["Enterprise", "Mid-Market", "SMB"] }).notNull(),
    region: text("region").notNull(),
    arr: real("arr").notNull(),
    latestMetricDate: text("latest_metric_date"),
    // Current health: the score of the latest metric date, written by the recompute job.
    healthScore: real("health_score"),
    healthBucket: text("health_bucket", { enum: ["Healthy", "At-Risk", "Critical"] }),
    healthComponents: text("health_components", { mode: "json" }),
    healthChange30d: real("health_change_30d"),
    trend30d: text("trend_30d", { mode: "json" }),
    trend60d: text("trend_60d", { mode: "json" }),
    trend90d: text("trend_90d", { mode: "json" }),
    ...timestamps,
  },
  (table) => [
    index("accounts_segment_idx").on(table.segment),
    index("accounts_region_idx").on(table.region),
    index("accounts_bucket_score_idx").on(table.healthBucket, table.healthScore),
    index("accounts_score_idx").on(table.healthScore),
    index("accounts_arr_idx").on(table.arr),
    index("accounts_change_30d_idx").on(table.healthChange30d),
  ],
);

export const accountMetrics = sqliteTable(
  "account_metrics",
  {
    accountId: integer("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    date: text("date").notNull(),
    dailyActiveUsers: integer("daily_active_users").notNull(),
    featureAdoptionRate: real("feature_adoption_rate").notNull(),
    supportTicketsOpen: integer("support_tickets_open").notNull(),
    npsScore: real("nps_score"),
    loginFrequency: real("login_frequency").notNull(),
    // ARR as of this date, so ARR trends can be computed from history.
    arr: real("arr").notNull(),
    ingestRunId: integer("ingest_run_id"),
  },
  (table) => [primaryKey({ columns: [table.accountId, table.date] })],
);

export const healthScores = sqliteTable(
  "health_scores",
  {
    accountId: integer("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    date: text("date").notNull(),
    score: real("score").notNull(),
    bucket: text("bucket", { enum: ["Healthy", "At-Risk", "Critical"] }).notNull(),
    dauPoints: real("dau_points").notNull(),
    adoptionPoints: real("adoption_points").notNull(),
    ticketsPoints: real("tickets_points").notNull(),
    // Null when no NPS was found in the window nor carried forward from the previous 90 days.
    npsPoints: real("nps_points"),
    loginPoints: real("login_points").notNull(),
    npsSource: text("nps_source", { enum: ["window", "carried", "missing"] }).notNull(),
    computedAt: text("computed_at").notNull(),
  },
  (table) => [primaryKey({ columns: [table.accountId, table.date] })],
);

export const ingestRuns = sqliteTable(
  "ingest_runs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    fileName: text("file_name"),
    contentType: text("content_type"),
    status: text("status", { enum: ["running", "completed", "failed", "rejected"] }).notNull(),
    bytesRead: integer("bytes_read").notNull().default(0),
    rowsTotal: integer("rows_total").notNull().default(0),
    rowsRejected: integer("rows_rejected").notNull().default(0),
    accountsCreated: integer("accounts_created").notNull().default(0),
    accountsUpdated: integer("accounts_updated").notNull().default(0),
    metricsCreated: integer("metrics_created").notNull().default(0),
    metricsUpdated: integer("metrics_updated").notNull().default(0),
    // The first row errors (at most 100), as JSON objects {line, column, reason}.
    errors: text("errors", { mode: "json" }),
    failureReason: text("failure_reason"),
    startedAt: text("started_at").notNull(),
    finishedAt: text("finished_at"),
    durationMs: integer("duration_ms"),
  },
  (table) => [index("ingest_runs_started_idx").on(table.startedAt)],
);

export const insightCache = sqliteTable(
  "insight_cache",
  {
    // "account:<id>" (one answer per account, replaced when its data changes) or "portfolio:<hash of the request>".
    scope: text("scope").primaryKey(),
    accountId: integer("account_id").references(() => accounts.id, { onDelete: "cascade" }),
    // SHA-256 of the figures, risk factors, playbooks, request and provider the answer was written from.
    inputHash: text("input_hash").notNull(),
    source: text("source", { enum: ["workers-ai", "openai", "rules"] }).notNull(),
    model: text("model"),
    answer: text("answer", { mode: "json" }).notNull(),
    generatedAt: text("generated_at").notNull(),
  },
  (table) => [index("insight_cache_generated_idx").on(table.generatedAt)],
);
