import { sql } from "drizzle-orm";
import type { DailyMetrics, HealthComponents, Trend } from "../../domain/types";
import { HISTORY_WINDOW_DAYS, type Account, type AccountDetail, type LatestMetrics } from "../../contract/accounts";

// toAccount is the one mapping from a stored account to the contract's Account: the list, the detail and the portfolio
// share it, and the columns hold the contract's fields one for one.

/**
 * The SQL pieces the account reads share (the list, the detail and the risk rules' inputs), the rows they return
 * and their mapping to the Account shape. Every piece reads from `accounts AS a`.
 */


/** An account's own columns and its health explanation. */
export const ACCOUNT_HEALTH_COLUMNS = sql.raw(`
  a.id, a.account_name, a.segment, a.region, a.arr, a.health_score, a.health_bucket, a.latest_metric_date,
  a.renewal_date, a.owner, a.health_components, a.trend_30d, a.trend_60d, a.trend_90d`);

/** The score of the account's latest metric date. */
export const LATEST_SCORE_JOIN = sql.raw(
  `LEFT JOIN health_scores AS h ON h.account_id = a.id AND h.date = a.latest_metric_date`,
);

/** One day of metrics, as DailyMetrics, from `account_metrics AS m`. */
export const METRICS_COLUMNS = sql.raw(`
  m.date, m.daily_active_users, m.feature_adoption_rate, m.support_tickets_open, m.nps_score, m.login_frequency, m.arr`);

/** METRICS_COLUMNS with the row's declared measures' values (JSON text, null when it has none), as the history shows them. */
export const METRICS_WITH_MEASURES_COLUMNS = sql`${METRICS_COLUMNS}, m.measures`;

/** A row of METRICS_WITH_MEASURES_COLUMNS. */
export type StoredMetricsRow = DailyMetrics & { measures: string | null };

/** A day of metrics as the history shows it: `measures` only when the row has some, so other books answer as before. */
export function toMetricsEntry({ measures, ...metrics }: StoredMetricsRow): AccountDetail["metrics_history"][number] {
  return measures === null ? metrics : { ...metrics, measures: JSON.parse(measures) as Record<string, number> };
}

/** The account's metrics from its latest metric date minus HISTORY_WINDOW_DAYS up to that date. */
export const METRICS_WINDOW_JOIN = sql.raw(`
  JOIN account_metrics AS m
    ON m.account_id = a.id
   AND m.date >= date(a.latest_metric_date, '-${HISTORY_WINDOW_DAYS} days')
   AND m.date <= a.latest_metric_date`);

/**
 * A metrics row's id. account_metrics is clustered on (account_id, date) without a rowid, so the id is derived from
 * both: the account id × 10^7 + the date's Julian day number (below 10^7 until the year 9999). Unique, and stable
 * across re-uploads of that day.
 */
const METRICS_ID = "m.account_id * 10000000 + CAST(julianday(m.date) AS INTEGER)";

/** The columns of an account, its health explanation and its latest metrics row (ACCOUNT_JOINS). */
export const ACCOUNT_COLUMNS = sql`${ACCOUNT_HEALTH_COLUMNS}, a.created_at, a.updated_at,
  ${sql.raw(METRICS_ID)} AS metrics_id, m.date AS metrics_date, m.daily_active_users, m.feature_adoption_rate, m.support_tickets_open,
  m.nps_score, m.login_frequency, h.score AS metrics_health_score`;

export const ACCOUNT_JOINS = sql`
  LEFT JOIN account_metrics AS m ON m.account_id = a.id AND m.date = a.latest_metric_date
  ${LATEST_SCORE_JOIN}`;

type StoredHealthField = "health_components" | "trend_30d" | "trend_60d" | "trend_90d";

/** The health explanation as the account row stores it: JSON text, or null. */
type StoredHealth = Record<StoredHealthField, string | null>;

/** A row of ACCOUNT_HEALTH_COLUMNS. */
export type AccountHealthRow = Pick<
  Account,
  | "id"
  | "account_name"
  | "segment"
  | "region"
  | "arr"
  | "health_score"
  | "health_bucket"
  | "latest_metric_date"
  | "renewal_date"
  | "owner"
> &
  StoredHealth;

type Nullable<T> = { [K in keyof T]: T[K] | null };

/** A row of ACCOUNT_COLUMNS: the metrics columns are null when the account has no metrics. */
export type AccountRow = AccountHealthRow &
  Pick<Account, "created_at" | "updated_at"> &
  Nullable<Omit<LatestMetrics, "id" | "account_id" | "date" | "health_score">> & {
    metrics_id: number | null;
    metrics_date: string | null;
    metrics_health_score: number | null;
  };

/** A JSON column as stored by the recompute job; null stays null. */
export function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/** The stored health explanation, parsed (in the order the Account shape lists it). */
export function parseHealth(row: StoredHealth): Pick<Account, StoredHealthField> {
  return {
    trend_30d: parseJson<Trend>(row.trend_30d),
    trend_60d: parseJson<Trend>(row.trend_60d),
    trend_90d: parseJson<Trend>(row.trend_90d),
    health_components: parseJson<HealthComponents>(row.health_components),
  };
}

function toLatestMetrics(row: AccountRow): LatestMetrics | null {
  if (row.metrics_id === null || row.metrics_date === null) return null;
  return {
    id: row.metrics_id,
    account_id: row.id,
    date: row.metrics_date,
    daily_active_users: row.daily_active_users ?? 0,
    feature_adoption_rate: row.feature_adoption_rate ?? 0,
    support_tickets_open: row.support_tickets_open ?? 0,
    nps_score: row.nps_score,
    login_frequency: row.login_frequency ?? 0,
    health_score: row.metrics_health_score,
  };
}

export function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    account_name: row.account_name,
    segment: row.segment,
    region: row.region,
    arr: row.arr,
    health_score: row.health_score,
    health_bucket: row.health_bucket,
    created_at: row.created_at,
    updated_at: row.updated_at,
    latest_metrics: toLatestMetrics(row),
    ...parseHealth(row),
    latest_metric_date: row.latest_metric_date,
    renewal_date: row.renewal_date,
    owner: row.owner,
  };
}
