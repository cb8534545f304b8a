import { createExecutionContext, createScheduledController, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { readDataVersion } from "../../src/db/queries/data-version";
import { insertRecomputeJob } from "../../src/scoring/jobs";
import { recomputeSettings } from "../../src/scoring/settings";
import worker from "../../src/index";
import { getConfig } from "../../src/lib/config";
import { sha256Hex } from "../../src/lib/hash";
import type { AccountList } from "../../src/contract/account-list";
import { processRecomputeMessage } from "../../src/scoring/queue";
import { HEALTHY_GROWING, metricsCsv, SLIPPING, uploadCsv } from "../helpers/csv";
import { resetDatabase, testDb } from "../helpers/db";
import { recordingD1 } from "../helpers/recording-d1";
import { fetchWith } from "../helpers/worker";

const ETAG = /^W\/"[0-9a-f]{32}"$/;
/** The four conditional routes; the account's id is known once it is uploaded. */
let conditionalPaths: string[];
let accountPath: string;

const get = (path: string, headers: Record<string, string> = {}) => SELF.fetch(`http://example.com${path}`, { headers });

async function currentTag(path: string): Promise<string> {
  const response = await get(path);
  expect(response.status, path).toBe(200);
  const tag = response.headers.get("etag");
  expect(tag, path).toMatch(ETAG);
  return tag!;
}

beforeEach(async () => {
  await resetDatabase();
  await uploadCsv(metricsCsv([{ ...SLIPPING, days: 10 }]));
  const { id } = (await env.DB.prepare("SELECT id FROM accounts").first<{ id: number }>())!;
  accountPath = `/accounts/${id}`;
  conditionalPaths = ["/accounts?page_size=10", accountPath, "/portfolio/summary", "/playbooks"];
});

afterEach(() => {
  vi.useRealTimers();
});

describe("conditional reads", () => {
  it("answer 200 with an ETag and Cache-Control, then 304 with no body for the current tag", async () => {
    for (const path of conditionalPaths) {
      const first = await get(path);
      expect(first.status, path).toBe(200);
      expect(first.headers.get("cache-control"), path).toBe("private, no-cache");
      const tag = first.headers.get("etag")!;
      expect(tag, path).toMatch(ETAG);

      const again = await get(path, { "If-None-Match": tag });
      expect(again.status, path).toBe(304);
      expect(await again.text(), path).toBe("");
      expect(again.headers.get("etag"), path).toBe(tag);
      expect(again.headers.get("cache-control"), path).toBe("private, no-cache");
      // A list of tags, and the strong form of the same tag, match too (weak comparison).
      expect((await get(path, { "If-None-Match": `W/"0000", ${tag}` })).status, path).toBe(304);
      expect((await get(path, { "If-None-Match": tag.slice(2) })).status, path).toBe(304);
      expect((await get(path, { "If-None-Match": 'W/"0000"' })).status, path).toBe(200);
    }
  });

  it("GET /events: 304 while nothing was written; 200 after an unchanged re-upload, whose ingest.completed is new", async () => {
    const tag = await currentTag("/events");
    expect((await get("/events", { "If-None-Match": tag })).status).toBe(304);
    await uploadCsv(metricsCsv([{ ...SLIPPING, days: 10 }]));
    const after = await get("/events", { "If-None-Match": tag });
    expect(after.status).toBe(200);
    const { events } = await after.json<{ events: { type: string }[] }>();
    expect(events.filter((event) => event.type === "ingest.completed")).toHaveLength(2);
  });

  it("answer 200 the next day (UTC) to yesterday's tag: the summary counts renewals from today", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-12-02T23:59:00Z"));
    const tag = await currentTag("/portfolio/summary");
    expect((await get("/portfolio/summary", { "If-None-Match": tag })).status).toBe(304);
    vi.setSystemTime(new Date("2026-12-03T00:01:00Z"));
    expect((await get("/portfolio/summary", { "If-None-Match": tag })).status).toBe(200);
  });

  it("answer 304 after the one data-version read, without running the route's queries", async () => {
    const tag = await currentTag(accountPath);
    const d1 = recordingD1();
    const notModified = await fetchWith({ DB: d1.DB }, accountPath, { headers: { "If-None-Match": tag } });
    expect(notModified.status).toBe(304);
    expect(d1.sessionStatements).toEqual(["SELECT version FROM data_version WHERE id = 1"]);

    d1.clear();
    expect((await fetchWith({ DB: d1.DB }, accountPath)).status).toBe(200);
    expect(d1.sessionStatements.length).toBeGreaterThan(1);
  });

  it("GET /playbooks: the library is static, so its tag outlives uploads and its 304 reads nothing from D1", async () => {
    const tag = await currentTag("/playbooks");
    await uploadCsv(metricsCsv([{ ...HEALTHY_GROWING, days: 10 }]));
    const d1 = recordingD1();
    const notModified = await fetchWith({ DB: d1.DB }, "/playbooks", { headers: { "If-None-Match": tag } });
    expect(notModified.status).toBe(304);
    expect(d1.sessionStatements).toEqual([]);
  });

  it("answer 200 with a new tag once an upload changed the data", async () => {
    const dataPaths = conditionalPaths.filter((path) => path !== "/playbooks");
    const before = await Promise.all(dataPaths.map(currentTag));
    await uploadCsv(metricsCsv([{ ...HEALTHY_GROWING, days: 10 }]));
    for (const [index, path] of dataPaths.entries()) {
      const response = await get(path, { "If-None-Match": before[index]! });
      expect(response.status, path).toBe(200);
      expect(response.headers.get("etag"), path).not.toBe(before[index]);
    }
    const list = await (await get("/accounts?page_size=10")).json<AccountList>();
    expect(list.accounts.map((account) => account.account_name).sort()).toEqual([HEALTHY_GROWING.name, SLIPPING.name].sort());
  });

  it("change with a recompute that rewrote scores, not with one that had nothing to do", async () => {
    const tag = await currentTag("/portfolio/summary");
    const stale = await SELF.fetch("http://example.com/health/recompute?scope=stale", { method: "POST" });
    expect(stale.status).toBe(200);
    expect((await get("/portfolio/summary", { "If-None-Match": tag })).status).toBe(304);

    expect((await SELF.fetch("http://example.com/health/recompute", { method: "POST" })).status).toBe(200);
    expect((await get("/portfolio/summary", { "If-None-Match": tag })).status).toBe(200);
  });

  it("change with the cron's rescore of stale accounts and with each queued recompute chunk", async () => {
    const db = testDb();
    await env.DB.prepare("UPDATE accounts SET scores_stale_from = '2026-10-22', scores_stale_to = '2026-10-31'").run();
    const beforeCron = await readDataVersion(db);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "0 2 * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await readDataVersion(db)).toBeGreaterThan(beforeCron);

    const { id } = (await env.DB.prepare("SELECT id FROM accounts").first<{ id: number }>())!;
    const job = await insertRecomputeJob(db, "api", 1, 1);
    const beforeChunk = await readDataVersion(db);
    const config = getConfig(env);
    await processRecomputeMessage(db, recomputeSettings(config, "api"), { job_id: job.id, chunk: 0, first_id: id, last_id: id });
    expect(await readDataVersion(db)).toBeGreaterThan(beforeChunk);
  });

  describe("with API keys on the reads", () => {
    const KEYS = { looker: "ask_etag_looker_0000000000000000", tableau: "ask_etag_tableau_000000000000000" };
    let vars: Record<string, string>;
    beforeAll(async () => {
      vars = {
        AUTH_READS: "true",
        API_KEYS: `read:looker:${await sha256Hex(KEYS.looker)},read:tableau:${await sha256Hex(KEYS.tableau)}`,
      };
    });
    const asKey = (key: string, headers: Record<string, string> = {}) =>
      fetchWith(vars, "/portfolio/summary", { headers: { Authorization: `Bearer ${key}`, ...headers } });

    it("give each key its own tag: one key's tag is no 304 for another", async () => {
      const looker = (await asKey(KEYS.looker)).headers.get("etag")!;
      const tableau = (await asKey(KEYS.tableau)).headers.get("etag")!;
      expect(looker).toMatch(ETAG);
      expect(tableau).toMatch(ETAG);
      expect(looker).not.toBe(tableau);
      expect((await asKey(KEYS.looker)).headers.get("etag")).toBe(looker);
      expect((await asKey(KEYS.looker, { "If-None-Match": looker })).status).toBe(304);
      expect((await asKey(KEYS.tableau, { "If-None-Match": looker })).status).toBe(200);
    });

    it("check the key before the tag: a current tag without a key answers 401", async () => {
      const looker = (await asKey(KEYS.looker)).headers.get("etag")!;
      const anonymous = await fetchWith(vars, "/portfolio/summary", { headers: { "If-None-Match": looker } });
      expect(anonymous.status).toBe(401);
    });
  });
});
