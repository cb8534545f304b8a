import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { AUDIT_ACTIONS } from "../domain/audit";
import { EVENT_TYPES } from "../domain/events";

/**
 * The single source of truth for the D1 schema: `npm run db:generate` turns changes here into SQL
 * migrations under `migrations/`, which wrangler applies locally, in tests and in production.
 */

/**
 * The score under which accounts_low_score_idx holds an account: the summary reads its lowest accounts there, and scans
 * the book only when fewer than its LOWEST_ACCOUNTS_LIMIT accounts score under it.
 */
export const LOW_SCORE_INDEX_BELOW = 30;

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
    // The figures of the trends that lists sort by and the portfolio sums, and the health explanation: the components
    // of the current score and the full 30/60/90-day trends (JSON). The rescore writes all of them with the score in
    // ONE update of this row; only the partial accounts_low_score_idx holds a column it writes, so rescoring an account
    // costs D1 one row written, and an index entry when it scores (or scored) under LOW_SCORE_INDEX_BELOW.
    healthChange30d: real("health_change_30d"),
    arrChange30d: real("arr_change_30d"),
    arrChange90d: real("arr_change_90d"),
    engagementTrend30d: text("engagement_trend_30d", { enum: ["improving", "stable", "declining"] }),
    healthComponents: text("health_components", { mode: "json" }),
    trend30d: text("trend_30d", { mode: "json" }),
    trend60d: text("trend_60d", { mode: "json" }),
    trend90d: text("trend_90d", { mode: "json" }),
    // The current health as it was before the latest rescore: the rescore's update copies the old values here in the
    // same row write (SQLite evaluates every SET expression on the old row), and the same batch compares both to write
    // the edge-triggered health events. Null until the account has been scored twice.
    prevHealthScore: real("prev_health_score"),
    prevHealthBucket: text("prev_health_bucket", { enum: ["Healthy", "At-Risk", "Critical"] }),
    prevHealthComponents: text("prev_health_components", { mode: "json" }),
    prevHealthChange30d: real("prev_health_change_30d"),
    // The rest of the figures the kept book figures sum, as they were before the latest rescore, copied by the same
    // update: the statement after it moves each account's share from these to the new values (book-figures.ts).
    prevArr: real("prev_arr"),
    prevLatestMetricDate: text("prev_latest_metric_date"),
    prevEngagementTrend30d: text("prev_engagement_trend_30d"),
    prevArrChange30d: real("prev_arr_change_30d"),
    prevArrChange90d: real("prev_arr_change_90d"),
    // Dates whose scores are behind their metrics for a reason other than an upload in progress (a configuration
    // change, a new segment, an abandoned upload's pending rescores, a rescore job that failed); null: none. A rescore
    // covers scoresStaleFrom … scoresStaleTo + max(window − 1, 90) and clears them in the batch that writes the scores.
    scoresStaleFrom: text("scores_stale_from"),
    scoresStaleTo: text("scores_stale_to"),
    // The renewal date and the owner (CSM) of the account's latest-dated metric row that has them (each metric row
    // keeps those it was uploaded with): an empty cell keeps them, and a back-filled older row cannot override them.
    renewalDate: text("renewal_date"),
    owner: text("owner"),
    // The model whose activation (or whose configuration change) marked this account stale; null: its marks, if any,
    // have another cause. The rescore that clears the marks moves it to lastRescoreModelChange in the same row write,
    // so the events that rescore writes say the model caused them, however late (a cron after a cut-off job) it runs.
    staleModelChange: integer("stale_model_change"),
    lastRescoreModelChange: integer("last_rescore_model_change"),
    ...timestamps,
  },
  // Indexes on columns that rarely change, and partial ones whose entries few accounts have: D1 bills a row written for
  // each index entry an update assigns, and a daily feed rewrites every account's score, trends, ARR and latest date.
  (table) => [
    index("accounts_segment_idx").on(table.segment),
    index("accounts_region_idx").on(table.region),
    // The renewal window and the owner filter: both change rarely, and only a statement that finds a new value
    // assigns them, so a daily feed writes no entry of these indexes.
    index("accounts_renewal_idx").on(table.renewalDate),
    // The list's descending renewal order, ties by id ascending, read backwards without a sort.
    index("accounts_renewal_desc_idx").on(table.renewalDate, sql`${table.id} DESC`),
    index("accounts_owner_idx").on(sql`${table.owner} COLLATE NOCASE`),
    // The list's name order (case-insensitive, as it sorts), in both directions with ties by id ascending: a name is
    // written once, when the account is created.
    index("accounts_name_nocase_idx").on(sql`${table.accountName} COLLATE NOCASE`),
    index("accounts_name_nocase_desc_idx").on(sql`${table.accountName} COLLATE NOCASE`, sql`${table.id} DESC`),
    // Only the accounts marked stale, so every rescore finds its marks without scanning the book: a mark adds an
    // entry and its rescore removes it, while an update of an unmarked account (a daily feed's) writes none.
    // The lowest scores in the list's order (ties by id; the summary's lowest accounts sort a tie's few rows by ARR):
    // only accounts under LOW_SCORE_INDEX_BELOW, so a rescore writes an entry for an account that scores (or scored)
    // that low, not for the rest of the book.
    index("accounts_low_score_idx")
      .on(table.healthScore, table.id)
      .where(sql`${table.healthScore} < ${sql.raw(String(LOW_SCORE_INDEX_BELOW))}`),
    index("accounts_stale_idx")
      .on(table.id, table.scoresStaleFrom, table.scoresStaleTo)
      .where(sql`${table.scoresStaleFrom} IS NOT NULL`),
  ],
);

/**
 * The names an account was known by before a rename or a merge: an upload row that still uses one lands on the account.
 * A name is an account's or an alias, never both (the rename and the merge keep that), so an upload resolves a name
 * through this table before it looks it up in accounts.
 */
export const accountAliases = sqliteTable(
  "account_aliases",
  {
    alias: text("alias").primaryKey(),
    accountId: integer("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    createdAt: timestamps.createdAt,
  },
  (table) => [index("account_aliases_account_idx").on(table.accountId)],
);

/**
 * Who changed what, when: the changes to stored data and configuration that no upload makes (a rename, a merge, an
 * erasure, a webhook's life, a model's activation). `actor` is the API key's name (null when auth is off); `detail`
 * holds what changed (before and after, for an update), never a deleted customer's name.
 */
export const auditRecords = sqliteTable("audit_records", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  occurredAt: text("occurred_at").notNull(),
  actor: text("actor"),
  action: text("action", { enum: AUDIT_ACTIONS }).notNull(),
  subjectId: integer("subject_id").notNull(),
  detail: text("detail", { mode: "json" }).notNull(),
});

/**
 * account_metrics and health_scores are WITHOUT ROWID tables (migrations 0010 and 0013; drizzle cannot declare it): a
 * new row writes one b-tree entry, not a rowid row plus a primary-key index entry. account_metrics is clustered on
 * (account_id, date), so the trailing windows of an account's days read adjacent rows; health_scores on (date,
 * account_id), so a daily delta's new scores land together at the end of the table instead of on a page of every
 * account's history, and the trends' lookups of a score are point probes of that key.
 */
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
    // As uploaded with this row (null: the cell was empty or the file had no such column).
    renewalDate: text("renewal_date"),
    owner: text("owner"),
    // The declared measures' values of this row, as a JSON object by measure name (null: the row has none).
    measures: text("measures", { mode: "json" }),
    ingestRunId: integer("ingest_run_id"),
  },
  (table) => [primaryKey({ columns: [table.accountId, table.date] })],
);

export const healthScores = sqliteTable(
  "health_scores",
  {
    // No foreign key (migration 0027): with no index on account_id alone, deleting an account made SQLite scan every
    // score of the book to cascade; the erasure deletes an account's scores itself, a probe per date
    // (db/queries/account-changes.ts), and only the rescore writes scores, for accounts it reads.
    accountId: integer("account_id").notNull(),
    date: text("date").notNull(),
    score: real("score").notNull(),
    bucket: text("bucket", { enum: ["Healthy", "At-Risk", "Critical"] }).notNull(),
    // The model that computed it (health_models.id).
    modelId: integer("model_id").notNull().default(1),
    // The points of the model's components, by position (HEALTH_SCORE_POINTS_COLUMNS): component i in the i-th
    // column, null when it had no data or the model has fewer. The first five are named after model 1's components
    // (npsPoints is null when no NPS was found in the window nor carried from the previous 90 days). Columns, not
    // JSON: the trends subtract them column by column, as cheaply under any model as under model 1.
    dauPoints: real("dau_points"),
    adoptionPoints: real("adoption_points"),
    ticketsPoints: real("tickets_points"),
    npsPoints: real("nps_points"),
    loginPoints: real("login_points"),
    points5: real("points_5"),
    points6: real("points_6"),
    points7: real("points_7"),
    points8: real("points_8"),
    points9: real("points_9"),
    points10: real("points_10"),
    points11: real("points_11"),
    // Where the NPS came from; null under a model that does not score the NPS.
    npsSource: text("nps_source", { enum: ["window", "carried", "missing"] }),
    computedAt: text("computed_at").notNull(),
  },
  (table) => [primaryKey({ columns: [table.date, table.accountId] })],
);

/** health_scores' points columns in component order: a model's component i is stored in the i-th (12 at most). */
export const HEALTH_SCORE_POINTS_COLUMNS = [
  "dau_points",
  "adoption_points",
  "tickets_points",
  "nps_points",
  "login_points",
  "points_5",
  "points_6",
  "points_7",
  "points_8",
  "points_9",
  "points_10",
  "points_11",
] as const;

export const ingestRuns = sqliteTable(
  "ingest_runs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    fileName: text("file_name"),
    contentType: text("content_type"),
    // The name of the API key that uploaded it (API_KEYS); null when auth is off.
    createdBy: text("created_by"),
    // `dry_run`: a `?dry_run=true` upload, which validated and counted without writing.
    status: text("status", { enum: ["running", "completed", "failed", "rejected", "dry_run"] }).notNull(),
    bytesRead: integer("bytes_read").notNull().default(0),
    rowsTotal: integer("rows_total").notNull().default(0),
    rowsRejected: integer("rows_rejected").notNull().default(0),
    accountsCreated: integer("accounts_created").notNull().default(0),
    accountsUpdated: integer("accounts_updated").notNull().default(0),
    metricsCreated: integer("metrics_created").notNull().default(0),
    metricsUpdated: integer("metrics_updated").notNull().default(0),
    // What the upload's rescore did (null while running or when it went to the queue).
    scoresWritten: integer("scores_written"),
    rescoredAccounts: integer("rescored_accounts"),
    rescoredDates: integer("rescored_dates"),
    // Written in the same atomic batch as the rows themselves, so even a run cut off by a crash says exactly how far
    // it got: the valid rows stored, and the last line of the file they reach.
    rowsCommitted: integer("rows_committed").notNull().default(0),
    committedThroughLine: integer("committed_through_line"),
    // The first row errors (at most 100), as JSON objects {line, column, reason}.
    errors: text("errors", { mode: "json" }),
    failureReason: text("failure_reason"),
    startedAt: text("started_at").notNull(),
    finishedAt: text("finished_at"),
    durationMs: integer("duration_ms"),
  },
  (table) => [index("ingest_runs_started_idx").on(table.startedAt)],
);

/**
 * The dates an upload's batch created or changed, per account, waiting for their rescore: one row per batch, written
 * in the same atomic batch as its rows, as JSON `[[account_id, first_date, last_date], …]`. One row per batch, not a
 * mark on every account the batch touched, because D1 bills each row written. The upload's rescore reads the rows and
 * deletes those it read once their accounts are scored; a failed rescore or an upload cut off by a crash leaves them,
 * and the next upload's rescore or the cron scores them.
 */
/** An account and the first and last date of its changed metrics: an element of `pending_rescores.ranges`. */
export type ChangedRange = [accountId: number, firstDate: string, lastDate: string];

export const pendingRescores = sqliteTable("pending_rescores", {
  id: integer("id").primaryKey(),
  ingestRunId: integer("ingest_run_id").notNull(),
  ranges: text("ranges", { mode: "json" }).$type<ChangedRange[]>().notNull(),
  createdAt: timestamps.createdAt,
});

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

/**
 * The measures a book declares beyond the built-in columns (seats used ÷ seats bought, invoices overdue, …): an upload
 * then accepts a column of that name, checked against the range, and stores its values in account_metrics.measures.
 */
export const measures = sqliteTable("measures", {
  name: text("name").primaryKey(),
  description: text("description").notNull(),
  min: real("min").notNull(),
  max: real("max").notNull(),
  createdAt: timestamps.createdAt,
  createdBy: text("created_by"),
});

/**
 * The health models: what the score is made of, as a document (its components, window and buckets). One is active at a
 * time. Model 1, created by the migration, is the formula the configuration defines (HEALTH_WINDOW_DAYS,
 * DAU_BENCHMARK_*, TICKET_CEILING): its `document` is null, since the configuration, not the row, holds its values.
 */
export const healthModels = sqliteTable(
  "health_models",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    // 1 + the models created before it under the same name: editing a model is creating its next version.
    version: integer("version").notNull(),
    document: text("document", { mode: "json" }),
    status: text("status", { enum: ["draft", "active", "retired"] }).notNull(),
    createdAt: timestamps.createdAt,
    createdBy: text("created_by"),
    activatedAt: text("activated_at"),
    // The model that was active until this one was activated (the history's model_changes read it).
    replacedModelId: integer("replaced_model_id"),
  },
  (table) => [uniqueIndex("health_models_one_active_idx").on(table.status).where(sql`status = 'active'`)],
);

/**
 * The health configuration (window, DAU benchmarks, ticket ceiling) the stored scores were computed with, as one
 * fingerprint (a single row, id 1). A rescore that finds another configuration marks every account stale first.
 */
export const scoringConfig = sqliteTable("scoring_config", {
  id: integer("id").primaryKey(),
  fingerprint: text("fingerprint").notNull(),
  appliedAt: text("applied_at").notNull(),
});

/**
 * A counter every write that changes what the reads answer bumps (a single row, id 1): an upload batch, a rescore, a
 * change of the health configuration. The conditional reads' ETags derive from it (lib/conditional-read.ts), so
 * checking a tag costs one primary-key read, and a write one row write, whatever it changed.
 */
export const dataVersion = sqliteTable("data_version", {
  id: integer("id").primaryKey(),
  version: integer("version").notNull(),
});

/**
 * Figures too costly to read on every request (a scan of many dates of scores), kept with the data version they were
 * computed at: a read whose version matches serves them; any write since (which bumps the version) makes the next read
 * compute them again. One row per figure.
 */
export const figureCache = sqliteTable("figure_cache", {
  name: text("name").primaryKey(),
  dataVersion: integer("data_version").notNull(),
  body: text("body").notNull(),
  computedAt: text("computed_at").notNull(),
});

/**
 * The portfolio summary's sums, kept exact by every write that changes an account's group or figures, in the batch of
 * that write (db/queries/book-figures.ts), so the summary reads these few rows instead of the book. One row per
 * segment, region, bucket and 30-day engagement trend ('' for none); money in cents and scores in tenths, as integers,
 * so taking an account's share away and adding its new one leaves no rounding behind. A row whose accounts fall to 0
 * stays (all its sums are then 0) and is skipped by the readers.
 */
export const portfolioGroups = sqliteTable(
  "portfolio_groups",
  {
    segment: text("segment").notNull(),
    region: text("region").notNull(),
    healthBucket: text("health_bucket").notNull(),
    engagementTrend30d: text("engagement_trend_30d").notNull(),
    accounts: integer("accounts").notNull(),
    arrCents: integer("arr_cents").notNull(),
    scoredAccounts: integer("scored_accounts").notNull(),
    scoreTenths: integer("score_tenths").notNull(),
    arrChange30dCents: integer("arr_change_30d_cents").notNull(),
    arrChange90dCents: integer("arr_change_90d_cents").notNull(),
  },
  (table) => [primaryKey({ columns: [table.segment, table.region, table.healthBucket, table.engagementTrend30d] })],
);

/**
 * The number of accounts per segment, region and bucket ('' for unscored), and per every coarser grouping of them:
 * `grouping` has a bit per key it holds (1 segment, 2 region, 4 bucket), and a key it does not hold is ''. Kept with
 * portfolio_groups, so the account list's total under any combination of those filters reads one row (a few, for a
 * region stored in several cases), whatever the size of the book.
 */
export const accountCounts = sqliteTable(
  "account_counts",
  {
    grouping: integer("grouping").notNull(),
    segment: text("segment").notNull(),
    region: text("region").notNull(),
    healthBucket: text("health_bucket").notNull(),
    accounts: integer("accounts").notNull(),
  },
  (table) => [primaryKey({ columns: [table.grouping, table.segment, table.region, table.healthBucket] })],
);

/** How many accounts have each latest metric date, kept with portfolio_groups: the book's latest date is the highest. */
export const bookLatestDates = sqliteTable("book_latest_dates", {
  date: text("date").primaryKey(),
  accounts: integer("accounts").notNull(),
});

/**
 * The accounts renewing on each date, per bucket ('' for none), and their ARR in cents: kept with portfolio_groups, so
 * a renewal window's totals read a row per date and bucket, not the accounts renewing in it.
 */
export const renewalFigures = sqliteTable(
  "renewal_figures",
  {
    renewalDate: text("renewal_date").notNull(),
    healthBucket: text("health_bucket").notNull(),
    accounts: integer("accounts").notNull(),
    arrCents: integer("arr_cents").notNull(),
  },
  (table) => [primaryKey({ columns: [table.renewalDate, table.healthBucket] })],
);

/**
 * The revenue statement of each window (GET /portfolio/revenue), kept so a read of a window reads its rows and not the
 * book: its (segment, movement) sums here, its biggest accounts per movement in revenue_movers, and in revenue_state
 * whether they are current. Every metric batch, and every rescore chunk that moves an account's ARR or latest date,
 * marks them stale in its own batch; the rescore that brings the accounts up to their metrics refreshes them. A read
 * while they are stale computes the statement from the accounts, so a crash never leaves a wrong answer.
 */
export const revenueState = sqliteTable("revenue_state", {
  id: integer("id").primaryKey(),
  stale: integer("stale", { mode: "boolean" }).notNull(),
  /** The book's latest metric date when the figures were computed; null on an empty book. */
  asOf: text("as_of"),
});

export const revenueFigures = sqliteTable(
  "revenue_figures",
  {
    days: integer("days").notNull(),
    segment: text("segment").notNull(),
    movement: text("movement").notNull(),
    accounts: integer("accounts").notNull(),
    startArr: real("start_arr").notNull(),
    endArr: real("end_arr").notNull(),
  },
  (table) => [primaryKey({ columns: [table.days, table.segment, table.movement] })],
);

/** Each window's biggest accounts per movement, by place; an empty place has no account. */
export const revenueMovers = sqliteTable(
  "revenue_movers",
  {
    days: integer("days").notNull(),
    movement: text("movement").notNull(),
    place: integer("place").notNull(),
    accountId: integer("account_id"),
    accountName: text("account_name"),
    segment: text("segment"),
    startArr: real("start_arr"),
    endArr: real("end_arr"),
  },
  (table) => [primaryKey({ columns: [table.days, table.movement, table.place] })],
);

/** A recompute too big for one invocation, run as chunks of accounts on the recompute queue. */
export const recomputeJobs = sqliteTable(
  "recompute_jobs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    trigger: text("trigger", { enum: ["api", "cron", "ingest"] }).notNull(),
    status: text("status", { enum: ["queued", "running", "completed", "failed"] }).notNull(),
    accountsTotal: integer("accounts_total").notNull(),
    chunksTotal: integer("chunks_total").notNull(),
    chunksDone: integer("chunks_done").notNull().default(0),
    accountsUpdated: integer("accounts_updated").notNull().default(0),
    scoresWritten: integer("scores_written").notNull().default(0),
    error: text("error"),
    createdAt: text("created_at").notNull(),
    finishedAt: text("finished_at"),
  },
  (table) => [index("recompute_jobs_created_idx").on(table.createdAt)],
);

/** One row per finished chunk, so a chunk the queue delivers twice is counted once. */
export const recomputeJobChunks = sqliteTable(
  "recompute_job_chunks",
  {
    jobId: integer("job_id")
      .notNull()
      .references(() => recomputeJobs.id, { onDelete: "cascade" }),
    chunk: integer("chunk").notNull(),
    accountsUpdated: integer("accounts_updated").notNull(),
    scoresWritten: integer("scores_written").notNull(),
    finishedAt: text("finished_at").notNull(),
  },
  (table) => [primaryKey({ columns: [table.jobId, table.chunk] })],
);

/**
 * The change feed: edge-triggered events, written in the same atomic batch as the change that caused them (a rescore's
 * chunk, an upload's end). AUTOINCREMENT, so ids only ever increase (never reused after a delete) and a client can
 * follow the feed with `after`. account_id is null for book-level events (ingest.completed, webhook.test); no foreign
 * key, so the feed outlives what it describes.
 */
export const healthEvents = sqliteTable(
  "health_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    type: text("type", { enum: EVENT_TYPES }).notNull(),
    accountId: integer("account_id"),
    occurredAt: text("occurred_at").notNull(),
    // The metric date the event is about (the account's latest metric date); null when none applies.
    asOf: text("as_of"),
    data: text("data", { mode: "json" }).notNull(),
  },
  // An account's events by id (the index holds the rowid, which is the id): GET /events?account_id and recent_events.
  (table) => [index("health_events_account_idx").on(table.accountId)],
);

/**
 * Webhook endpoints. HMAC needs the secret itself, so it is stored sealed (AES-GCM under SECRETS_KEY, the endpoint's id
 * as associated data: webhooks/sealing.ts), never in the clear; a `whsec_` value is one stored before sealing, which
 * the cron and the webhook queue's consumer seal.
 */
export const webhooks = sqliteTable("webhooks", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  url: text("url").notNull(),
  // JSON list of the subscribed types; null: every type, including types added later.
  eventTypes: text("event_types", { mode: "json" }),
  description: text("description"),
  secret: text("secret").notNull(),
  // After a rotation the old secret (sealed too) also signs every delivery until it expires (24 hours), so a receiver
  // can switch.
  previousSecret: text("previous_secret"),
  previousSecretExpiresAt: text("previous_secret_expires_at"),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  disabledReason: text("disabled_reason"),
  disabledAt: text("disabled_at"),
  // Deliveries that ended failed since the last one delivered; at 5 the endpoint is disabled.
  consecutiveFailures: integer("consecutive_failures").notNull().default(0),
  // The id of the newest event when the endpoint was created: it gets only the events after it.
  eventsAfter: integer("events_after").notNull().default(0),
  // Whether it receives the account events a change of the health model caused (data.cause = 'model_change'): off by
  // default, so nobody is paged about accounts whose customers did nothing.
  includeModelChanges: integer("include_model_changes", { mode: "boolean" }).notNull().default(false),
  ...timestamps,
});

/**
 * One event for one endpoint. message_id is the `webhook-id` header: the same on every attempt, retry and manual
 * retry of this delivery. attempts counts every attempt; retry_step the failed attempts since it was (re)started,
 * which picks the next backoff delay.
 */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    webhookId: integer("webhook_id")
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    eventId: integer("event_id").notNull(),
    messageId: text("message_id").notNull(),
    status: text("status", { enum: ["pending", "delivered", "retrying", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    retryStep: integer("retry_step").notNull().default(0),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    nextAttemptAt: text("next_attempt_at"),
    deliveredAt: text("delivered_at"),
    durationMs: integer("duration_ms"),
    ...timestamps,
  },
  // One delivery per endpoint and event, whatever the fan-out repeats; also lists an endpoint's deliveries.
  (table) => [uniqueIndex("webhook_deliveries_webhook_event_idx").on(table.webhookId, table.eventId)],
);

/** How far the fan-out has turned events into deliveries (a single row, id 1). */
export const webhookCursor = sqliteTable("webhook_cursor", {
  id: integer("id").primaryKey(),
  lastEventId: integer("last_event_id").notNull(),
  updatedAt: text("updated_at").notNull(),
});
