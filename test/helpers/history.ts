import { env } from "cloudflare:test";
import type { DailyMetrics, Segment } from "../../src/domain/types";
import { markRevenueStale } from "./db";

/**
 * Seeds accounts with a metric history directly in D1, without scoring them, for the tests that compare the SQL
 * recompute with the pure reference.
 */

/** A day of metrics, with the values of declared measures when it has any. */
export type SeedMetrics = DailyMetrics & { measures?: Readonly<Record<string, number | null>> };

export interface HistorySeed {
  name: string;
  segment: Segment;
  region?: string;
  metrics: readonly SeedMetrics[];
}

/** Upserts the rows (a later value for the same date replaces the stored one), all as one JSON parameter. */
export async function upsertMetricHistory(accountId: number, metrics: readonly SeedMetrics[]): Promise<void> {
  if (metrics.length === 0) return;
  await env.DB.prepare(
    `INSERT INTO account_metrics (account_id, date, daily_active_users, feature_adoption_rate, support_tickets_open,
                                  nps_score, login_frequency, arr, measures)
     SELECT ?1, value ->> 'date', value ->> 'daily_active_users', value ->> 'feature_adoption_rate',
            value ->> 'support_tickets_open', value ->> 'nps_score', value ->> 'login_frequency', value ->> 'arr',
            value -> 'measures'
     FROM json_each(?2)
     WHERE true
     ON CONFLICT (account_id, date) DO UPDATE
     SET daily_active_users = excluded.daily_active_users, feature_adoption_rate = excluded.feature_adoption_rate,
         support_tickets_open = excluded.support_tickets_open, nps_score = excluded.nps_score,
         login_frequency = excluded.login_frequency, arr = excluded.arr, measures = excluded.measures`,
  )
    .bind(accountId, JSON.stringify(metrics))
    .run();
  await markRevenueStale();
}

/** Inserts the account (its segment, region and ARR of its latest row) and its history; answers its id. */
export async function insertAccountWithHistory(seed: HistorySeed): Promise<number> {
  const latest = seed.metrics.at(-1);
  const row = await env.DB.prepare(
    "INSERT INTO accounts (account_name, segment, region, arr, latest_metric_date) VALUES (?, ?, ?, ?, ?) RETURNING id",
  )
    .bind(seed.name, seed.segment, seed.region ?? "EMEA", latest?.arr ?? 0, latest?.date ?? null)
    .first<{ id: number }>();
  if (!row) throw new Error(`could not insert ${seed.name}`);
  await markRevenueStale();
  await upsertMetricHistory(row.id, seed.metrics);
  return row.id;
}

/** Everything a rescore writes, by account name and in a fixed order, without its timestamps and ids. */
export async function scoredState() {
  const [scores, accounts, health] = await env.DB.batch([
    env.DB.prepare(
      `SELECT a.account_name, h.date, h.score, h.bucket, h.dau_points, h.adoption_points, h.tickets_points, h.nps_points,
              h.login_points, h.points_5, h.points_6, h.points_7, h.points_8, h.points_9, h.points_10, h.points_11,
              h.nps_source, h.model_id
       FROM health_scores AS h JOIN accounts AS a ON a.id = h.account_id ORDER BY a.account_name, h.date`,
    ),
    env.DB.prepare(
      `SELECT account_name, segment, arr, latest_metric_date, health_score, health_bucket, health_change_30d,
              arr_change_30d, arr_change_90d, engagement_trend_30d, scores_stale_from, scores_stale_to
       FROM accounts ORDER BY account_name`,
    ),
    env.DB.prepare(
      `SELECT account_name, health_components, trend_30d, trend_60d, trend_90d FROM accounts ORDER BY account_name`,
    ),
  ]);
  return {
    scores: scores?.results,
    accounts: accounts?.results as { scores_stale_from: string | null }[] | undefined,
    health: health?.results,
  };
}

/** A day of metrics with middling values, changed by `overrides`. */
export function metricsDay(date: string, overrides: Partial<DailyMetrics> = {}): DailyMetrics {
  return {
    date,
    daily_active_users: 100,
    feature_adoption_rate: 0.5,
    support_tickets_open: 0,
    nps_score: null,
    login_frequency: 0.5,
    arr: 10_000,
    ...overrides,
  };
}
