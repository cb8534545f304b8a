import { sql } from "drizzle-orm";
import type { Database } from "../../lib/types";
import { runBatch } from "../batch";
import { BOOK_LATEST_DATE } from "./book-figures";

/*
 * The retention's deletes, each bounded to `limit` rows so no statement grows with the table: the cron repeats one
 * while it deletes a full batch (services/retention.ts).
 */

/**
 * Events older than `before` among the oldest `limit` by id. Ids grow with time (AUTOINCREMENT, written as they occur),
 * so the oldest events are the first ids and a batch reads `limit` rows at most, whatever the feed's length.
 */
export async function deleteOldEvents(db: Database, before: string, limit: number): Promise<number> {
  const result = await db.run(sql`
    DELETE FROM health_events
    WHERE id IN (SELECT id FROM health_events ORDER BY id LIMIT ${limit}) AND occurred_at < ${before}`);
  return result.meta.changes ?? 0;
}

/**
 * Webhook deliveries created before `before`, among the oldest `limit` by id: a delivery's retries end within a day,
 * so one that old is delivered or failed for good.
 */
export async function deleteOldDeliveries(db: Database, before: string, limit: number): Promise<number> {
  const result = await db.run(sql`
    DELETE FROM webhook_deliveries
    WHERE id IN (SELECT id FROM webhook_deliveries ORDER BY id LIMIT ${limit}) AND created_at < ${before}`);
  return result.meta.changes ?? 0;
}

/** Ingest runs started before `before` that are not running (ingest_runs_started_idx walks only the old ones). */
export async function deleteOldIngestRuns(db: Database, before: string, limit: number): Promise<number> {
  const result = await db.run(sql`
    DELETE FROM ingest_runs
    WHERE id IN (
      SELECT id FROM ingest_runs WHERE started_at < ${before} AND status <> 'running' ORDER BY started_at LIMIT ${limit})`);
  return result.meta.changes ?? 0;
}

/**
 * The metric rows more than `days` days before the book's latest metric date, from account `fromAccountId` on in id
 * order, at most `limit`: each account keeps its latest row before that date, the value a score, a carried NPS or a
 * revenue window's starting ARR reads at the boundary, so what the kept rows answer does not change. Answers how
 * many rows it deleted and the account it stopped at, where the next batch starts.
 */
export async function deleteOldMetrics(
  db: Database,
  days: number,
  fromAccountId: number,
  limit: number,
): Promise<{ deleted: number; lastAccountId: number | null }> {
  const old = sql`
    SELECT m.account_id, m.date
    FROM accounts AS a
    JOIN account_metrics AS m ON m.account_id = a.id AND m.date < (SELECT date(as_of, ${`-${days} days`}) FROM (${BOOK_LATEST_DATE}))
    WHERE a.id >= ${fromAccountId}
      AND m.date < (
        SELECT max(k.date) FROM account_metrics AS k
        WHERE k.account_id = m.account_id
          AND k.date < (SELECT date(as_of, ${`-${days} days`}) FROM (${BOOK_LATEST_DATE})))
    ORDER BY a.id, m.date
    LIMIT ${limit}`;
  const [last, deleted] = await runBatch(db, [
    db.get<{ account_id: number | null }>(sql`SELECT max(account_id) AS account_id FROM (${old})`),
    db.run(sql`DELETE FROM account_metrics WHERE (account_id, date) IN (${old})`),
  ]);
  return { deleted: deleted.meta.changes ?? 0, lastAccountId: last?.account_id ?? null };
}
