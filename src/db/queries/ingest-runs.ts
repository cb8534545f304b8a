import { desc, eq } from "drizzle-orm";
import type { Database } from "../../lib/types";
import { ingestRuns } from "../schema";

export interface IngestRunStart {
  fileName: string | null;
  contentType: string | null;
  startedAt: string;
}

export interface IngestRunOutcome {
  status: "completed" | "failed" | "rejected";
  bytesRead: number;
  rowsTotal: number;
  rowsRejected: number;
  accountsCreated: number;
  accountsUpdated: number;
  metricsCreated: number;
  metricsUpdated: number;
  /** The first row errors (at most 100). */
  errors: unknown[];
  failureReason: string | null;
  finishedAt: string;
  durationMs: number;
}

/** Records an upload as running and returns its id, which every metric row it writes carries. */
export async function startIngestRun(db: Database, run: IngestRunStart): Promise<number> {
  const [row] = await db
    .insert(ingestRuns)
    .values({ ...run, status: "running" })
    .returning({ id: ingestRuns.id });
  if (!row) throw new Error("Inserting the ingest run returned no id");
  return row.id;
}

export async function finishIngestRun(db: Database, id: number, outcome: IngestRunOutcome): Promise<void> {
  await db.update(ingestRuns).set(outcome).where(eq(ingestRuns.id, id));
}

/** A run still "running" this long after it started was cut off (the Worker restarted or the client went away). */
export const ABANDONED_RUN_MINUTES = 30;

/**
 * Marks the runs that stopped without finishing as failed, saying how far they got (their committed progress is
 * written atomically with their rows), and answers the accounts those runs wrote, which were never rescored.
 */
export async function markAbandonedRuns(d1: D1Database, now = new Date()): Promise<{ runIds: number[]; accountIds: number[] }> {
  const cutoff = new Date(now.getTime() - ABANDONED_RUN_MINUTES * 60_000).toISOString();
  const result = await d1
    .prepare(
      `UPDATE ingest_runs
       SET status = 'failed', finished_at = ?2,
           failure_reason = 'The upload stopped without finishing (the Worker was restarted or the client went away). ' ||
             rows_committed || ' valid rows, through line ' || coalesce(committed_through_line, 0) ||
             ' of the file, were stored. Upload the file again to complete it: rows already stored are not changed.'
       WHERE status = 'running' AND started_at < ?1
       RETURNING id`,
    )
    .bind(cutoff, now.toISOString())
    .all<{ id: number }>();
  const runIds = result.results.map((row) => row.id);
  if (runIds.length === 0) return { runIds, accountIds: [] };
  // A scan of the metrics, but only after a crash: an index on ingest_run_id would cost every insert.
  const accounts = await d1
    .prepare("SELECT DISTINCT account_id FROM account_metrics WHERE ingest_run_id IN (SELECT value FROM json_each(?1))")
    .bind(JSON.stringify(runIds))
    .all<{ account_id: number }>();
  return { runIds, accountIds: accounts.results.map((row) => row.account_id) };
}

export async function listIngestRuns(db: Database, limit: number) {
  return db.select().from(ingestRuns).orderBy(desc(ingestRuns.id)).limit(limit).all();
}

export async function getIngestRun(db: Database, id: number) {
  return (await db.select().from(ingestRuns).where(eq(ingestRuns.id, id)).get()) ?? null;
}
