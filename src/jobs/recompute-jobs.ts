import type { HealthConfig } from "../lib/config";
import { recomputeHealth, type RecomputeResult } from "./recompute";

/**
 * Recomputes bigger than one invocation (D1 allows 1,000 queries per invocation and 30 s per query; a chunk of
 * ACCOUNTS_PER_CHUNK accounts is 4 statements) run on Cloudflare Queues: the producer records a job and enqueues one
 * message per ACCOUNTS_PER_MESSAGE accounts (a range of ids, or the ids an upload changed); the consumer (this Worker's
 * `queue` handler) rescores a message's accounts and records the chunk once, so a redelivered message is not counted
 * twice. The job is complete when every chunk is recorded.
 */

/** Accounts per queue message: 4 atomic batches of 250, about 16 D1 queries and a few seconds of work. */
export const ACCOUNTS_PER_MESSAGE = 1000;
/** Queues' sendBatch takes at most 100 messages and 256 KB per call; a margin is kept below the size. */
const MESSAGES_PER_SEND = 100;
const BYTES_PER_SEND = 200_000;
/** Deliveries of a message before its job is marked failed: `max_retries` (3) in wrangler.toml, plus the first. */
export const RECOMPUTE_MAX_ATTEMPTS = 4;

export type RecomputeTrigger = "api" | "cron" | "ingest";

export type RecomputeMessage =
  | { job_id: number; chunk: number; first_id: number; last_id: number }
  | { job_id: number; chunk: number; account_ids: number[] };

export interface RecomputeJob {
  id: number;
  trigger: RecomputeTrigger;
  status: "queued" | "running" | "completed" | "failed";
  accounts_total: number;
  chunks_total: number;
  chunks_done: number;
  accounts_updated: number;
  scores_written: number;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

const JOB_COLUMNS = `id, trigger, status, accounts_total, chunks_total, chunks_done, accounts_updated, scores_written, error,
  created_at, finished_at`;

/**
 * Consecutive ranges of ACCOUNTS_PER_MESSAGE account ids, in one pass over the primary key. The size is inlined: D1
 * binds a JS number as REAL, which would turn the integer division into a real one.
 */
const ID_RANGES_SQL = `
SELECT min(id) AS first_id, max(id) AS last_id, count(*) AS accounts
FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1) / ${ACCOUNTS_PER_MESSAGE} AS chunk FROM accounts)
GROUP BY chunk
ORDER BY chunk`;

type Unnumbered<T> = T extends unknown ? Omit<T, "job_id" | "chunk"> : never;

async function enqueue(
  d1: D1Database,
  queue: Queue<RecomputeMessage>,
  trigger: RecomputeTrigger,
  accountsTotal: number,
  parts: Unnumbered<RecomputeMessage>[],
): Promise<RecomputeJob> {
  const now = new Date().toISOString();
  const job = await d1
    .prepare(
      `INSERT INTO recompute_jobs (trigger, status, accounts_total, chunks_total, created_at, finished_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING ${JOB_COLUMNS}`,
    )
    .bind(trigger, parts.length === 0 ? "completed" : "queued", accountsTotal, parts.length, now, parts.length === 0 ? now : null)
    .first<RecomputeJob>();
  if (!job) throw new Error("Could not record the recompute job");
  const messages = parts.map((part, chunk) => ({ body: { ...part, job_id: job.id, chunk } as RecomputeMessage }));
  try {
    let batch: typeof messages = [];
    let batchBytes = 0;
    for (const message of messages) {
      const bytes = JSON.stringify(message.body).length;
      if (batch.length > 0 && (batch.length >= MESSAGES_PER_SEND || batchBytes + bytes > BYTES_PER_SEND)) {
        await queue.sendBatch(batch);
        batch = [];
        batchBytes = 0;
      }
      batch.push(message);
      batchBytes += bytes;
    }
    if (batch.length > 0) await queue.sendBatch(batch);
  } catch (error) {
    const reason = `Enqueueing the chunks failed: ${error instanceof Error ? error.message : String(error)}`;
    await failRecomputeJob(d1, job.id, reason);
    throw error;
  }
  return job;
}

/** Every account, as consecutive id ranges. */
export async function startFullRecomputeJob(
  d1: D1Database,
  queue: Queue<RecomputeMessage>,
  trigger: RecomputeTrigger,
): Promise<RecomputeJob> {
  const { results } = await d1
    .prepare(ID_RANGES_SQL)
    .all<{ first_id: number; last_id: number; accounts: number }>();
  const total = results.reduce((sum, range) => sum + range.accounts, 0);
  return enqueue(d1, queue, trigger, total, results.map(({ first_id, last_id }) => ({ first_id, last_id })));
}

/** The given accounts (e.g. the ones an upload changed), as lists of ids. */
export async function startAccountsRecomputeJob(
  d1: D1Database,
  queue: Queue<RecomputeMessage>,
  trigger: RecomputeTrigger,
  accountIds: readonly number[],
): Promise<RecomputeJob> {
  const ids = [...new Set(accountIds)].sort((a, b) => a - b);
  const parts: Unnumbered<RecomputeMessage>[] = [];
  for (let start = 0; start < ids.length; start += ACCOUNTS_PER_MESSAGE) {
    parts.push({ account_ids: ids.slice(start, start + ACCOUNTS_PER_MESSAGE) });
  }
  return enqueue(d1, queue, trigger, ids.length, parts);
}

/** Records a finished chunk once and rolls the job's progress up from its chunks. */
async function recordChunk(d1: D1Database, message: RecomputeMessage, result: RecomputeResult): Promise<void> {
  await d1.batch([
    d1
      .prepare(
        `INSERT INTO recompute_job_chunks (job_id, chunk, accounts_updated, scores_written, finished_at)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING`,
      )
      .bind(message.job_id, message.chunk, result.accountsUpdated, result.scoresWritten, result.finishedAt),
    d1
      .prepare(
        `WITH done AS (
           SELECT count(*) AS chunks, total(accounts_updated) AS accounts, total(scores_written) AS scores,
                  max(finished_at) AS last_finished
           FROM recompute_job_chunks WHERE job_id = ?1)
         UPDATE recompute_jobs
         SET chunks_done = done.chunks, accounts_updated = done.accounts, scores_written = done.scores,
             status = CASE WHEN status = 'failed' THEN 'failed'
                           WHEN done.chunks >= chunks_total THEN 'completed' ELSE 'running' END,
             finished_at = CASE WHEN status <> 'failed' AND done.chunks >= chunks_total THEN done.last_finished
                                ELSE finished_at END
         FROM done
         WHERE recompute_jobs.id = ?1`,
      )
      .bind(message.job_id),
  ]);
}

/** The consumer's work for one message: rescore its accounts, then record the chunk. */
export async function processRecomputeMessage(
  d1: D1Database,
  config: HealthConfig,
  message: RecomputeMessage,
): Promise<RecomputeResult> {
  const result =
    "account_ids" in message
      ? await recomputeHealth(d1, config, { accountIds: message.account_ids })
      : await recomputeHealth(d1, config, { idRange: { first: message.first_id, last: message.last_id } });
  await recordChunk(d1, message, result);
  return result;
}

export async function failRecomputeJob(d1: D1Database, jobId: number, reason: string): Promise<void> {
  await d1
    .prepare(`UPDATE recompute_jobs SET status = 'failed', error = ?2, finished_at = ?3 WHERE id = ?1`)
    .bind(jobId, reason.slice(0, 1000), new Date().toISOString())
    .run();
}

export async function getRecomputeJob(d1: D1Database, id: number): Promise<RecomputeJob | null> {
  return d1.prepare(`SELECT ${JOB_COLUMNS} FROM recompute_jobs WHERE id = ?1`).bind(id).first<RecomputeJob>();
}

export async function countAccounts(d1: D1Database): Promise<number> {
  return (await d1.prepare("SELECT count(*) AS accounts FROM accounts").first<number>("accounts")) ?? 0;
}

export type RecomputeOutcome =
  | { mode: "inline"; result: RecomputeResult }
  | { mode: "queued"; job: RecomputeJob; durationMs: number };

/**
 * The whole book: inline when it has at most `inlineMaxAccounts` accounts (one invocation does it well within D1's
 * limits), else, or when `queue` is forced, as a job on the recompute queue. Shared by the route and the cron.
 */
export async function recomputeBook(
  d1: D1Database,
  queue: Queue<RecomputeMessage>,
  options: { health: HealthConfig; inlineMaxAccounts: number; trigger: RecomputeTrigger; forceQueue?: boolean },
): Promise<RecomputeOutcome> {
  const started = Date.now();
  if (!options.forceQueue && (await countAccounts(d1)) <= options.inlineMaxAccounts) {
    return { mode: "inline", result: await recomputeHealth(d1, options.health) };
  }
  const job = await startFullRecomputeJob(d1, queue, options.trigger);
  return { mode: "queued", job, durationMs: Date.now() - started };
}
