import { env, SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import type { Problem } from "../../src/contract/problems";
import type { AccountList } from "../../src/contract/account-list";
import { metricsCsv, SLIPPING } from "../helpers/csv";
import { resetDatabase } from "../helpers/db";
import { recordingD1 } from "../helpers/recording-d1";
import { fetchWith } from "../helpers/worker";

const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;
const CSV = metricsCsv([{ ...SLIPPING, days: 5 }]);
const UPLOAD: RequestInit = { method: "POST", headers: { "content-type": "text/csv" }, body: CSV };

beforeEach(resetDatabase);

describe("D1 sessions and the x-d1-bookmark header", () => {
  it("answers an upload with a bookmark, and a read sent with it sees the upload and answers a bookmark as new", async () => {
    const uploaded = await SELF.fetch("http://example.com/ingest/csv", UPLOAD);
    expect(uploaded.status).toBe(200);
    const written = uploaded.headers.get("x-d1-bookmark");
    expect(written).toMatch(BOOKMARK);

    const read = await SELF.fetch("http://example.com/accounts", { headers: { "x-d1-bookmark": written! } });
    expect(read.status).toBe(200);
    const list = await read.json<AccountList>();
    expect(list.accounts.map((account) => account.account_name)).toEqual([SLIPPING.name]);
    const after = read.headers.get("x-d1-bookmark");
    expect(after).toMatch(BOOKMARK);
    // Bookmarks are fixed-width hex, so they order as strings: a session never goes back in time.
    expect(after! >= written!).toBe(true);
  });

  it("starts writes at the primary, reads anywhere, and reads with a bookmark from that bookmark", async () => {
    const d1 = recordingD1();
    const uploaded = await fetchWith({ DB: d1.DB }, "/ingest/csv", UPLOAD);
    expect(uploaded.status).toBe(200);
    const bookmark = uploaded.headers.get("x-d1-bookmark")!;
    expect((await fetchWith({ DB: d1.DB }, "/portfolio/summary")).status).toBe(200);
    expect((await fetchWith({ DB: d1.DB }, "/accounts/1", { headers: { "x-d1-bookmark": bookmark } })).status).not.toBe(500);
    expect(d1.sessionStarts).toEqual(["first-primary", "first-unconstrained", bookmark]);
  });

  it("runs every query of a request in its session, batches (runBatch) included", async () => {
    const d1 = recordingD1();
    expect((await fetchWith({ DB: d1.DB }, "/ingest/csv", UPLOAD)).status).toBe(200);
    expect(d1.sessionStatements.some((statement) => statement.includes("INSERT INTO account_metrics"))).toBe(true);
    expect(d1.sessionBatches).toBeGreaterThan(0);
    expect(d1.bindingStatements).toEqual([]);
  });

  it("answers 400 naming the header for a malformed bookmark, on reads and writes, before any query", async () => {
    for (const [path, init] of [
      ["/accounts", {}],
      ["/ingest/csv", UPLOAD],
    ] as const) {
      for (const bad of ["garbage", "first-primary", "00000000-0000000b-00000000", `${"0".repeat(8)}-${"z".repeat(8)}-0-0`]) {
        const d1 = recordingD1();
        const headers = { ...(init.headers as Record<string, string> | undefined), "x-d1-bookmark": bad };
        const response = await fetchWith({ DB: d1.DB }, path, { ...init, headers });
        expect(response.status, `${path} ${bad}`).toBe(400);
        expect(response.headers.get("content-type")).toContain("application/problem+json");
        const problem = await response.json<Problem>();
        expect(problem.errors).toEqual([{ field: "x-d1-bookmark", message: expect.stringContaining("earlier answer") }]);
        expect(d1.sessionStatements).toEqual([]);
      }
    }
    const count = await env.DB.prepare("SELECT count(*) AS n FROM accounts").first<{ n: number }>();
    expect(count?.n).toBe(0);
  });

  it("sends a request's own bookmark back when it ran no query, and exposes the header to CORS clients", async () => {
    const bookmark = (await SELF.fetch("http://example.com/ingest/csv", UPLOAD)).headers.get("x-d1-bookmark")!;
    const root = await SELF.fetch("http://example.com/", { headers: { "x-d1-bookmark": bookmark } });
    expect(root.headers.get("x-d1-bookmark")).toBe(bookmark);

    const cors = await fetchWith({ CORS_ORIGINS: "https://app.example.com" }, "/accounts", {
      headers: { Origin: "https://app.example.com" },
    });
    const exposed = (cors.headers.get("access-control-expose-headers") ?? "").toLowerCase().split(/\s*,\s*/);
    expect(exposed).toEqual(expect.arrayContaining(["x-d1-bookmark", "etag"]));
  });
});
