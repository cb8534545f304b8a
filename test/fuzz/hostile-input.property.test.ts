import { env, SELF } from "cloudflare:test";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { Problem } from "../../src/contract/problems";
import type { AccountList } from "../../src/contract/account-list";
import { resetDatabase } from "../helpers/db";
import { HEALTHY_GROWING, metricsCsv, SLIPPING, uploadCsv } from "../helpers/csv";

/*
 * Properties of the API under hostile input: random bytes and truncated files are refused with 4xx problem+json and
 * leave the stored data exactly as it was; no value of any GET /accounts parameter makes the API fail.
 */

const RUNS = Number(env.FUZZ_RUNS);
/** Up to ~4 ms a case through the API; generous, so `npm run test:fuzz` can run 20,000. */
const TIMEOUT_MS = 30_000 + RUNS * 10;

/** A digest of everything stored, to prove a refused request changed nothing. */
async function storedState(): Promise<string> {
  const rows = await env.DB.batch([
    env.DB.prepare("SELECT * FROM accounts ORDER BY id"),
    env.DB.prepare("SELECT * FROM account_metrics ORDER BY account_id, date"),
    env.DB.prepare("SELECT * FROM health_scores ORDER BY account_id, date"),
    env.DB.prepare("SELECT * FROM pending_rescores ORDER BY id"),
  ]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(rows.map((r) => r.results))));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function expectProblem(response: Response): Promise<void> {
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const body = await response.json<Problem>();
  expect(body.status).toBe(response.status);
  expect(body.detail.length).toBeGreaterThan(0);
  expect(body.detail).not.toMatch(/SQLITE|D1_ERROR|at \w+ \(/);
}

const VALID_FILE = metricsCsv([{ ...SLIPPING, name: "Hostile Probe Ltd", days: 12 }]);

beforeAll(async () => {
  await resetDatabase();
  await uploadCsv(metricsCsv([HEALTHY_GROWING, SLIPPING]));
});

describe("hostile uploads (property)", () => {
  it(`refuses random bytes with 4xx problem+json and stores nothing (${RUNS} cases)`, async () => {
    const before = await storedState();
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 0, maxLength: 2048 }),
        fc.constantFrom("text/csv", "application/octet-stream", "text/plain", "multipart/form-data; boundary=x"),
        async (bytes, contentType) => {
          const response = await SELF.fetch("http://example.com/ingest/csv", {
            method: "POST",
            headers: { "content-type": contentType },
            body: bytes,
          });
          await expectProblem(response);
        },
      ),
      { numRuns: RUNS },
    );
    expect(await storedState()).toBe(before);
  }, TIMEOUT_MS);

  it(`refuses a multipart upload cut off anywhere before its file part ends, storing nothing (${RUNS} cases)`, async () => {
    const boundary = "----fuzzboundary7MA4YWxkTrZu0gW";
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="data.csv"\r\nContent-Type: text/csv\r\n\r\n`;
    const body = new TextEncoder().encode(`${head}${VALID_FILE}\r\n--${boundary}--\r\n`);
    // Cut anywhere up to the delimiter that closes the file part (past it, the file itself arrived whole).
    const fileEnd = new TextEncoder().encode(`${head}${VALID_FILE}\r\n--${boundary}`).byteLength - 1;
    const before = await storedState();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: fileEnd }), async (cut) => {
        const response = await SELF.fetch("http://example.com/ingest/csv", {
          method: "POST",
          headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
          body: body.slice(0, cut),
        });
        await expectProblem(response);
      }),
      { numRuns: RUNS },
    );
    expect(await storedState()).toBe(before);
  }, TIMEOUT_MS);
});

describe("GET /accounts query fuzzing (property)", () => {
  const PARAMETERS = ["page", "page_size", "segment", "region", "bucket", "search", "min_health", "max_health", "sort", "order"];
  const hostileValue = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: "grapheme", maxLength: 20 }),
    fc.constantFrom(
      "",
      " ",
      "0",
      "-1",
      "1e999",
      "0x10",
      "NaN",
      "Infinity",
      "9007199254740993",
      "1.5",
      "' OR 1=1 --",
      "\"; DROP TABLE accounts; --",
      "%",
      "_",
      "\\",
      "at_risk",
      "HEALTHY",
      "health_change_30d",
      "DESC",
      "\u0000",
      "x".repeat(5000),
    ),
    fc.integer().map(String),
    fc.double().map(String),
  );

  it(`answers 200 or a 400 naming the parameter, never anything else, for any values (${RUNS} cases)`, async () => {
    const before = await storedState();
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...PARAMETERS), hostileValue, { maxKeys: 4 }), async (query) => {
        const search = new URLSearchParams(query).toString();
        const response = await SELF.fetch(`http://example.com/accounts?${search}`);
        if (response.status === 200) {
          const body = await response.json<AccountList>();
          expect(body.accounts.length).toBeLessThanOrEqual(body.page_size);
          expect(body.total).toBeGreaterThanOrEqual(0);
          return;
        }
        expect(response.status).toBe(400);
        expect(response.headers.get("content-type")).toBe("application/problem+json");
        const problem = await response.json<Problem>();
        for (const error of problem.errors ?? []) expect(PARAMETERS).toContain(error.field);
        expect(problem.errors?.length).toBeGreaterThan(0);
      }),
      { numRuns: RUNS },
    );
    expect(await storedState()).toBe(before);
  }, TIMEOUT_MS);
});
