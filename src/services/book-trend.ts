import type { BookTrend, BookTrendPoint } from "../contract/book-trend";
import { computeBookTrend } from "../db/queries/book-trend";
import { readCachedFigure, storeCachedFigure } from "../db/queries/figure-cache";
import type { Database } from "../lib/types";

const BOOK_TREND = "book_trend";

/**
 * GET /portfolio/trend and the portfolio page's chart: the figures kept for the current data version, else computed
 * from the scores and kept. The version is read before the computation, so a write that lands during it leaves the
 * kept figures under the older version, and the next read computes them again.
 */
export async function getBookTrend(db: Database): Promise<BookTrend> {
  const { version, current } = await readCachedFigure(db, BOOK_TREND);
  if (current) {
    const kept = JSON.parse(current.body) as { as_of: string | null; points: BookTrendPoint[] };
    return { ...kept, computed_at: current.computed_at };
  }
  const { asOf, points } = await computeBookTrend(db);
  const computedAt = new Date().toISOString();
  await storeCachedFigure(db, BOOK_TREND, version, JSON.stringify({ as_of: asOf, points }), computedAt);
  return { as_of: asOf, points, computed_at: computedAt };
}
