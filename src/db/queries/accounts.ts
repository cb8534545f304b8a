import type { Bucket, HealthComponents, Segment, Trend } from "../../domain/types";

/**
 * Read queries for accounts, in raw D1 SQL: the list's filters and sort are composed at run time, and each page is
 * two statements in one batch (count + page), with the latest metrics joined by primary key, never per row.
 */

export const ACCOUNT_SORTS = ["account_name", "health_score", "arr", "health_change_30d"] as const;
export type AccountSort = (typeof ACCOUNT_SORTS)[number];

export const SORT_ORDERS = ["asc", "desc"] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

export const MAX_PAGE_SIZE = 100;

/** How far back the detail's histories reach from the latest metric date (the widest trend window). */
export const HISTORY_WINDOW_DAYS = 90;

export interface AccountFilters {
  segment?: Segment;
  /** Exact name, case-insensitive. */
  region?: string;
  bucket?: Bucket;
  /** Substring of the name, case-insensitive; taken literally (no wildcards). */
  search?: string;
  minHealth?: number;
  maxHealth?: number;
}

export interface AccountListQuery extends AccountFilters {
  page: number;
  pageSize: number;
  sort: AccountSort;
  order: SortOrder;
}

export interface LatestMetricsView {
  id: number;
  account_id: number;
  date: string;
  daily_active_users: number;
  feature_adoption_rate: number;
  support_tickets_open: number;
  nps_score: number | null;
  login_frequency: number;
  health_score: number | null;
}

export interface AccountView {
  id: number;
  account_name: string;
  segment: Segment;
  region: string;
  arr: number;
  health_score: number | null;
  health_bucket: Bucket | null;
  created_at: string;
  updated_at: string;
  latest_metrics: LatestMetricsView | null;
  trend_30d: Trend | null;
  trend_60d: Trend | null;
  trend_90d: Trend | null;
  health_components: HealthComponents | null;
  latest_metric_date: string | null;
}

export interface HealthHistoryEntry {
  date: string;
  health_score: number;
  health_bucket: Bucket;
  health_components: HealthComponents;
  nps_source: "window" | "carried" | "missing";
}

export interface MetricsHistoryEntry {
  date: string;
  daily_active_users: number;
  feature_adoption_rate: number;
  support_tickets_open: number;
  nps_score: number | null;
  login_frequency: number;
  arr: number;
}

export interface AccountDetailView extends AccountView {
  health_history: HealthHistoryEntry[];
  metrics_history: MetricsHistoryEntry[];
}

export interface AccountPage {
  total: number;
  accounts: AccountView[];
}

interface AccountRow {
  id: number;
  account_name: string;
  segment: Segment;
  region: string;
  arr: number;
  health_score: number | null;
  health_bucket: Bucket | null;
  created_at: string;
  updated_at: string;
  latest_metric_date: string | null;
  health_components: string | null;
  trend_30d: string | null;
  trend_60d: string | null;
  trend_90d: string | null;
  metrics_id: number | null;
  metrics_date: string | null;
  daily_active_users: number | null;
  feature_adoption_rate: number | null;
  support_tickets_open: number | null;
  nps_score: number | null;
  login_frequency: number | null;
  metrics_health_score: number | null;
}

interface HistoryRow {
  date: string;
  daily_active_users: number;
  feature_adoption_rate: number;
  support_tickets_open: number;
  nps_score: number | null;
  login_frequency: number;
  arr: number;
  score: number | null;
  bucket: Bucket | null;
  dau_points: number | null;
  adoption_points: number | null;
  tickets_points: number | null;
  nps_points: number | null;
  login_points: number | null;
  nps_source: HealthHistoryEntry["nps_source"] | null;
}

/** The columns of an account, its health explanation and its latest metrics row, from `accounts AS a`. */
const ACCOUNT_COLUMNS = `
  a.id, a.account_name, a.segment, a.region, a.arr, a.health_score, a.health_bucket, a.created_at, a.updated_at,
  a.latest_metric_date, ah.components AS health_components, ah.trend_30d, ah.trend_60d, ah.trend_90d,
  m.rowid AS metrics_id, m.date AS metrics_date, m.daily_active_users, m.feature_adoption_rate, m.support_tickets_open,
  m.nps_score, m.login_frequency, h.score AS metrics_health_score`;

const LATEST_METRICS_JOINS = `
  LEFT JOIN account_health AS ah ON ah.account_id = a.id
  LEFT JOIN account_metrics AS m ON m.account_id = a.id AND m.date = a.latest_metric_date
  LEFT JOIN health_scores AS h ON h.account_id = a.id AND h.date = a.latest_metric_date`;

const SORT_EXPRESSIONS: Record<AccountSort, string> = {
  account_name: "a.account_name COLLATE NOCASE",
  health_score: "a.health_score",
  arr: "a.arr",
  health_change_30d: "a.health_change_30d",
};

/** Nulls last in both directions, then id ascending, so every page boundary is stable. */
function orderByClause(sort: AccountSort, order: SortOrder): string {
  const expression = SORT_EXPRESSIONS[sort];
  return `ORDER BY ${expression} IS NULL, ${expression} ${order === "desc" ? "DESC" : "ASC"}, a.id ASC`;
}

/** `%`, `_` and the escape character itself are matched literally. */
export function likeContaining(term: string): string {
  return `%${term.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

function whereClause(filters: AccountFilters): { sql: string; params: (string | number)[] } {
  const conditions: string[] = [];
  const params: (string | number)[] = [];
  if (filters.segment !== undefined) {
    conditions.push("a.segment = ?");
    params.push(filters.segment);
  }
  if (filters.region !== undefined) {
    conditions.push("a.region = ? COLLATE NOCASE");
    params.push(filters.region);
  }
  if (filters.bucket !== undefined) {
    conditions.push("a.health_bucket = ?");
    params.push(filters.bucket);
  }
  if (filters.search !== undefined) {
    conditions.push("a.account_name LIKE ? ESCAPE '\\'");
    params.push(likeContaining(filters.search));
  }
  if (filters.minHealth !== undefined) {
    conditions.push("a.health_score >= ?");
    params.push(filters.minHealth);
  }
  if (filters.maxHealth !== undefined) {
    conditions.push("a.health_score <= ?");
    params.push(filters.maxHealth);
  }
  return { sql: conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "", params };
}

/** A JSON column as stored by the recompute job; null stays null. */
export function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

function toAccountView(row: AccountRow): AccountView {
  const latestMetrics: LatestMetricsView | null =
    row.metrics_id === null || row.metrics_date === null
      ? null
      : {
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
    latest_metrics: latestMetrics,
    trend_30d: parseJson<Trend>(row.trend_30d),
    trend_60d: parseJson<Trend>(row.trend_60d),
    trend_90d: parseJson<Trend>(row.trend_90d),
    health_components: parseJson<HealthComponents>(row.health_components),
    latest_metric_date: row.latest_metric_date,
  };
}

/**
 * One page of accounts and the number matching the filters, read in one batch (a consistent snapshot).
 * The page's ids are cut first, reading only the filter and sort columns (from a covering index where one fits), and
 * only the page's rows are then read whole and joined to their health and latest metrics.
 */
export async function listAccounts(d1: D1Database, query: AccountListQuery): Promise<AccountPage> {
  const where = whereClause(query);
  const orderBy = orderByClause(query.sort, query.order);
  const offset = (query.page - 1) * query.pageSize;
  const [counted, paged] = await d1.batch([
    d1.prepare(`SELECT count(*) AS total FROM accounts AS a ${where.sql}`).bind(...where.params),
    d1
      .prepare(
        `WITH page AS (SELECT a.id FROM accounts AS a ${where.sql} ${orderBy} LIMIT ? OFFSET ?)
         SELECT ${ACCOUNT_COLUMNS} FROM page AS p JOIN accounts AS a ON a.id = p.id ${LATEST_METRICS_JOINS} ${orderBy}`,
      )
      .bind(...where.params, query.pageSize, offset),
  ]);
  const total = (counted?.results[0] as { total: number } | undefined)?.total ?? 0;
  const rows = (paged?.results ?? []) as AccountRow[];
  return { total, accounts: rows.map(toAccountView) };
}

function toHistory(rows: readonly HistoryRow[]): Pick<AccountDetailView, "health_history" | "metrics_history"> {
  const healthHistory: HealthHistoryEntry[] = [];
  const metricsHistory: MetricsHistoryEntry[] = [];
  for (const row of rows) {
    metricsHistory.push({
      date: row.date,
      daily_active_users: row.daily_active_users,
      feature_adoption_rate: row.feature_adoption_rate,
      support_tickets_open: row.support_tickets_open,
      nps_score: row.nps_score,
      login_frequency: row.login_frequency,
      arr: row.arr,
    });
    // A date not scored yet (metrics stored, recompute pending) has metrics but no score.
    if (row.score !== null && row.bucket !== null) {
      healthHistory.push({
        date: row.date,
        health_score: row.score,
        health_bucket: row.bucket,
        health_components: {
          daily_active_users: row.dau_points ?? 0,
          feature_adoption: row.adoption_points ?? 0,
          support_tickets: row.tickets_points ?? 0,
          nps: row.nps_points,
          login_frequency: row.login_points ?? 0,
        },
        nps_source: row.nps_source ?? "missing",
      });
    }
  }
  return { health_history: healthHistory, metrics_history: metricsHistory };
}

/**
 * One account with its score and metrics history from its latest metric date minus HISTORY_WINDOW_DAYS up to that
 * date (ascending), read in one batch; null when there is no such account.
 */
export async function getAccountDetail(d1: D1Database, id: number): Promise<AccountDetailView | null> {
  const [accountResult, historyResult] = await d1.batch([
    d1.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts AS a ${LATEST_METRICS_JOINS} WHERE a.id = ?`).bind(id),
    d1
      .prepare(
        `SELECT m.date, m.daily_active_users, m.feature_adoption_rate, m.support_tickets_open, m.nps_score,
                m.login_frequency, m.arr, h.score, h.bucket, h.dau_points, h.adoption_points, h.tickets_points,
                h.nps_points, h.login_points, h.nps_source
         FROM accounts AS a
         JOIN account_metrics AS m
           ON m.account_id = a.id
          AND m.date >= date(a.latest_metric_date, '-${HISTORY_WINDOW_DAYS} days')
          AND m.date <= a.latest_metric_date
         LEFT JOIN health_scores AS h ON h.account_id = m.account_id AND h.date = m.date
         WHERE a.id = ?
         ORDER BY m.date`,
      )
      .bind(id),
  ]);
  const row = accountResult?.results[0] as AccountRow | undefined;
  if (!row) return null;
  return { ...toAccountView(row), ...toHistory((historyResult?.results ?? []) as HistoryRow[]) };
}
