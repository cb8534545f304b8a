import { env, SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import originalSample from "../fixtures/original-sample.csv?raw";
import type { DailyMetrics } from "../../src/domain/types";
import { CSV_HEADER_ORDER } from "../../src/ingest/csv-header";
import type { Problem } from "../../src/contract/problems";
import type { Account } from "../../src/contract/accounts";
import type { IngestResult } from "../../src/contract/ingest";
import { resetDatabase } from "../helpers/db";

const HEADER = CSV_HEADER_ORDER.join(",");

/** A row of the metrics as stored, with its account's name. */
type StoredMetric = DailyMetrics & { account_name: string; ingest_run_id: number };

type StoredAccount = Pick<Account, "id" | "account_name" | "segment" | "region" | "arr" | "latest_metric_date" | "updated_at">;

const URL = "http://example.com/ingest/csv";

function postCsv(body: BodyInit | null, contentType = "text/csv") {
  return SELF.fetch(URL, { method: "POST", body, headers: contentType ? { "content-type": contentType } : {} });
}

function postMultipart(csv: string, fileName = "data.csv") {
  const form = new FormData();
  form.append("file", new File([csv], fileName, { type: "text/csv" }));
  return SELF.fetch(URL, { method: "POST", body: form });
}

/** A multipart body written out by hand, as clients other than FormData send it; `closed: false` cuts off its end. */
function multipartBody(boundary: string, parts: { headers: string[]; content: string }[], { closed = true } = {}): string {
  const lines = parts.flatMap((part) => [`--${boundary}`, ...part.headers, "", part.content]);
  return [...lines, ...(closed ? [`--${boundary}--`, ""] : [])].join("\r\n");
}

async function ingestOk(response: Response): Promise<IngestResult> {
  const body = await response.text();
  expect(response.status, body).toBe(200);
  return JSON.parse(body) as IngestResult;
}

async function problem(response: Response, status: number): Promise<Problem> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toContain("application/problem+json");
  return response.json<Problem>();
}

async function counts(): Promise<{ accounts: number; metrics: number }> {
  const row = await env.DB.prepare(
    "SELECT (SELECT count(*) FROM accounts) AS accounts, (SELECT count(*) FROM account_metrics) AS metrics",
  ).first<{ accounts: number; metrics: number }>();
  return row ?? { accounts: -1, metrics: -1 };
}

async function metrics(): Promise<StoredMetric[]> {
  const { results } = await env.DB.prepare(
    `SELECT a.account_name, m.date, m.daily_active_users, m.feature_adoption_rate, m.support_tickets_open, m.nps_score,
            m.login_frequency, m.arr, m.ingest_run_id
     FROM account_metrics m JOIN accounts a ON a.id = m.account_id
     ORDER BY a.account_name, m.date`,
  ).all<StoredMetric>();
  return results;
}

async function account(name: string): Promise<StoredAccount | null> {
  return env.DB.prepare(
    "SELECT id, account_name, segment, region, arr, latest_metric_date, updated_at FROM accounts WHERE account_name = ?",
  )
    .bind(name)
    .first<StoredAccount>();
}

beforeEach(resetDatabase);

describe("POST /ingest/csv: real-world files", () => {
  it("loads the original product's sample: 5 accounts, 15 metrics", async () => {
    const body = await ingestOk(await postMultipart(originalSample, "sample.csv"));
    expect(body).toMatchObject({
      accounts_created: 5,
      accounts_updated: 0,
      metrics_created: 15,
      metrics_updated: 0,
      rows_total: 15,
      rows_rejected: 0,
      errors: [],
      row_errors: [],
      file_name: "sample.csv",
    });
    expect(await counts()).toEqual({ accounts: 5, metrics: 15 });
    expect(await account("TechStart Inc")).toMatchObject({ segment: "SMB", region: "EU", arr: 50000, latest_metric_date: "2024-10-03" });
  });

  it("accepts a BOM, CRLF, quoted commas and newlines, empty NPS, extra columns and blank lines", async () => {
    const csv =
      "\uFEFF" +
      [
        ` Account_Name ,notes,${HEADER.split(",").slice(1).join(",").toUpperCase()}`,
        '"Acme, Inc.","renewal call\r\nbooked for Q3",enterprise,US,500000,2024-10-01,150,0.75,2,,0.85',
        "",
        '"Acme, Inc.",,Enterprise,"US",500000,2024-10-02,145,0.76,3,40,0.82',
        ",,,,,,,,,,",
        'Café Zürich,"said ""hi""",Mid-Market,EU,120000.5,2024-10-02,60,0.5,1,-10,0.6',
        "",
      ].join("\r\n");
    const body = await ingestOk(await postCsv(csv));
    expect(body).toMatchObject({ rows_total: 3, rows_rejected: 0, accounts_created: 2, metrics_created: 3, errors: [] });
    expect(await metrics()).toEqual([
      {
        account_name: "Acme, Inc.",
        date: "2024-10-01",
        daily_active_users: 150,
        feature_adoption_rate: 0.75,
        support_tickets_open: 2,
        nps_score: null,
        login_frequency: 0.85,
        arr: 500000,
        ingest_run_id: body.ingest_run_id,
      },
      {
        account_name: "Acme, Inc.",
        date: "2024-10-02",
        daily_active_users: 145,
        feature_adoption_rate: 0.76,
        support_tickets_open: 3,
        nps_score: 40,
        login_frequency: 0.82,
        arr: 500000,
        ingest_run_id: body.ingest_run_id,
      },
      {
        account_name: "Café Zürich",
        date: "2024-10-02",
        daily_active_users: 60,
        feature_adoption_rate: 0.5,
        support_tickets_open: 1,
        nps_score: -10,
        login_frequency: 0.6,
        arr: 120000.5,
        ingest_run_id: body.ingest_run_id,
      },
    ]);
    expect(await account("Acme, Inc.")).toMatchObject({ segment: "Enterprise", region: "US" });
    expect(await account("Café Zürich")).toMatchObject({ segment: "Mid-Market" });
  });

  it("loads an Excel-for-Windows file whose quoted account name holds a CRLF line break, as one account", async () => {
    const csv = [
      HEADER,
      '"Multi\r\nLine Ltd",SMB,EU,1000,2024-10-01,5,0.5,1,,0.5',
      '"Multi\r\nLine Ltd",SMB,EU,1000,2024-10-02,6,0.5,1,,0.5',
      "Multi Line Ltd,SMB,EU,1000,2024-10-03,7,0.5,1,,0.5",
      "",
    ].join("\r\n");
    const body = await ingestOk(await postCsv(csv));
    expect(body).toMatchObject({ rows_total: 3, rows_rejected: 0, accounts_created: 1, metrics_created: 3, errors: [] });
    expect((await metrics()).map((metric) => `${metric.account_name}@${metric.date}`)).toEqual([
      "Multi Line Ltd@2024-10-01",
      "Multi Line Ltd@2024-10-02",
      "Multi Line Ltd@2024-10-03",
    ]);
  });

  it("rejects bad rows with their physical line numbers and stores the good ones", async () => {
    const csv = [
      HEADER, // line 1
      "Acme Corp,Enterprise,US,500000,2024-10-01,150,0.75,2,50,0.85", // 2
      "", // 3 (blank)
      "Acme Corp,Enterprise,US,500000,2024-02-30,150,0.75,2,50,0.85", // 4: bad date
      '"Multi\nLine Co",SMB,EU,1000,2024-10-01,5,0.5,1,,0.5', // 5-6: a quoted line break inside a name: a space
      "Globex,SMB,EU,1000,2024-10-01,5,1.5,1,,0.5", // 7: adoption 1.5
      "Initech,SMB,EU,1000,2024-10-01,-4,0.5,1,,0.5", // 8: negative DAU
      "Umbrella,Startup,EU,1000,2024-10-01,5,0.5,1,,0.5", // 9: unknown segment
      "Globex,SMB,EU,1000,2024-10-02,6,0.5,1,,0.5", // 10: good
    ].join("\n");
    const body = await ingestOk(await postCsv(csv));
    expect(body).toMatchObject({ rows_total: 7, rows_rejected: 4, error_count: 4, metrics_created: 3, accounts_created: 3 });
    expect(body.row_errors).toEqual([
      { line: 4, column: "date", value: "2024-02-30", reason: "'2024-02-30' is not a real calendar date" },
      {
        line: 7,
        column: "feature_adoption_rate",
        value: "1.5",
        reason: "'1.5' is out of range: must be between 0 and 1; rates are on a 0-1 scale: write 0.015 or 1.5%",
      },
      { line: 8, column: "daily_active_users", value: "-4", reason: "'-4' is out of range: must be between 0 and 1,000,000,000" },
      { line: 9, column: "segment", value: "Startup", reason: "'Startup' is not one of Enterprise, Mid-Market, SMB" },
    ]);
    expect(body.errors[0]).toBe("Line 4, column 'date': '2024-02-30' is not a real calendar date");
    expect(body.errors).toHaveLength(4);
    expect((await metrics()).map((metric) => `${metric.account_name}@${metric.date}`)).toEqual([
      "Acme Corp@2024-10-01",
      "Globex@2024-10-02",
      "Multi Line Co@2024-10-01",
    ]);
    expect(await account("Initech")).toBeNull();
    expect(await account("Umbrella")).toBeNull();
  });

  it("caps the listed errors at 100 and says how many more there were", async () => {
    const bad = Array.from({ length: 130 }, (_, index) => `Acme,SMB,EU,1,2024-10-${String((index % 28) + 1).padStart(2, "0")},1,2,1,,0.5`);
    const body = await ingestOk(await postCsv([HEADER, ...bad, "Acme,SMB,EU,1,2024-10-01,1,0.2,1,,0.5"].join("\n")));
    expect(body.rows_rejected).toBe(130);
    expect(body.error_count).toBe(130);
    expect(body.errors).toHaveLength(100);
    expect(body.row_errors).toHaveLength(100);
    expect(body.row_errors[99]?.line).toBe(101);
    expect(body.message).toContain("first 100 of 130 errors (30 more)");
    expect(await counts()).toEqual({ accounts: 1, metrics: 1 });
  });
});

describe("POST /ingest/csv: upserts", () => {
  it("re-uploading the same file changes nothing and reports nothing created or updated", async () => {
    const first = await ingestOk(await postMultipart(originalSample));
    const accountsBefore = (await env.DB.prepare("SELECT * FROM accounts ORDER BY id").all()).results;
    const metricsBefore = await metrics();

    const second = await ingestOk(await postMultipart(originalSample));
    expect(second).toMatchObject({
      accounts_created: 0,
      accounts_updated: 0,
      metrics_created: 0,
      metrics_updated: 0,
      rows_total: 15,
      accounts_rescored: 0,
    });
    expect(second.ingest_run_id).not.toBe(first.ingest_run_id);
    expect((await env.DB.prepare("SELECT * FROM accounts ORDER BY id").all()).results).toEqual(accountsBefore);
    // Unchanged rows keep the run that wrote them.
    expect(await metrics()).toEqual(metricsBefore);
  });

  it("a newer upload for the same account and date replaces the values", async () => {
    await ingestOk(await postCsv(originalSample));
    const changed = [HEADER, "Acme Corp,Enterprise,US,500000,2024-10-02,999,0.5,7,,0.4"].join("\n");
    const body = await ingestOk(await postCsv(changed));
    expect(body).toMatchObject({ accounts_created: 0, accounts_updated: 1, metrics_created: 0, metrics_updated: 1 });
    const acme = (await metrics()).find((metric) => metric.account_name === "Acme Corp" && metric.date === "2024-10-02");
    expect(acme).toMatchObject({
      daily_active_users: 999,
      feature_adoption_rate: 0.5,
      support_tickets_open: 7,
      nps_score: null,
      login_frequency: 0.4,
      ingest_run_id: body.ingest_run_id,
    });
    expect(await counts()).toEqual({ accounts: 5, metrics: 15 });
  });

  it("a later line of the same file for the same account and date wins", async () => {
    const csv = [
      HEADER,
      "Acme,SMB,EU,100,2024-10-01,1,0.1,1,,0.1",
      "Acme,SMB,EU,100,2024-10-01,2,0.2,2,,0.2",
      "Acme,SMB,EU,100,2024-10-02,3,0.3,3,,0.3",
    ].join("\n");
    const body = await ingestOk(await postCsv(csv));
    expect(body).toMatchObject({ rows_total: 3, metrics_created: 2, metrics_updated: 0 });
    expect((await metrics()).map((metric) => metric.daily_active_users)).toEqual([2, 3]);
  });

  it("takes segment, region and ARR from the latest-dated row, whatever order the files arrive in", async () => {
    const newer = [HEADER, "Acme,SMB,APAC,2000,2024-10-05,1,0.1,1,,0.1"].join("\n");
    const older = [HEADER, "Acme,Enterprise,US,1000,2024-10-01,1,0.1,1,,0.1", "Acme,Enterprise,US,1500,2024-10-03,1,0.1,1,,0.1"].join("\n");

    await ingestOk(await postCsv(newer));
    const olderBody = await ingestOk(await postCsv(older));
    expect(olderBody).toMatchObject({ accounts_created: 0, accounts_updated: 1, metrics_created: 2 });
    expect(await account("Acme")).toMatchObject({ segment: "SMB", region: "APAC", arr: 2000, latest_metric_date: "2024-10-05" });
    // Each metric row keeps the ARR of its own date.
    expect((await metrics()).map((metric) => [metric.date, metric.arr])).toEqual([
      ["2024-10-01", 1000],
      ["2024-10-03", 1500],
      ["2024-10-05", 2000],
    ]);

    const latest = [HEADER, "Acme,Mid-Market,EU,3000,2024-10-06,1,0.1,1,,0.1"].join("\n");
    await ingestOk(await postCsv(latest));
    expect(await account("Acme")).toMatchObject({ segment: "Mid-Market", region: "EU", arr: 3000, latest_metric_date: "2024-10-06" });
  });

  it("within one file, the latest-dated row sets the account even when it comes first", async () => {
    const csv = [HEADER, "Acme,SMB,APAC,2000,2024-10-05,1,0.1,1,,0.1", "Acme,Enterprise,US,1000,2024-10-01,1,0.1,1,,0.1"].join("\n");
    await ingestOk(await postCsv(csv));
    expect(await account("Acme")).toMatchObject({ segment: "SMB", region: "APAC", arr: 2000, latest_metric_date: "2024-10-05" });
  });

  it("a correction to the latest date updates the account's ARR", async () => {
    await ingestOk(await postCsv([HEADER, "Acme,SMB,EU,100,2024-10-01,1,0.1,1,,0.1"].join("\n")));
    const body = await ingestOk(await postCsv([HEADER, "Acme,SMB,EU,150,2024-10-01,1,0.1,1,,0.1"].join("\n")));
    expect(body).toMatchObject({ accounts_updated: 1, metrics_updated: 1 });
    expect(await account("Acme")).toMatchObject({ arr: 150 });
  });
});

describe("POST /ingest/csv: refusals", () => {
  it("refuses a header that lacks a required column, naming it, before anything is written", async () => {
    const csv = [HEADER.replace(",date", ""), "Acme Corp,Enterprise,US,500000,150,0.75,2,50,0.85"].join("\n");
    const body = await problem(await postCsv(csv), 400);
    expect(body.detail).toContain("missing the required column(s): date");
    expect(body.errors).toEqual([{ field: "date", message: "Required column is missing from the header" }]);
    expect(await counts()).toEqual({ accounts: 0, metrics: 0 });
    const run = await env.DB.prepare("SELECT status, rows_total FROM ingest_runs").first();
    expect(run).toEqual({ status: "rejected", rows_total: 0 });
  });

  it("refuses a header that repeats a column", async () => {
    const body = await problem(await postCsv(`${HEADER},ARR\nAcme,SMB,EU,1,2024-10-01,1,0.1,1,,0.1,2\n`), 400);
    expect(body.detail).toContain("repeats the column(s): arr");
    expect(await counts()).toEqual({ accounts: 0, metrics: 0 });
  });

  it.each([
    ["an empty body", "", "empty"],
    ["blank lines only", "\r\n\r\n  \n", "empty"],
    ["a header without rows", `${HEADER}\r\n\r\n`, "no data rows"],
  ])("refuses %s with 400", async (_, csv, words) => {
    const body = await problem(await postCsv(csv), 400);
    expect(body.detail).toContain(words);
    expect(await counts()).toEqual({ accounts: 0, metrics: 0 });
  });

  it("refuses a request without a body", async () => {
    const body = await problem(await SELF.fetch(URL, { method: "POST", headers: { "content-type": "text/csv" } }), 400);
    expect(body.detail).toContain("empty");
  });

  it("refuses JSON with 415, and JSON sent as text with 400", async () => {
    const json = JSON.stringify({ account_name: "Acme" });
    const unsupported = await problem(await postCsv(json, "application/json"), 415);
    expect(unsupported.detail).toContain("application/json");
    expect(unsupported.detail).toContain("multipart/form-data");
    const notCsv = await problem(await postCsv(json, "text/plain"), 400);
    expect(notCsv.detail).toContain("missing the required column(s)");
    expect(await counts()).toEqual({ accounts: 0, metrics: 0 });
  });

  it("refuses a binary body that is not UTF-8 text", async () => {
    const binary = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00, 0x01]);
    const body = await problem(await postCsv(binary, "application/octet-stream"), 400);
    expect(body.detail).toContain("not UTF-8");
  });

  it("refuses a form without a file field, and a file field sent as text", async () => {
    const withoutFile = new FormData();
    withoutFile.append("other", new File([originalSample], "data.csv"));
    const missing = await problem(await SELF.fetch(URL, { method: "POST", body: withoutFile }), 400);
    expect(missing.detail).toContain("no 'file' file field");

    const asText = new FormData();
    asText.append("file", originalSample);
    const text = await problem(await SELF.fetch(URL, { method: "POST", body: asText }), 400);
    expect(text.detail).toContain("plain text, not a file");
    expect(await counts()).toEqual({ accounts: 0, metrics: 0 });
  });

  it("refuses a multipart body cut off before its closing boundary", async () => {
    const boundary = "cut-off-boundary";
    const file = {
      headers: ['Content-Disposition: form-data; name="file"; filename="data.csv"'],
      content: `${HEADER}\r\nAcme,SMB,EU,1,2024-10-01,1,0.1,1,,0.1`,
    };
    const truncated = multipartBody(boundary, [file], { closed: false });
    const body = await problem(await postCsv(truncated, `multipart/form-data; boundary=${boundary}`), 400);
    expect(body.detail).toContain("could not be read to the end");
  });

  it("refuses a multipart content type without a boundary", async () => {
    const body = await problem(await postCsv(originalSample, "multipart/form-data"), 400);
    expect(body.detail).toContain("multipart");
  });
});

describe("POST /ingest/csv: transports", () => {
  it("reads a multipart body as curl sends it (explicit Content-Type, other fields around the file)", async () => {
    const boundary = "------------------------d74496d66958873e";
    const body = multipartBody(boundary, [
      { headers: ['Content-Disposition: form-data; name="comment"'], content: "weekly export" },
      {
        headers: ['Content-Disposition: form-data; name="file"; filename="data.csv"', "Content-Type: application/octet-stream"],
        content: originalSample.trimEnd(),
      },
    ]);
    const response = await postCsv(body, `multipart/form-data; boundary=${boundary}`);
    expect(await ingestOk(response)).toMatchObject({ accounts_created: 5, metrics_created: 15, file_name: "data.csv" });
  });

  it("reads a raw text/csv body streamed in chunks", async () => {
    const encoded = new TextEncoder().encode(originalSample);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < encoded.length; at += 7) controller.enqueue(encoded.slice(at, at + 7));
        controller.close();
      },
    });
    const body = await ingestOk(await postCsv(stream, "text/csv; charset=utf-8"));
    expect(body).toMatchObject({ accounts_created: 5, metrics_created: 15, bytes_read: encoded.byteLength, file_name: null });
  });

  it("records each upload as an ingest run", async () => {
    const csv = [HEADER, "Acme,SMB,EU,1,2024-10-01,1,0.1,1,,0.1", "Acme,SMB,EU,1,2024-10-02,1,7,1,,0.1"].join("\n");
    const body = await ingestOk(await postMultipart(csv, "runs.csv"));
    const run = await env.DB.prepare("SELECT * FROM ingest_runs WHERE id = ?").bind(body.ingest_run_id).first<Record<string, unknown>>();
    expect(run).toMatchObject({
      file_name: "runs.csv",
      content_type: "multipart/form-data",
      status: "completed",
      bytes_read: new TextEncoder().encode(csv).byteLength,
      rows_total: 2,
      rows_rejected: 1,
      accounts_created: 1,
      metrics_created: 1,
      metrics_updated: 0,
      failure_reason: null,
    });
    expect(JSON.parse(run?.errors as string)).toEqual(body.row_errors);
    expect(run?.finished_at).toEqual(expect.any(String));
  });
});

interface MediaType {
  schema?: { required?: string[]; properties?: Record<string, { type: string; format?: string }> };
}

describe("GET /openapi.json documents the upload", () => {
  it("offers a file picker and a CSV body, and documents every status", async () => {
    const document = await (await SELF.fetch("http://example.com/openapi.json")).json<{
      paths: Record<string, { post: { requestBody: { content: Record<string, MediaType> }; responses: Record<string, unknown> } }>;
      components: { schemas: Record<string, unknown> };
    }>();
    const operation = document.paths["/ingest/csv"]?.post;
    expect(Object.keys(operation?.requestBody.content ?? {})).toEqual(
      expect.arrayContaining(["multipart/form-data", "text/csv"]),
    );
    const form = operation?.requestBody.content["multipart/form-data"]?.schema;
    expect(form?.required).toEqual(["file"]);
    expect(form?.properties?.file).toMatchObject({ type: "string", format: "binary" });
    expect(Object.keys(operation?.responses ?? {})).toEqual(expect.arrayContaining(["200", "400", "415", "500"]));
    expect(document.components.schemas.IngestResult).toBeDefined();
  });
});
