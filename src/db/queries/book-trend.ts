import { sql } from "drizzle-orm";
import { BOOK_TREND_WEEKS, type BookTrendPoint } from "../../contract/book-trend";
import { BUCKETS, type Bucket } from "../../domain/types";
import type { Database } from "../../lib/types";
import { BOOK_LATEST_DATE } from "./book-figures";

/**
 * The book's health a week at a time (GET /portfolio/trend, the console's portfolio chart), computed from the stored
 * scores: every score of each of the BOOK_TREND_WEEKS days (health_scores is keyed by date first, so a day's scores are
 * adjacent) with its day's ARR (a probe of account_metrics' key). That reads accounts × weeks rows, so the figures are
 * kept in figure_cache with the data version they were computed at (see the service).
 */

type TrendRow = { date: string; bucket: Bucket; accounts: number; arr_cents: number };

/** The trend's points from the stored scores, oldest first; none on an empty book. */
export async function computeBookTrend(db: Database): Promise<{ asOf: string | null; points: BookTrendPoint[] }> {
  const asOf = (await db.get<{ as_of: string } | undefined>(BOOK_LATEST_DATE))?.as_of ?? null;
  if (asOf === null) return { asOf, points: [] };
  const rows = await db.all<TrendRow>(sql`
    WITH RECURSIVE weeks(week, date) AS (
      SELECT 0, ${asOf}
      UNION ALL SELECT week + 1, date(${asOf}, '-' || ((week + 1) * 7) || ' days') FROM weeks WHERE week + 1 < ${BOOK_TREND_WEEKS}
    )
    SELECT w.date, h.bucket, count(*) AS accounts, sum(CAST(round(m.arr * 100) AS INTEGER)) AS arr_cents
    FROM weeks AS w
    JOIN health_scores AS h ON h.date = w.date
    JOIN account_metrics AS m ON m.account_id = h.account_id AND m.date = h.date
    GROUP BY w.date, h.bucket`);
  const points = new Map<string, BookTrendPoint>();
  for (let week = BOOK_TREND_WEEKS - 1; week >= 0; week--) {
    const date = new Date(Date.parse(`${asOf}T00:00:00Z`) - week * 7 * 86_400_000).toISOString().slice(0, 10);
    points.set(date, {
      date,
      accounts: Object.fromEntries(BUCKETS.map((bucket) => [bucket, 0])) as BookTrendPoint["accounts"],
      arr: Object.fromEntries(BUCKETS.map((bucket) => [bucket, 0])) as BookTrendPoint["arr"],
    });
  }
  for (const row of rows) {
    const point = points.get(row.date);
    if (!point) continue;
    point.accounts[row.bucket] = row.accounts;
    point.arr[row.bucket] = row.arr_cents / 100;
  }
  return { asOf, points: [...points.values()] };
}
