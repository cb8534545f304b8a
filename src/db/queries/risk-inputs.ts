import type { NpsSource } from "../../domain/health";
import type { AccountSnapshot } from "../../domain/risk";
import type { Bucket, DailyMetrics, HealthComponents, Segment, Trend } from "../../domain/types";
import { getAccountDetail, HISTORY_WINDOW_DAYS, parseJson } from "./accounts";

/**
 * What the risk rules read (AccountSnapshot), loaded from D1: one account for recommendations and account insights,
 * or the portfolio's biggest accounts for the portfolio insight. Metrics reach back HISTORY_WINDOW_DAYS from each
 * account's latest metric date, so both paths feed the rules the same data.
 */

/** Accounts loaded per bucket group for the portfolio insight: the biggest by ARR, so the prompt stays bounded. */
export const PORTFOLIO_RISK_ACCOUNTS_LIMIT = 50;

const AS_OF_SQL = "SELECT max(latest_metric_date) AS as_of FROM accounts";

/** One account as the risk rules see it; null when there is no such account. */
export async function getAccountSnapshot(d1: D1Database, id: number): Promise<AccountSnapshot | null> {
  const [detail, asOf] = await Promise.all([
    getAccountDetail(d1, id),
    d1.prepare(AS_OF_SQL).first<{ as_of: string | null }>(),
  ]);
  if (!detail) return null;
  const latestScore = detail.health_history.at(-1);
  return {
    id: detail.id,
    account_name: detail.account_name,
    segment: detail.segment,
    region: detail.region,
    arr: detail.arr,
    health_score: detail.health_score,
    health_bucket: detail.health_bucket,
    health_components: detail.health_components,
    nps_source: latestScore && latestScore.date === detail.latest_metric_date ? latestScore.nps_source : null,
    trend_30d: detail.trend_30d,
    trend_60d: detail.trend_60d,
    trend_90d: detail.trend_90d,
    latest_metric_date: detail.latest_metric_date,
    metrics: detail.metrics_history,
    as_of: asOf?.as_of ?? null,
  };
}

const CANDIDATES = `
WITH candidates(id) AS (
  SELECT id FROM (SELECT id FROM accounts WHERE health_bucket IN ('At-Risk', 'Critical')
                  ORDER BY arr DESC, id LIMIT ?1)
  UNION
  SELECT id FROM (SELECT id FROM accounts WHERE health_bucket = 'Healthy' ORDER BY arr DESC, id LIMIT ?1)
)`;

const CANDIDATE_ACCOUNTS_SQL = `${CANDIDATES}
SELECT a.id, a.account_name, a.segment, a.region, a.arr, a.health_score, a.health_bucket,
       ah.components AS health_components, ah.trend_30d, ah.trend_60d, ah.trend_90d, a.latest_metric_date, h.nps_source
FROM candidates AS c
JOIN accounts AS a ON a.id = c.id
LEFT JOIN account_health AS ah ON ah.account_id = a.id
LEFT JOIN health_scores AS h ON h.account_id = a.id AND h.date = a.latest_metric_date
ORDER BY a.arr DESC, a.id`;

const CANDIDATE_METRICS_SQL = `${CANDIDATES}
SELECT m.account_id, m.date, m.daily_active_users, m.feature_adoption_rate, m.support_tickets_open, m.nps_score,
       m.login_frequency, m.arr
FROM candidates AS c
JOIN accounts AS a ON a.id = c.id
JOIN account_metrics AS m
  ON m.account_id = a.id
 AND m.date >= date(a.latest_metric_date, '-${HISTORY_WINDOW_DAYS} days')
 AND m.date <= a.latest_metric_date
ORDER BY m.account_id, m.date`;

interface CandidateRow {
  id: number;
  account_name: string;
  segment: Segment;
  region: string;
  arr: number;
  health_score: number | null;
  health_bucket: Bucket | null;
  health_components: string | null;
  trend_30d: string | null;
  trend_60d: string | null;
  trend_90d: string | null;
  latest_metric_date: string | null;
  nps_source: NpsSource | null;
}

type MetricRow = DailyMetrics & { account_id: number };

/**
 * The PORTFOLIO_RISK_ACCOUNTS_LIMIT biggest At-Risk or Critical accounts and as many of the biggest Healthy ones, as
 * snapshots, biggest ARR first; read in one batch (two statements, whatever the number of accounts).
 */
export async function getPortfolioRiskSnapshots(
  d1: D1Database,
  limit = PORTFOLIO_RISK_ACCOUNTS_LIMIT,
): Promise<AccountSnapshot[]> {
  const [accounts, metrics, asOf] = await d1.batch([
    d1.prepare(CANDIDATE_ACCOUNTS_SQL).bind(limit),
    d1.prepare(CANDIDATE_METRICS_SQL).bind(limit),
    d1.prepare(AS_OF_SQL),
  ]);
  const metricsByAccount = new Map<number, DailyMetrics[]>();
  for (const { account_id: accountId, ...row } of (metrics?.results ?? []) as MetricRow[]) {
    const rows = metricsByAccount.get(accountId) ?? [];
    rows.push(row);
    metricsByAccount.set(accountId, rows);
  }
  const portfolioAsOf = (asOf?.results[0] as { as_of: string | null } | undefined)?.as_of ?? null;
  return ((accounts?.results ?? []) as CandidateRow[]).map((row) => ({
    id: row.id,
    account_name: row.account_name,
    segment: row.segment,
    region: row.region,
    arr: row.arr,
    health_score: row.health_score,
    health_bucket: row.health_bucket,
    health_components: parseJson<HealthComponents>(row.health_components),
    nps_source: row.nps_source,
    trend_30d: parseJson<Trend>(row.trend_30d),
    trend_60d: parseJson<Trend>(row.trend_60d),
    trend_90d: parseJson<Trend>(row.trend_90d),
    latest_metric_date: row.latest_metric_date,
    metrics: metricsByAccount.get(row.id) ?? [],
    as_of: portfolioAsOf,
  }));
}
