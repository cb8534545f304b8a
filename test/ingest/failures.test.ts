import { env, SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { markAbandonedRuns } from "../../src/db/queries/ingest-runs";
import { ApiError } from "../../src/lib/errors";
import type { IngestOptions } from "../../src/services/ingest/types";
import { resetDatabase } from "../helpers/db";
import { metricsCsv, type AccountSeries } from "../helpers/csv";
import { scoredState } from "../helpers/history";
import { ingestStream } from "../helpers/ingest";
import { streamOf } from "../helpers/streams";
import type { PortfolioSummary } from "../../src/contract/portfolio";

/*
 * Failures during ingest leave the database consistent: every stored row whole and tied to an account, the run saying
 * how far it got, and the same file uploaded again completing the data exactly.
 */

function series(name: string, dau: number, overrides: Partial<AccountSeries> = {}): AccountSeries {
  return {
    name,
    segment: "Mid-Market",
    region: "EU",
    arr: 120_000,
    end: "2026-10-31",
    days: 40,
    at: (p) => ({
      daily_active_users: dau + 20 * p,
      feature_adoption_rate: 0.4 + 0.2 * p,
      support_tickets_open: 2,
      nps_score: p > 0.5 ? 30 : null,
      login_frequency: 0.6,
    }),
    ...overrides,
  };
}

const FILE = metricsCsv([series("Acme", 40), series("Globex", 60), series("Initech", 20)]);
const FILE_BYTES = new TextEncoder().encode(FILE);
const BATCH = 25;

/** The bytes of `bytes` in chunks of `size`; after `failAfter` chunks the stream errors, or (`stall`) never ends. */
function chunkedStream(
  bytes: Uint8Array,
  size: number,
  options: { failAfter?: number; stall?: { after: number; release: Promise<Error> } } = {},
): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (options.failAfter !== undefined && index >= options.failAfter) {
        controller.error(new Error("Network connection lost."));
        return;
      }
      if (options.stall && index >= options.stall.after) {
        controller.error(await options.stall.release);
        return;
      }
      const chunk = bytes.subarray(index * size, (index + 1) * size);
      index++;
      if (chunk.byteLength === 0) controller.close();
      else controller.enqueue(chunk);
    },
  });
}

function ingest(stream: ReadableStream<Uint8Array>, options: IngestOptions = { batchSize: BATCH }) {
  return ingestStream(stream, "metrics.csv", options);
}

/** Everything a user can see of the data: accounts, metrics and current scores. */
async function snapshot() {
  const accounts = await env.DB.prepare(
    `SELECT account_name, segment, region, arr, latest_metric_date, health_score, health_bucket FROM accounts
     ORDER BY account_name`,
  ).all();
  const metrics = await env.DB.prepare(
    `SELECT a.account_name, m.date, m.daily_active_users, m.feature_adoption_rate, m.support_tickets_open, m.nps_score,
            m.login_frequency, m.arr
     FROM account_metrics AS m JOIN accounts AS a ON a.id = m.account_id ORDER BY a.account_name, m.date`,
  ).all();
  return { accounts: accounts.results, metrics: metrics.results };
}

/** Every stored row belongs to an account and equals a line of the file. */
async function expectConsistentWith(file: string): Promise<number> {
  const orphans = await env.DB.prepare(
    "SELECT count(*) AS n FROM account_metrics AS m LEFT JOIN accounts AS a ON a.id = m.account_id WHERE a.id IS NULL",
  ).first<number>("n");
  expect(orphans).toBe(0);
  const lines = new Set(file.trim().split("\n").slice(1));
  const { metrics } = await snapshot();
  const accounts = new Map(
    (await env.DB.prepare("SELECT account_name, segment, region FROM accounts").all<{ account_name: string; segment: string; region: string }>())
      .results.map((row) => [row.account_name, row]),
  );
  for (const row of metrics as Record<string, number | string | null>[]) {
    const account = accounts.get(String(row.account_name));
    const line = [
      row.account_name,
      account?.segment,
      account?.region,
      row.arr,
      row.date,
      row.daily_active_users,
      Number(row.feature_adoption_rate).toFixed(3),
      row.support_tickets_open,
      row.nps_score ?? "",
      Number(row.login_frequency).toFixed(3),
    ].join(",");
    expect(lines.has(line), line).toBe(true);
  }
  return metrics.length;
}

async function runRow(id?: number) {
  const statement = id
    ? env.DB.prepare("SELECT * FROM ingest_runs WHERE id = ?").bind(id)
    : env.DB.prepare("SELECT * FROM ingest_runs ORDER BY id DESC LIMIT 1");
  return statement.first<{ id: number; status: string; rows_committed: number; committed_through_line: number; failure_reason: string }>();
}

let reference: Awaited<ReturnType<typeof snapshot>>;

beforeEach(async () => {
  await resetDatabase();
  await ingest(chunkedStream(FILE_BYTES, 4096));
  reference = await snapshot();
  await resetDatabase();
});

/**
 * An upload that stalls after a few chunks and never ends, as when the Worker dies mid-upload: answers once its first
 * batches are committed; `release` lets the stalled stream end the test cleanly.
 */
async function startStalledUpload(): Promise<{ release: (error: Error) => void; stalled: Promise<unknown> }> {
  let release: (error: Error) => void = () => undefined;
  const released = new Promise<Error>((resolve) => (release = resolve));
  const stalled = ingest(chunkedStream(FILE_BYTES, 1024, { stall: { after: 5, release: released } })).catch(
    (caught: unknown) => caught,
  );
  for (let attempt = 0; attempt < 100 && !((await runRow())?.rows_committed ?? 0); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { release, stalled };
}

describe("an upload that fails midway", () => {
  it("client disconnect: the batches before stay whole, the run says failed with what was committed, a re-upload completes it", async () => {
    const error = await ingest(chunkedStream(FILE_BYTES, 1024, { failAfter: 4 })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);

    const run = await runRow();
    expect(run?.status).toBe("failed");
    const stored = await expectConsistentWith(FILE);
    expect(stored).toBe(run?.rows_committed);
    expect(stored % BATCH).toBe(0);
    expect(stored).toBeGreaterThan(0);
    expect((error as ApiError).detail).toContain(`The ${stored} rows stored before the failure stay stored`);

    await ingest(chunkedStream(FILE_BYTES, 4096));
    expect(await snapshot()).toEqual(reference);
  });

  it("a D1 error on one batch: earlier batches stay, nothing of that batch is stored, a re-upload completes it", async () => {
    const poisoned = "2026-10-10";
    await env.DB.prepare(
      `CREATE TRIGGER fail_one_batch BEFORE INSERT ON account_metrics WHEN NEW.date = '${poisoned}'
       BEGIN SELECT RAISE(ABORT, 'D1_ERROR: simulated storage failure'); END`,
    ).run();
    let error: unknown;
    try {
      error = await ingest(chunkedStream(FILE_BYTES, 4096)).catch((caught: unknown) => caught);
    } finally {
      await env.DB.prepare("DROP TRIGGER fail_one_batch").run();
    }
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(500);
    expect((error as ApiError).detail).toMatch(/Storing the rows of lines \d+-\d+ failed/);

    const run = await runRow();
    expect(run?.status).toBe("failed");
    const stored = await expectConsistentWith(FILE);
    expect(stored).toBe(run?.rows_committed);
    const poisonedRows = await env.DB.prepare("SELECT count(*) AS n FROM account_metrics WHERE date = ?").bind(poisoned).first<number>("n");
    expect(poisonedRows).toBe(0);

    await ingest(chunkedStream(FILE_BYTES, 4096));
    expect(await snapshot()).toEqual(reference);
  });

  it("a crash: the run keeps its committed progress, is marked failed once abandoned, and a re-upload completes it", async () => {
    const { release, stalled } = await startStalledUpload();
    // The Worker "dies" here: the upload never ends and nothing finishes its run.
    const running = await runRow();
    expect(running?.status).toBe("running");
    expect(running?.rows_committed).toBeGreaterThan(0);
    expect(await expectConsistentWith(FILE)).toBe(running?.rows_committed);

    expect(await markAbandonedRuns(createDb(env.DB))).toEqual([]);
    // Half an hour on (the run's start moved back), the next upload finds it abandoned: marks it failed, and rescores
    // the accounts it wrote along with its own.
    await env.DB.prepare("UPDATE ingest_runs SET started_at = '2026-01-01T00:00:00.000Z' WHERE id = ?").bind(running?.id).run();
    await ingest(chunkedStream(FILE_BYTES, 4096));
    const abandoned = await runRow(running?.id);
    expect(abandoned?.status).toBe("failed");
    expect(abandoned?.failure_reason).toContain(
      `${running?.rows_committed} valid rows, through line ${running?.committed_through_line}`,
    );
    expect(await snapshot()).toEqual(reference);
    release(new Error("isolate torn down"));
    await stalled;
  });
});

describe("a crash mid-upload, then the re-upload the run asks for, at once", () => {
  it("leaves every account scored exactly as a clean load, and the summary and detail say so in between", async () => {
    await ingest(streamOf([FILE_BYTES]));
    const clean = await scoredState();
    await resetDatabase();

    const { release, stalled } = await startStalledUpload();
    // The Worker "dies" here: its committed batches stay, nothing rescored them, and nothing finishes the run.
    const committed = await env.DB.prepare(
      "SELECT count(DISTINCT r.value ->> 0) AS n FROM pending_rescores AS p, json_each(p.ranges) AS r",
    ).first<number>("n");
    expect(committed).toBeGreaterThan(0);
    const summary = await (await SELF.fetch("http://example.com/portfolio/summary")).json<PortfolioSummary>();
    expect(summary.stale_accounts).toBe(committed);

    // No half hour passes: the re-upload changes none of the committed rows, and still scores their accounts.
    await ingest(chunkedStream(FILE_BYTES, 4096));
    expect(await scoredState()).toEqual(clean);
    expect((await (await SELF.fetch("http://example.com/portfolio/summary")).json<PortfolioSummary>()).stale_accounts).toBe(0);
    release(new Error("isolate torn down"));
    await stalled;
  });
});

describe("concurrent uploads", () => {
  function post(csv: string) {
    return SELF.fetch("http://example.com/ingest/csv", { method: "POST", headers: { "content-type": "text/csv" }, body: csv });
  }

  it("the same file twice at once ends as one upload", async () => {
    const [first, second] = await Promise.all([post(FILE), post(FILE)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(await snapshot()).toEqual(reference);
  });

  it("two files for overlapping accounts end as if run one after the other", async () => {
    // B overlaps A on Globex (other values on the same dates) and adds days and an account.
    const fileA = FILE;
    const fileB = metricsCsv([
      series("Globex", 90, { arr: 150_000, days: 20 }),
      series("Globex", 90, { arr: 160_000, days: 10, end: "2026-11-10" }),
      series("Umbrella", 10, { segment: "SMB" }),
    ]);
    await post(fileA);
    await post(fileB);
    const aThenB = await snapshot();
    await resetDatabase();
    await post(fileB);
    await post(fileA);
    const bThenA = await snapshot();
    await resetDatabase();

    const results = await Promise.all([post(fileA), post(fileB)]);
    expect(results.map((response) => response.status)).toEqual([200, 200]);
    const together = await snapshot();
    expect([aThenB, bThenA]).toContainEqual(together);
  });
});
