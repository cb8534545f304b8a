import { sql } from "drizzle-orm";
import type { Database } from "../../lib/types";

/**
 * The recent scores of a page of accounts, for a sparkline per row: the scores of the `days` days up to each account's
 * latest metric date. The days are expanded in SQL into (date, account) pairs that probe health_scores' key one by
 * one, so a page reads its accounts' scores (accounts × days at most), never a whole day of the book.
 */
export async function recentScores(
  db: Database,
  accounts: readonly { id: number; latest_metric_date: string | null }[],
  days: number,
): Promise<Map<number, (number | null)[]>> {
  const anchored = accounts.filter((account) => account.latest_metric_date !== null);
  const series = new Map(accounts.map((account) => [account.id, [] as (number | null)[]]));
  if (anchored.length === 0) return series;
  const rows = await db.all<{ account_id: number; slot: number; score: number }>(sql`
    WITH page(account_id, latest) AS (
           SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(${JSON.stringify(anchored.map((account) => [account.id, account.latest_metric_date]))})
         ),
         slots(slot) AS (SELECT value FROM json_each(${JSON.stringify(Array.from({ length: days }, (_, index) => index))}))
    SELECT page.account_id, slots.slot, h.score
    FROM page CROSS JOIN slots
    JOIN health_scores AS h ON h.date = date(page.latest, '-' || slots.slot || ' days') AND h.account_id = page.account_id`);
  for (const account of anchored) series.set(account.id, Array.from({ length: days }, () => null));
  for (const row of rows) series.get(row.account_id)![days - 1 - row.slot] = row.score;
  return series;
}
