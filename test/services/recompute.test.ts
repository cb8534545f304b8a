import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  env,
  getQueueResult,
  SELF,
  waitOnExecutionContext,
} from "cloudflare:test";
import { beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { getRecomputeJob } from "../../src/scoring/jobs";
import { ACCOUNTS_PER_MESSAGE, type RecomputeMessage } from "../../src/scoring/queue-messages";
import type { RecomputeJob } from "../../src/contract/health";
import { startAccountsRecomputeJob, startFullRecomputeJob } from "../../src/scoring/queue";
import { resetDatabase, testDb } from "../helpers/db";
import { metricsCsv, uploadCsv, type AccountSeries } from "../helpers/csv";

const QUEUE_NAME = "ai-success-insights-recompute";

/** Records what a producer enqueues, without delivering it (the consumer is tested on its own below). */
function recordingQueue(): {
  queue: Queue<RecomputeMessage>;
  sent: RecomputeMessage[];
  calls: { messages: number; bytes: number }[];
} {
  const sent: RecomputeMessage[] = [];
  const calls: { messages: number; bytes: number }[] = [];
  const queue = {
    async sendBatch(messages: Iterable<MessageSendRequest<RecomputeMessage>>) {
      const batch = [...messages];
      calls.push({ messages: batch.length, bytes: batch.reduce((total, message) => total + JSON.stringify(message.body).length, 0) });
      for (const message of batch) sent.push(message.body);
    },
  } as unknown as Queue<RecomputeMessage>;
  return { queue, sent, calls };
}

/** Inserts `count` bare accounts in one statement; answers their ids. */
async function insertBareAccounts(count: number): Promise<number[]> {
  const names = Array.from({ length: count }, (_, index) => `Account ${String(index).padStart(6, "0")}`);
  await env.DB.prepare(
    `INSERT INTO accounts (account_name, segment, region, arr) SELECT value, 'SMB', 'EU', 1000 FROM json_each(?1)`,
  )
    .bind(JSON.stringify(names))
    .run();
  const { results } = await env.DB.prepare("SELECT id FROM accounts ORDER BY id").all<{ id: number }>();
  return results.map((row) => row.id);
}

function series(name: string, days: number, dau: number): AccountSeries {
  return {
    name,
    segment: "Mid-Market",
    region: "EU",
    arr: 90_000,
    end: "2026-10-31",
    days,
    at: (p) => ({
      daily_active_users: dau * (0.8 + 0.4 * p),
      feature_adoption_rate: 0.5,
      support_tickets_open: 3,
      nps_score: 20,
      login_frequency: 0.6,
    }),
  };
}

async function storedHealth() {
  const { results } = await env.DB.prepare(
    `SELECT a.account_name, a.health_score, a.health_bucket, a.health_change_30d, a.trend_30d,
            (SELECT count(*) FROM health_scores AS h WHERE h.account_id = a.id) AS scores
     FROM accounts AS a ORDER BY a.account_name`,
  ).all();
  return results;
}

async function waitForJob(id: number, timeoutMs = 10_000): Promise<RecomputeJob> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getRecomputeJob(testDb(), id);
    if (job && (job.status === "completed" || job.status === "failed")) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job?.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function deliver(messages: { body: RecomputeMessage; attempts?: number }[]) {
  const batch = createMessageBatch<RecomputeMessage>(
    QUEUE_NAME,
    messages.map((message, index) => ({
      id: `message-${index}`,
      timestamp: new Date(),
      attempts: message.attempts ?? 1,
      body: message.body,
    })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

beforeEach(resetDatabase);

describe("recompute job producer", () => {
  it("splits the whole book into id ranges of at most 1,000 accounts that cover every account exactly once", async () => {
    const ids = await insertBareAccounts(2 * ACCOUNTS_PER_MESSAGE + 345);
    const { queue, sent, calls } = recordingQueue();
    const job = await startFullRecomputeJob(testDb(), queue, "cron");
    expect(job).toMatchObject({ trigger: "cron", status: "queued", accounts_total: ids.length, chunks_total: 3, chunks_done: 0 });
    expect(calls.map((call) => call.messages)).toEqual([3]);
    expect(sent.map((message) => message.chunk)).toEqual([0, 1, 2]);
    const covered: number[] = [];
    for (const message of sent) {
      expect(message.job_id).toBe(job.id);
      if (!("first_id" in message)) throw new Error("expected an id range");
      covered.push(...ids.filter((id) => id >= message.first_id && id <= message.last_id));
    }
    expect(covered).toEqual(ids);
  });

  it("stays under Queues' sendBatch limits (100 messages, 256 KB) and enqueues the ids an upload changed as lists", async () => {
    const changed = Array.from({ length: 150 * ACCOUNTS_PER_MESSAGE + 1 }, (_, index) => index + 1);
    const { queue, sent, calls } = recordingQueue();
    const job = await startAccountsRecomputeJob(testDb(), queue, "ingest", [...changed].reverse());
    expect(job).toMatchObject({ accounts_total: changed.length, chunks_total: 151 });
    expect(calls.length).toBeGreaterThan(1);
    for (const call of calls) {
      expect(call.messages).toBeLessThanOrEqual(100);
      expect(call.bytes).toBeLessThanOrEqual(200_000);
    }
    const listed = sent.flatMap((message) => ("account_ids" in message ? message.account_ids : []));
    expect(listed).toEqual(changed);
  });

  it("records an empty book as a completed job with no chunks", async () => {
    const { queue, sent } = recordingQueue();
    const job = await startFullRecomputeJob(testDb(), queue, "api");
    expect(job).toMatchObject({ status: "completed", chunks_total: 0, accounts_total: 0 });
    expect(sent).toEqual([]);
  });

  it("marks the job failed when the queue refuses the messages", async () => {
    await insertBareAccounts(10);
    const queue = {
      sendBatch: async () => {
        throw new Error("Queue ai-success-insights-recompute does not exist");
      },
    } as unknown as Queue<RecomputeMessage>;
    await expect(startFullRecomputeJob(testDb(), queue, "api")).rejects.toThrow(/does not exist/);
    const { results } = await env.DB.prepare("SELECT status, error FROM recompute_jobs").all();
    expect(results).toEqual([{ status: "failed", error: expect.stringContaining("does not exist") }]);
  });
});

describe("recompute queue consumer", () => {
  it("rescores a chunk's accounts exactly as inline, counts a redelivered chunk once, and completes the job", async () => {
    await uploadCsv(metricsCsv([series("Alpha", 40, 60), series("Bravo", 40, 20), series("Charlie", 5, 40)]));
    const inline = await storedHealth();
    await env.DB.batch([
      env.DB.prepare("DELETE FROM health_scores"),
      env.DB.prepare("UPDATE accounts SET health_score = NULL, health_bucket = NULL, trend_30d = NULL"),
    ]);

    const { queue, sent } = recordingQueue();
    const { results: ids } = await env.DB.prepare("SELECT id FROM accounts ORDER BY id").all<{ id: number }>();
    const job = await startAccountsRecomputeJob(testDb(), queue, "ingest", ids.map((row) => row.id));
    const [message] = sent;
    if (!message) throw new Error("nothing enqueued");

    const result = await deliver([{ body: message }]);
    expect(result.explicitAcks).toEqual(["message-0"]);
    expect(await storedHealth()).toEqual(inline);
    expect(await getRecomputeJob(testDb(), job.id)).toMatchObject({
      status: "completed",
      chunks_done: 1,
      accounts_updated: 3,
      scores_written: 85,
      finished_at: expect.any(String),
    });

    await deliver([{ body: message, attempts: 2 }]);
    expect(await getRecomputeJob(testDb(), job.id)).toMatchObject({ chunks_done: 1, accounts_updated: 3, scores_written: 85 });
  });

  it("asks Queues to retry a failing chunk, and marks the job failed on the last attempt", async () => {
    // A chunk of a job that does not exist cannot be recorded (foreign key): a stand-in for any D1 failure.
    const orphan: RecomputeMessage = { job_id: 424242, chunk: 0, account_ids: [1] };
    const logged = vi.spyOn(console, "error");
    const first = await deliver([{ body: orphan, attempts: 1 }]);
    expect(first.retryMessages).toEqual([{ msgId: "message-0" }]);
    expect(first.explicitAcks).toEqual([]);
    expect(logged.mock.calls.map(([line]) => JSON.parse(String(line)))).toContainEqual(
      expect.objectContaining({ message: "recompute chunk failed", job_id: 424242, will_retry: true }),
    );

    const { queue } = recordingQueue();
    await insertBareAccounts(1);
    const job = await startFullRecomputeJob(testDb(), queue, "api");
    const failing: RecomputeMessage = { job_id: job.id, chunk: 0, first_id: 1, last_id: 1 };
    // A trigger makes recording the chunk fail, as a D1 error would.
    await env.DB.prepare(
      "CREATE TRIGGER fail_chunk BEFORE INSERT ON recompute_job_chunks BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END",
    ).run();
    try {
      const last = await deliver([{ body: failing, attempts: 4 }]);
      expect(last.explicitAcks).toEqual(["message-0"]);
      expect(await getRecomputeJob(testDb(), job.id)).toMatchObject({
        status: "failed",
        error: expect.stringContaining("disk I/O error"),
      });
    } finally {
      await env.DB.prepare("DROP TRIGGER fail_chunk").run();
    }
  });
});

describe("queued recompute end to end (local queue)", () => {
  it("POST /health/recompute?mode=queued answers 202 with the job, which the consumer completes", async () => {
    await uploadCsv(metricsCsv([series("Delta", 30, 50), series("Echo", 30, 10)]));
    const inline = await storedHealth();
    await env.DB.prepare("DELETE FROM health_scores").run();

    const response = await SELF.fetch("http://example.com/health/recompute?mode=queued", { method: "POST" });
    expect(response.status).toBe(202);
    const body = await response.json<{ mode: string; accounts_updated: number; job: RecomputeJob }>();
    expect(body).toMatchObject({ mode: "queued", accounts_updated: 0, job: { status: "queued", accounts_total: 2, chunks_total: 1 } });

    const job = await waitForJob(body.job.id);
    expect(job).toMatchObject({ status: "completed", accounts_updated: 2, scores_written: 60 });
    expect(await storedHealth()).toEqual(inline);
    const status = await SELF.fetch(`http://example.com/health/recompute/jobs/${body.job.id}`);
    expect(await status.json()).toMatchObject({ id: body.job.id, status: "completed" });
  });

  it("the cron queues the stale accounts when they are more than RECOMPUTE_INLINE_MAX_ACCOUNTS, and logs the job", async () => {
    await uploadCsv(metricsCsv([series("Foxtrot", 10, 50), series("Golf", 10, 10)]));
    const logged = vi.spyOn(console, "log");
    const ctx = createExecutionContext();
    // A new DAU benchmark leaves every stored score behind: both accounts are stale.
    const changedConfig = { ...env, RECOMPUTE_INLINE_MAX_ACCOUNTS: "1", DAU_BENCHMARK_MID_MARKET: "80" } as Env;
    await worker.scheduled(createScheduledController({ cron: "0 2 * * *" }), changedConfig, ctx);
    await waitOnExecutionContext(ctx);
    const line = logged.mock.calls
      .map(([text]) => JSON.parse(String(text)) as Record<string, unknown>)
      .find((entry) => entry.message === "scheduled health recompute queued");
    expect(line).toMatchObject({ mode: "queued", accounts_total: 2, chunks_total: 1 });
    expect(await waitForJob(line?.job_id as number)).toMatchObject({ status: "completed", trigger: "cron" });
  });

  it("an upload that changes more accounts than INGEST_RESCORE_INLINE_MAX_ACCOUNTS rescores them as a job", async () => {
    const csv = metricsCsv([series("Hotel", 10, 50), series("India", 10, 10), series("Juliet", 10, 30)]);
    const ctx = createExecutionContext();
    const request = new Request("http://example.com/ingest/csv", {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: csv,
    }) as Parameters<typeof worker.fetch>[0];
    const response = await worker.fetch(request, { ...env, INGEST_RESCORE_INLINE_MAX_ACCOUNTS: "2" } as Env, ctx);
    await waitOnExecutionContext(ctx);
    const body = await response.json<{ accounts_rescored: number; rescore_job_id: number | null; message: string }>();
    expect(body.accounts_rescored).toBe(0);
    expect(body.rescore_job_id).toEqual(expect.any(Number));
    expect(body.message).toContain(`job ${body.rescore_job_id}`);
    expect(await waitForJob(body.rescore_job_id as number)).toMatchObject({ status: "completed", trigger: "ingest", accounts_updated: 3 });
    const health = await storedHealth();
    expect(health.every((row) => row.health_score !== null)).toBe(true);
  });

  it("answers 404 for an unknown job and 400 for a bad mode", async () => {
    expect((await SELF.fetch("http://example.com/health/recompute/jobs/999")).status).toBe(404);
    const bad = await SELF.fetch("http://example.com/health/recompute?mode=later", { method: "POST" });
    expect(bad.status).toBe(400);
    expect((await bad.json<{ errors: { field: string }[] }>()).errors[0]?.field).toBe("mode");
  });
});
