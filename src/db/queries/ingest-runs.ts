import { desc, eq, sql } from "drizzle-orm";
import type { Database } from "../../lib/types";
import type { IngestCompletedData } from "../../contract/events";
import { ingestRuns } from "../schema";
import { bumpAfter } from "./data-version";
import { insertBookEvent } from "./events";

// The ingest.completed event's data is written here in the shape the event feed serves (IngestCompletedData).

/** One upload, as recorded in `ingest_runs`. */
export type IngestRunRecord = typeof ingestRuns.$inferSelect;

export type IngestRunStart = Pick<IngestRunRecord, "fileName" | "contentType" | "startedAt" | "createdBy">;

/** What an upload read and changed: recorded on its run, and answered to the client. */
export type IngestCounts = Pick<
  IngestRunRecord,
  "bytesRead" | "rowsTotal" | "rowsRejected" | "accountsCreated" | "accountsUpdated" | "metricsCreated" | "metricsUpdated"
>;

export type IngestRunOutcome = IngestCounts &
  Pick<IngestRunRecord, "failureReason"> &
  Partial<Pick<IngestRunRecord, "scoresWritten" | "rescoredAccounts" | "rescoredDates">> & {
    status: Exclude<IngestRunRecord["status"], "running">;
    /** The first row errors (at most 100). */
    errors: unknown[];
    finishedAt: string;
    durationMs: number;
  };

/** Records an upload as running and returns its id, which every metric row it writes carries. */
export async function startIngestRun(db: Database, run: IngestRunStart): Promise<number> {
  const [row] = await db
    .insert(ingestRuns)
    .values({ ...run, status: "running" })
    .returning({ id: ingestRuns.id });
  if (!row) throw new Error("Inserting the ingest run returned no id");
  return row.id;
}

/**
 * Records how an upload ended; with `completed`, its ingest.completed event in the same atomic batch, so the feed
 * says an upload finished exactly when its run does.
 */
export async function finishIngestRun(
  db: Database,
  id: number,
  outcome: IngestRunOutcome,
  completed?: { asOf: string | null; data: IngestCompletedData },
): Promise<void> {
  const update = db.update(ingestRuns).set(outcome).where(eq(ingestRuns.id, id));
  if (!completed) {
    await update;
    return;
  }
  const event = insertBookEvent(db, { type: "ingest.completed", occurredAt: outcome.finishedAt, ...completed });
  // The event is in GET /events, whose ETag follows the data version.
  await bumpAfter(db, db.batch([update, event]));
}

/** A run still "running" this long after it started was cut off (the Worker restarted or the client went away). */
export const ABANDONED_RUN_MINUTES = 30;

/**
 * Marks the runs that stopped without finishing as failed, saying how far they got (their committed progress is
 * written atomically with their rows), and answers their ids. Their rows need no search: the pending rescores written
 * with them make the next rescore include their accounts.
 */
export async function markAbandonedRuns(db: Database, now = new Date()): Promise<number[]> {
  const cutoff = new Date(now.getTime() - ABANDONED_RUN_MINUTES * 60_000).toISOString();
  const runs = await db.all<{ id: number }>(sql`
    UPDATE ingest_runs
    SET status = 'failed', finished_at = ${now.toISOString()},
        failure_reason = 'The upload stopped without finishing (the Worker was restarted or the client went away). ' ||
          rows_committed || ' valid rows, through line ' || coalesce(committed_through_line, 0) ||
          ' of the file, were stored. Upload the file again to complete it: rows already stored are not changed.'
    WHERE status = 'running' AND started_at < ${cutoff}
    RETURNING id`);
  return runs.map((row) => row.id);
}

export async function listIngestRuns(db: Database, limit: number): Promise<IngestRunRecord[]> {
  return db.select().from(ingestRuns).orderBy(desc(ingestRuns.id)).limit(limit).all();
}

export async function getIngestRun(db: Database, id: number): Promise<IngestRunRecord | null> {
  return (await db.select().from(ingestRuns).where(eq(ingestRuns.id, id)).get()) ?? null;
}
