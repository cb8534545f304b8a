import { sql } from "drizzle-orm";
import type { Database } from "../lib/types";
import { runBatch } from "../db/batch";
import type { RecomputeJob } from "../contract/health";
import type { RecomputeMessage } from "./queue-messages";
import type { RecomputeTrigger } from "./types";

// A job row is the API's RecomputeJob field for field, so the query answers that shape.

/** The records of queued recomputes: one row per job, one per finished chunk (so a redelivered chunk counts once). */

const JOB_COLUMNS = sql.raw(`id, trigger, status, accounts_total, chunks_total, chunks_done, accounts_updated,
  scores_written, error, created_at, finished_at`);

/** Records a job of `chunksTotal` chunks; a job without chunks is complete at once. */
export async function insertRecomputeJob(
  db: Database,
  trigger: RecomputeTrigger,
  accountsTotal: number,
  chunksTotal: number,
): Promise<RecomputeJob> {
  const now = new Date().toISOString();
  const job = await db.get<RecomputeJob>(sql`
    INSERT INTO recompute_jobs (trigger, status, accounts_total, chunks_total, created_at, finished_at)
    VALUES (${trigger}, ${chunksTotal === 0 ? "completed" : "queued"}, ${accountsTotal}, ${chunksTotal}, ${now},
            ${chunksTotal === 0 ? now : null})
    RETURNING ${JOB_COLUMNS}`);
  if (!job) throw new Error("Could not record the recompute job");
  return job;
}

/** Records a finished chunk once and rolls the job's progress up from its chunks, in one batch. */
export async function recordRecomputeChunk(
  db: Database,
  message: RecomputeMessage,
  result: { accountsUpdated: number; scoresWritten: number; finishedAt: string },
): Promise<void> {
  await runBatch(db, [
    db.run(sql`
      INSERT INTO recompute_job_chunks (job_id, chunk, accounts_updated, scores_written, finished_at)
      VALUES (${message.job_id}, ${message.chunk}, ${result.accountsUpdated}, ${result.scoresWritten}, ${result.finishedAt})
      ON CONFLICT DO NOTHING`),
    db.run(sql`
      WITH done AS (
        SELECT count(*) AS chunks, total(accounts_updated) AS accounts, total(scores_written) AS scores,
               max(finished_at) AS last_finished
        FROM recompute_job_chunks WHERE job_id = ${message.job_id})
      UPDATE recompute_jobs
      SET chunks_done = done.chunks, accounts_updated = done.accounts, scores_written = done.scores,
          status = CASE WHEN status = 'failed' THEN 'failed'
                        WHEN done.chunks >= chunks_total THEN 'completed' ELSE 'running' END,
          finished_at = CASE WHEN status <> 'failed' AND done.chunks >= chunks_total THEN done.last_finished
                             ELSE finished_at END
      FROM done
      WHERE recompute_jobs.id = ${message.job_id}`),
  ]);
}

export async function failRecomputeJob(db: Database, jobId: number, reason: string): Promise<void> {
  await db.run(sql`
    UPDATE recompute_jobs SET status = 'failed', error = ${reason.slice(0, 1000)}, finished_at = ${new Date().toISOString()}
    WHERE id = ${jobId}`);
}

export async function getRecomputeJob(db: Database, id: number): Promise<RecomputeJob | null> {
  return (await db.get<RecomputeJob>(sql`SELECT ${JOB_COLUMNS} FROM recompute_jobs WHERE id = ${id}`)) ?? null;
}

export async function countAccounts(db: Database): Promise<number> {
  return (await db.get<{ accounts: number }>(sql`SELECT count(*) AS accounts FROM accounts`))?.accounts ?? 0;
}

/**
 * Consecutive ranges of `size` account ids, in one pass over the primary key. The size is inlined: D1 binds a JS
 * number as REAL, which would turn the integer division into a real one.
 */
export async function accountIdRanges(
  db: Database,
  size: number,
): Promise<{ first_id: number; last_id: number; accounts: number }[]> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`A chunk size must be a positive integer, not ${size}`);
  return db.all(sql`
    SELECT min(id) AS first_id, max(id) AS last_id, count(*) AS accounts
    FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1) / ${sql.raw(String(size))} AS chunk FROM accounts)
    GROUP BY chunk
    ORDER BY chunk`);
}

