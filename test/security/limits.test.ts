import { env, SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { CSV_HEADER_ORDER } from "../../src/ingest/csv-header";
import type { Problem } from "../../src/contract/problems";
import { resetDatabase } from "../helpers/db";
import { metricsCsv, SLIPPING } from "../helpers/csv";
import { sha256Hex } from "../../src/lib/hash";
import { fetchWith } from "../helpers/worker";

const HEADER = CSV_HEADER_ORDER.join(",");

/** A text body produced lazily, `total` bytes of `fill` after `prefix`, so a 50 MB body costs nothing until read. */
function lazyBody(prefix: string, fill: string, total: number): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  const encoder = new TextEncoder();
  // Whole repetitions of `fill` per block, so a line never straddles a block.
  const block = encoder.encode(fill.repeat(Math.max(1, Math.floor(65_536 / fill.length))));
  let sent = 0;
  let first = true;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (first) {
        first = false;
        controller.enqueue(encoder.encode(prefix));
        return;
      }
      if (sent >= total) {
        controller.close();
        return;
      }
      controller.enqueue(block);
      sent += block.byteLength;
    },
  });
  return { stream, pulled: () => sent };
}

/** POSTs CSV to the upload route with extra vars; a stream body is sent as it is pulled, without a length. */
function postCsv(body: BodyInit, extraEnv: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Response> {
  return fetchWith(extraEnv, "/ingest/csv", {
    method: "POST",
    headers: { "content-type": "text/csv", ...headers },
    body,
    duplex: "half",
  } as RequestInit);
}

async function expectProblem(response: Response, status: number): Promise<Problem> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  return response.json();
}

async function counts() {
  return env.DB.prepare(
    `SELECT (SELECT count(*) FROM accounts) AS accounts, (SELECT count(*) FROM account_metrics) AS metrics`,
  ).first<{ accounts: number; metrics: number }>();
}

beforeEach(resetDatabase);

describe("upload limits", () => {
  it("refuses an upload whose Content-Length passes MAX_UPLOAD_BYTES with 413 before reading it", async () => {
    const csv = metricsCsv([SLIPPING]);
    const length = String(new TextEncoder().encode(csv).byteLength);
    const response = await postCsv(csv, { MAX_UPLOAD_BYTES: "2048" }, { "content-length": length });
    const body = await expectProblem(response, 413);
    expect(body.detail).toContain("2048 bytes");
    expect(await counts()).toEqual({ accounts: 0, metrics: 0 });
  });

  it("cuts off a streamed upload without a length once it passes the limit, with 413 saying what was stored", async () => {
    const { stream, pulled } = lazyBody(`${HEADER}\n`, "Acme,SMB,EU,1000,2026-10-01,5,0.5,1,10,0.5\n", 50 * 1024 * 1024);
    const response = await postCsv(stream, { MAX_UPLOAD_BYTES: String(1024 * 1024) });
    const body = await expectProblem(response, 413);
    expect(pulled()).toBeLessThan(2 * 1024 * 1024);
    // Batches written before the limit are committed (D1 has no interactive transactions): the answer and the run
    // say so, and what is stored is whole.
    const run = await env.DB.prepare("SELECT status, rows_committed, failure_reason FROM ingest_runs").first<{
      status: string;
      rows_committed: number;
      failure_reason: string;
    }>();
    expect(run?.status).toBe("failed");
    expect(run?.rows_committed).toBeGreaterThan(0);
    expect(body.detail).toContain(`The ${run?.rows_committed} rows stored before the failure stay stored`);
    expect(body.detail).toContain("MAX_UPLOAD_BYTES");
    expect(await counts()).toEqual({ accounts: 1, metrics: 1 });
  });

  it("answers 413 for a multipart upload past the limit too", async () => {
    const form = new FormData();
    form.append("file", new File([metricsCsv([SLIPPING])], "big.csv", { type: "text/csv" }));
    const response = await fetchWith({ MAX_UPLOAD_BYTES: "2048" }, "/ingest/csv", { method: "POST", body: form });
    await expectProblem(response, 413);
  });

  it("refuses a single 50 MB line with 400 after reading little more than MAX_LINE_CHARS (in production)", async () => {
    const key = "ask_ingest_key_for_the_limits_test_0123";
    const production = { ENVIRONMENT: "production", API_KEYS: `ingest:limits:${await sha256Hex(key)}` };
    const { stream, pulled } = lazyBody(`${HEADER}\nAcme,SMB,EU,1000,2026-10-01,5,0.5,1,10,`, "x", 50 * 1024 * 1024);
    const response = await postCsv(stream, production, { authorization: `Bearer ${key}` });
    const body = await expectProblem(response, 400);
    expect(body.detail).toContain("MAX_LINE_CHARS");
    expect(pulled()).toBeLessThan(1024 * 1024);
  });

  it("outside production reads the rest of the refused 50 MB line before answering its 400 (for wrangler dev's proxy)", async () => {
    const total = 50 * 1024 * 1024;
    const { stream, pulled } = lazyBody(`${HEADER}\nAcme,SMB,EU,1000,2026-10-01,5,0.5,1,10,`, "x", total);
    const body = await expectProblem(await postCsv(stream), 400);
    expect(body.detail).toContain("MAX_LINE_CHARS");
    expect(pulled()).toBeGreaterThanOrEqual(total);
  });

  it("refuses an unclosed quote that would swallow the rest of the file", async () => {
    const csv = `${HEADER}\n"Acme,SMB,EU,1000,2026-10-01,5,0.5,1,10,0.5\n${"Beta,SMB,EU,1000,2026-10-01,5,0.5,1,10,0.5\n".repeat(3000)}`;
    const response = await postCsv(csv);
    await expectProblem(response, 400);
    expect(await counts()).toEqual({ accounts: 0, metrics: 0 });
  });

  it("refuses a header with more columns than MAX_COLUMNS", async () => {
    const extra = Array.from({ length: 300 }, (_, index) => `extra_${index}`).join(",");
    const response = await postCsv(`${HEADER},${extra}\n`);
    const body = await expectProblem(response, 400);
    expect(body.detail).toContain("MAX_COLUMNS");
  });

  it("refuses a JSON body over 16 KiB on the portfolio insight", async () => {
    const response = await SELF.fetch("http://example.com/insights/portfolio", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ focus_areas: ["x".repeat(20_000)] }),
    });
    await expectProblem(response, 413);
  });
});

describe("headers", () => {
  it("puts a request id and the secure headers on every answer, errors included", async () => {
    for (const [path, status] of [["/healthz", 200], ["/accounts?page=0", 400], ["/nowhere", 404]] as const) {
      const response = await SELF.fetch(`http://example.com${path}`);
      expect(response.status).toBe(status);
      const id = response.headers.get("x-request-id");
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("x-frame-options")).toBe("SAMEORIGIN");
      if (status >= 400) expect((await response.json<Problem>()).request_id).toBe(id);
    }
  });

  it("answers CORS only for the origins in CORS_ORIGINS", async () => {
    const allowed = { CORS_ORIGINS: "https://app.example.com, https://admin.example.com" };
    const preflight = await fetchWith(allowed, "/insights/portfolio", {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");

    const other = await fetchWith(allowed, "/accounts", { headers: { origin: "https://evil.example.net" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const none = await SELF.fetch("http://example.com/accounts", { headers: { origin: "https://app.example.com" } });
    expect(none.headers.get("access-control-allow-origin")).toBeNull();
  });
});
