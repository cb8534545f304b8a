import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { CSV_HEADER_ORDER } from "../../src/ingest/csv-header";
import { ApiError } from "../../src/lib/errors";
import type { IngestOptions } from "../../src/services/ingest/types";
import { resetDatabase } from "../helpers/db";
import { ingestStream } from "../helpers/ingest";
import { streamOf } from "../helpers/streams";

const HEADER = CSV_HEADER_ORDER.join(",");

function ingest(stream: ReadableStream<Uint8Array>, options?: IngestOptions) {
  return ingestStream(stream, "test.csv", options);
}

async function storedMetrics() {
  const { results } = await env.DB.prepare(
    `SELECT a.account_name AS name, m.date, m.daily_active_users AS dau, m.nps_score AS nps
     FROM account_metrics m JOIN accounts a ON a.id = m.account_id ORDER BY a.account_name, m.date`,
  ).all<{ name: string; date: string; dau: number; nps: number | null }>();
  return results;
}

async function run(id: number) {
  return env.DB.prepare("SELECT * FROM ingest_runs WHERE id = ?").bind(id).first<Record<string, unknown>>();
}

beforeEach(resetDatabase);

describe("ingestCsv", () => {
  it("reads a quoted newline and a multi-byte character that fall across chunk boundaries", async () => {
    const csv = [
      `\uFEFF${HEADER},notes`,
      'Zürich AG,SMB,EU,100,2024-10-01,5,0.5,1,,0.5,"line one\r\nline two"',
      "Zürich AG,SMB,EU,100,2024-10-02,6,0.5,1,10,0.5,",
    ].join("\r\n");
    const bytes = new TextEncoder().encode(csv);
    const insideQuotedNewline = bytes.indexOf(0x0a, new TextEncoder().encode(csv.slice(0, csv.indexOf("line one"))).length);
    const insideUmlaut = bytes.indexOf(0xc3, insideQuotedNewline) + 1;
    const chunks = [bytes.slice(0, insideQuotedNewline), bytes.slice(insideQuotedNewline, insideUmlaut), bytes.slice(insideUmlaut)];

    const report = await ingest(streamOf(chunks));
    expect(report).toMatchObject({ rowsTotal: 2, rowsRejected: 0, metricsCreated: 2, accountsCreated: 1, bytesRead: bytes.byteLength });
    expect(await storedMetrics()).toEqual([
      { name: "Zürich AG", date: "2024-10-01", dau: 5, nps: null },
      { name: "Zürich AG", date: "2024-10-02", dau: 6, nps: 10 },
    ]);
  });

  it("writes in batches and counts each key once, however the file's lines fall into batches", async () => {
    const csv = [
      HEADER,
      "Acme,SMB,EU,100,2024-10-01,1,0.1,1,,0.1",
      "Beta,SMB,EU,100,2024-10-01,1,0.1,1,,0.1",
      "Acme,SMB,EU,100,2024-10-01,2,0.1,1,,0.1", // same key as line 2, in the next batch: an update
      "Acme,SMB,EU,100,2024-10-02,3,0.1,1,,0.1",
      "Beta,SMB,EU,100,2024-10-02,4,0.1,1,,0.1",
    ].join("\n");
    const report = await ingest(streamOf([new TextEncoder().encode(csv)]), { batchSize: 2 });
    expect(report).toMatchObject({ rowsTotal: 5, accountsCreated: 2, accountsUpdated: 0, metricsCreated: 4, metricsUpdated: 1 });
    expect((await storedMetrics()).map((metric) => metric.dau)).toEqual([2, 3, 1, 4]);
  });

  it("when the upload breaks off midway, keeps the committed batches and marks the run failed", async () => {
    const lines = Array.from({ length: 6 }, (_, index) => `Acme,SMB,EU,100,2024-10-0${index + 1},${index},0.1,1,,0.1\n`);
    const encoder = new TextEncoder();
    const chunks = [encoder.encode(`${HEADER}\n`), ...lines.map((line) => encoder.encode(line))];

    const failure = ingest(streamOf(chunks, new Error("connection reset")), { batchSize: 4 });
    await expect(failure).rejects.toThrow(ApiError);
    const error = (await failure.catch((caught: unknown) => caught)) as ApiError;
    expect(error.status).toBe(400);
    expect(error.detail).toContain("connection reset");
    expect(error.detail).toContain("The 4 rows stored before the failure stay stored");

    expect((await storedMetrics()).map((metric) => metric.date)).toEqual([
      "2024-10-01",
      "2024-10-02",
      "2024-10-03",
      "2024-10-04",
    ]);
    const { results } = await env.DB.prepare("SELECT * FROM ingest_runs").all<Record<string, unknown>>();
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: "failed", rows_total: 6, metrics_created: 4, accounts_created: 1 });
    expect(results[0]?.failure_reason).toContain("connection reset");
  });

  it("when a database batch fails, keeps the batches before it and reports the lines affected", async () => {
    // A trigger stands in for a database failure on the second batch.
    await env.DB.exec(
      "CREATE TRIGGER fail_on_666 BEFORE INSERT ON account_metrics WHEN NEW.daily_active_users = 666 BEGIN SELECT RAISE(ABORT, 'simulated failure'); END",
    );
    try {
      const csv = [
        HEADER,
        "Acme,SMB,EU,100,2024-10-01,1,0.1,1,,0.1",
        "Acme,SMB,EU,100,2024-10-02,2,0.1,1,,0.1",
        "Acme,SMB,EU,100,2024-10-03,666,0.1,1,,0.1",
        "Beta,SMB,EU,100,2024-10-03,3,0.1,1,,0.1",
      ].join("\n");
      const failure = ingest(streamOf([new TextEncoder().encode(csv)]), { batchSize: 2 });
      const error = (await failure.catch((caught: unknown) => caught)) as ApiError;
      expect(error).toBeInstanceOf(ApiError);
      expect(error.status).toBe(500);
      expect(error.detail).toContain("lines 4-5");
      expect(error.detail).not.toContain("simulated failure");

      // The failed batch is atomic: neither its metrics nor its new account were written.
      expect((await storedMetrics()).map((metric) => metric.date)).toEqual(["2024-10-01", "2024-10-02"]);
      expect(await env.DB.prepare("SELECT count(*) AS n FROM accounts WHERE account_name = 'Beta'").first("n")).toBe(0);
      const { results } = await env.DB.prepare("SELECT status, metrics_created, failure_reason FROM ingest_runs").all();
      expect(results[0]).toMatchObject({ status: "failed", metrics_created: 2 });
    } finally {
      await env.DB.exec("DROP TRIGGER fail_on_666");
    }
  });

  it("refuses an unclosed quote that would swallow the file, once it exceeds the record limit", async () => {
    const csv = `${HEADER}\n"Acme,SMB,EU,100,2024-10-01,1,0.1,1,,0.1\n${"x,".repeat(2000)}`;
    const report = ingest(streamOf([new TextEncoder().encode(csv)]), { maxLineChars: 1000 });
    const error = (await report.catch((caught: unknown) => caught)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.detail).toContain("line 2");
    const { results } = await env.DB.prepare("SELECT status FROM ingest_runs").all();
    expect(results).toEqual([{ status: "rejected" }]);
  });

  it("records a run id on every row it writes and returns it", async () => {
    const report = await ingest(streamOf([new TextEncoder().encode(`${HEADER}\nAcme,SMB,EU,100,2024-10-01,1,0.1,1,,0.1\n`)]));
    expect(await run(report.runId)).toMatchObject({ status: "completed", file_name: "test.csv", rows_total: 1 });
    expect(await env.DB.prepare("SELECT ingest_run_id FROM account_metrics").first("ingest_run_id")).toBe(report.runId);
  });
});
