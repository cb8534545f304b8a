import { env } from "cloudflare:test";
import type { Bucket, EngagementTrend, HealthComponents, Segment, Trend } from "../../src/domain/types";
import { accountShares } from "../../src/db/queries/book-figures";
import { markRevenueStale, testDb } from "./db";

/**
 * Builds stored state directly with SQL (accounts, metrics, scores), so read-side tests depend neither on
 * ingestion nor on the recompute job.
 */

export interface AccountSeed {
  name: string;
  segment?: Segment;
  region?: string;
  arr?: number;
  latestMetricDate?: string | null;
  /** Null (the default) leaves the account unscored. */
  healthScore?: number | null;
  /** Defaults to the bucket of `healthScore` (Healthy >= 70, At-Risk >= 40). */
  healthBucket?: Bucket | null;
  healthComponents?: HealthComponents | null;
  trend30d?: Trend | null;
  trend60d?: Trend | null;
  trend90d?: Trend | null;
  /** Defaults to `trend30d.health_score_change`, as the recompute job stores it. */
  healthChange30d?: number | null;
  renewalDate?: string | null;
  owner?: string | null;
}

export interface MetricsSeed {
  date: string;
  dailyActiveUsers?: number;
  featureAdoptionRate?: number;
  supportTicketsOpen?: number;
  npsScore?: number | null;
  loginFrequency?: number;
  arr?: number;
}

export interface ScoreSeed {
  date: string;
  score: number;
  bucket?: Bucket;
  components?: HealthComponents;
  npsSource?: "window" | "carried" | "missing";
}

export function bucketOfScore(score: number): Bucket {
  if (score >= 70) return "Healthy";
  if (score >= 40) return "At-Risk";
  return "Critical";
}

/** `count` consecutive ISO dates starting at `start`. */
export function consecutiveDates(start: string, count: number): string[] {
  const first = Date.parse(`${start}T00:00:00Z`);
  return Array.from({ length: count }, (_, day) => new Date(first + day * 86_400_000).toISOString().slice(0, 10));
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export function components(overrides: Partial<HealthComponents> = {}): HealthComponents {
  return {
    daily_active_users: 20,
    feature_adoption: 18,
    support_tickets: 16,
    nps: 11.25,
    login_frequency: 12,
    ...overrides,
  };
}

export function trend(
  days: number,
  toDate: string,
  overrides: Partial<Omit<Trend, "days" | "to_date">> & { engagement_trend?: EngagementTrend } = {},
): Trend {
  return {
    days,
    health_score_change: 0,
    arr_change: 0,
    engagement_trend: "stable",
    from_date: addDays(toDate, -days),
    to_date: toDate,
    health_components_change: {
      daily_active_users: 0,
      feature_adoption: 0,
      support_tickets: 0,
      nps: 0,
      login_frequency: 0,
    },
    ...overrides,
  };
}

function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

export async function insertAccount(seed: AccountSeed): Promise<number> {
  const score = seed.healthScore ?? null;
  const bucket = seed.healthBucket !== undefined ? seed.healthBucket : score === null ? null : bucketOfScore(score);
  const change30d = seed.healthChange30d !== undefined ? seed.healthChange30d : (seed.trend30d?.health_score_change ?? null);
  // As the recompute job stores them: the figures and the explanation on the account row.
  const row = await env.DB.prepare(
    `INSERT INTO accounts (account_name, segment, region, arr, latest_metric_date, health_score, health_bucket,
                           health_change_30d, arr_change_30d, arr_change_90d, engagement_trend_30d, renewal_date, owner,
                           health_components, trend_30d, trend_60d, trend_90d)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  )
    .bind(
      seed.name,
      seed.segment ?? "Enterprise",
      seed.region ?? "North America",
      seed.arr ?? 100_000,
      seed.latestMetricDate ?? null,
      score,
      bucket,
      change30d,
      seed.trend30d?.arr_change ?? null,
      seed.trend90d?.arr_change ?? null,
      seed.trend30d?.engagement_trend ?? null,
      seed.renewalDate ?? null,
      seed.owner ?? null,
      jsonOrNull(seed.healthComponents ?? (score === null ? null : components())),
      jsonOrNull(seed.trend30d),
      jsonOrNull(seed.trend60d),
      jsonOrNull(seed.trend90d),
    )
    .first<{ id: number }>();
  if (!row) throw new Error(`Could not insert account ${seed.name}`);
  // Its share of the book's kept figures, as the rescore that stores such a row adds it.
  const db = testDb();
  for (const statement of accountShares(JSON.stringify([row.id]))) await db.run(statement);
  await markRevenueStale();
  return row.id;
}

export async function insertAccounts(seeds: readonly AccountSeed[]): Promise<number[]> {
  const ids: number[] = [];
  for (const seed of seeds) ids.push(await insertAccount(seed));
  return ids;
}

/** All rows in one statement: the rows travel as one JSON parameter. */
export async function insertMetrics(accountId: number, rows: readonly MetricsSeed[]): Promise<void> {
  const values = rows.map((row) => ({
    date: row.date,
    daily_active_users: row.dailyActiveUsers ?? 100,
    feature_adoption_rate: row.featureAdoptionRate ?? 0.6,
    support_tickets_open: row.supportTicketsOpen ?? 2,
    nps_score: row.npsScore === undefined ? 30 : row.npsScore,
    login_frequency: row.loginFrequency ?? 0.7,
    arr: row.arr ?? 100_000,
  }));
  await env.DB.prepare(
    `INSERT INTO account_metrics (account_id, date, daily_active_users, feature_adoption_rate, support_tickets_open,
                                  nps_score, login_frequency, arr)
     SELECT ?1, value ->> 'date', value ->> 'daily_active_users', value ->> 'feature_adoption_rate',
            value ->> 'support_tickets_open', value ->> 'nps_score', value ->> 'login_frequency', value ->> 'arr'
     FROM json_each(?2)`,
  )
    .bind(accountId, JSON.stringify(values))
    .run();
  await markRevenueStale();
}

export async function insertHealthScores(accountId: number, rows: readonly ScoreSeed[]): Promise<void> {
  const values = rows.map((row) => {
    const points = row.components ?? components();
    return {
      date: row.date,
      score: row.score,
      bucket: row.bucket ?? bucketOfScore(row.score),
      dau_points: points.daily_active_users,
      adoption_points: points.feature_adoption,
      tickets_points: points.support_tickets,
      nps_points: points.nps,
      login_points: points.login_frequency,
      nps_source: row.npsSource ?? (points.nps === null ? "missing" : "window"),
    };
  });
  await env.DB.prepare(
    `INSERT INTO health_scores (account_id, date, score, bucket, dau_points, adoption_points, tickets_points,
                                nps_points, login_points, nps_source, computed_at)
     SELECT ?1, value ->> 'date', value ->> 'score', value ->> 'bucket', value ->> 'dau_points',
            value ->> 'adoption_points', value ->> 'tickets_points', value ->> 'nps_points', value ->> 'login_points',
            value ->> 'nps_source', '2024-10-04T00:00:00.000Z'
     FROM json_each(?2)`,
  )
    .bind(accountId, JSON.stringify(values))
    .run();
}
