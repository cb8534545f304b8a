import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Webhook as Verifier } from "standardwebhooks";
import type { AccountDetail } from "../../src/contract/accounts";
import type { CreatedWebhook } from "../../src/contract/webhooks";
import { REVENUE_WINDOWS } from "../../src/domain/revenue";
import { sha256Hex } from "../../src/lib/hash";
import { resetDatabase } from "../helpers/db";
import { callWorker, days, eventsCsv, recordingQueue, uploadDays, type Day } from "../helpers/events";
import { consume, fakeReceiver } from "../helpers/receiver";

/**
 * The corrections through the Worker: rename (and an upload under the old name), a new segment, merge, erasure, and
 * the audit log that records them.
 */

const json = (body: unknown, method: string): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

async function upload(rows: readonly Day[]): Promise<void> {
  const response = await uploadDays(rows);
  expect(response.status, await response.clone().text()).toBe(200);
}

async function idOf(name: string): Promise<number> {
  const row = await env.DB.prepare("SELECT id FROM accounts WHERE account_name = ?").bind(name).first<{ id: number }>();
  if (!row) throw new Error(`no account ${name}`);
  return row.id;
}

async function detail(id: number): Promise<AccountDetail> {
  const response = await callWorker(`/accounts/${id}`);
  expect(response.status).toBe(200);
  return response.json<AccountDetail>();
}

/** A value without surrogate ids and timestamps. */
function withoutIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutIds);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !["id", "account_id", "ingest_run_id", "created_at", "updated_at"].includes(key))
        .map(([key, inner]) => [key, withoutIds(inner)]),
    );
  }
  return value;
}

/** What a user reads of the book, ids aside: accounts, scores, summary, revenue, the list's totals. */
async function book() {
  const accounts = await env.DB.prepare(
    `SELECT account_name, segment, region, arr, latest_metric_date, health_score, health_bucket, health_change_30d,
            arr_change_30d, arr_change_90d, engagement_trend_30d, trend_30d, trend_90d, renewal_date, owner
     FROM accounts ORDER BY account_name`,
  ).all();
  const scores = await env.DB.prepare(
    `SELECT a.account_name, s.date, s.score, s.bucket, s.dau_points, s.adoption_points, s.tickets_points, s.nps_points,
            s.login_points, s.nps_source
     FROM health_scores s JOIN accounts a ON a.id = s.account_id ORDER BY a.account_name, s.date`,
  ).all();
  const summary = await (await callWorker("/portfolio/summary")).json();
  const revenue = [];
  for (const days of REVENUE_WINDOWS) revenue.push(await (await callWorker(`/portfolio/revenue?days=${days}`)).json());
  const list = await (await callWorker("/accounts?segment=Mid-Market&page_size=100")).json();
  return withoutIds({ accounts: accounts.results, scores: scores.results, summary, revenue, list });
}

async function auditActions(): Promise<{ action: string; subject_id: number; actor: string | null; detail: unknown }[]> {
  const response = await callWorker("/audit?limit=100");
  expect(response.status).toBe(200);
  return (await response.json<{ records: { action: string; subject_id: number; actor: string | null; detail: unknown }[] }>()).records;
}

let receiver: ReturnType<typeof fakeReceiver> | null = null;
beforeEach(resetDatabase);
afterEach(() => {
  receiver?.restore();
  receiver = null;
});

describe("PATCH /accounts/{id}", () => {
  it("renames, keeps the old name as an alias, and an upload under the old name lands on the same account", async () => {
    await upload(days("Acme Inc", 0, 9, "healthy"));
    const id = await idOf("Acme Inc");
    const etag = async (path: string) => (await callWorker(path)).headers.get("etag");
    const [listTag, detailTag] = [await etag("/accounts"), await etag(`/accounts/${id}`)];
    const response = await callWorker(`/accounts/${id}`, json({ account_name: "  Acme, Inc. " }, "PATCH"));
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await response.json()).toEqual({
      changed: { account_name: { before: "Acme Inc", after: "Acme, Inc." } },
      rescore_job_id: null,
    });
    expect(await detail(id)).toMatchObject({ account_name: "Acme, Inc.", aliases: ["Acme Inc"] });
    expect(await etag("/accounts")).not.toBe(listTag);
    expect(await etag(`/accounts/${id}`)).not.toBe(detailTag);

    await upload(days("Acme Inc", 10, 14, "critical"));
    const { results } = await env.DB.prepare("SELECT id, account_name FROM accounts").all();
    expect(results).toEqual([{ id, account_name: "Acme, Inc." }]);
    expect((await detail(id)).latest_metric_date).toBe("2025-03-15");
    expect(await auditActions()).toEqual([
      expect.objectContaining({ action: "account.updated", subject_id: id, actor: null, detail: { account_name: { before: "Acme Inc", after: "Acme, Inc." } } }),
    ]);

    // Back to the old name: it is no longer an alias of itself.
    await callWorker(`/accounts/${id}`, json({ account_name: "Acme Inc" }, "PATCH"));
    expect((await detail(id)).aliases).toEqual(["Acme, Inc."]);
  });

  it("answers 409 for a name another account holds, as its name or a former name, and 404 for no account", async () => {
    await upload([...days("Acme", 0, 2, "healthy"), ...days("Globex", 0, 2, "healthy")]);
    const [acme, globex] = [await idOf("Acme"), await idOf("Globex")];
    await callWorker(`/accounts/${acme}`, json({ account_name: "Acme Corp" }, "PATCH"));
    for (const name of ["Acme Corp", "Acme"]) {
      const response = await callWorker(`/accounts/${globex}`, json({ account_name: name }, "PATCH"));
      expect(response.status, name).toBe(409);
      expect(await response.json()).toMatchObject({ title: "Conflict", detail: expect.stringContaining(`POST /accounts/${acme}/merge`) });
    }
    expect((await callWorker("/accounts/999999", json({ region: "APAC" }, "PATCH"))).status).toBe(404);
    expect((await callWorker(`/accounts/${acme}`, json({}, "PATCH"))).status).toBe(400);
    expect((await callWorker(`/accounts/${acme}`, json({ account_name: "Tab\there" }, "PATCH"))).status).toBe(400);
    expect((await callWorker(`/accounts/${acme}`, json({ segment: "Startup" }, "PATCH"))).status).toBe(400);
  });

  it("a new segment moves the figures and rescores the account, as if it had been uploaded in that segment", async () => {
    await upload([...days("Acme", 0, 39, "healthy"), ...days("Globex", 0, 39, "dipped")]);
    const id = await idOf("Acme");
    expect((await callWorker(`/accounts/${id}`, json({ segment: "Enterprise", region: "APAC" }, "PATCH"))).status).toBe(200);
    const corrected = await book();

    await resetDatabase();
    const csv = eventsCsv([...days("Acme", 0, 39, "healthy"), ...days("Globex", 0, 39, "dipped")]).replaceAll(
      /^Acme,Mid-Market,EMEA,/gm,
      "Acme,Enterprise,APAC,",
    );
    expect((await callWorker("/ingest/csv", { method: "POST", headers: { "content-type": "text/csv" }, body: csv })).status).toBe(200);
    expect(corrected).toEqual(await book());
  });
});

describe("POST /accounts/{id}/merge", () => {
  it("moves the rows (this account's win on shared dates), counts the conflicts, and equals a book loaded merged", async () => {
    await upload([...days("Acme Inc", 0, 39, "critical"), ...days("Acme Incorporated", 30, 59, "healthy"), ...days("Globex", 0, 59, "dipped")]);
    const [into, from] = [await idOf("Acme Incorporated"), await idOf("Acme Inc")];
    const response = await callWorker(`/accounts/${into}/merge`, json({ from_account_id: from }, "POST"));
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await response.json()).toEqual({ account_id: into, from_account_id: from, metrics_moved: 30, conflicts: 10, rescore_job_id: null });
    expect(await detail(into)).toMatchObject({ aliases: ["Acme Inc"] });
    expect((await callWorker(`/accounts/${from}`)).status).toBe(404);
    const merged = await book();

    await resetDatabase();
    await upload([...days("Acme Incorporated", 0, 29, "critical"), ...days("Acme Incorporated", 30, 59, "healthy"), ...days("Globex", 0, 59, "dipped")]);
    expect(merged).toEqual(await book());
  });

  it("refuses a merge into itself (409) and a missing account (404), changing nothing", async () => {
    await upload(days("Acme", 0, 2, "healthy"));
    const id = await idOf("Acme");
    const before = await book();
    const itself = await callWorker(`/accounts/${id}/merge`, json({ from_account_id: id }, "POST"));
    expect(itself.status).toBe(409);
    expect(await itself.json()).toMatchObject({ detail: expect.stringContaining("into itself") });
    expect((await callWorker(`/accounts/${id}/merge`, json({ from_account_id: 999999 }, "POST"))).status).toBe(404);
    expect((await callWorker(`/accounts/999999/merge`, json({ from_account_id: id }, "POST"))).status).toBe(404);
    expect((await callWorker(`/accounts/${id}/merge`, json({}, "POST"))).status).toBe(400);
    expect(await book()).toEqual(before);
  });
});

describe("DELETE /accounts/{id}", () => {
  it("erases every row of the account, leaves exactly one account.deleted event, and the book equals one that never had it", async () => {
    const { queue, sent } = recordingQueue();
    receiver = fakeReceiver();
    const hook = await (await callWorker("/webhooks", json({ url: "http://127.0.0.1:9999/hooks" }, "POST"))).json<CreatedWebhook>();
    await upload([...days("Acme", 0, 39, "healthy"), ...days("Globex", 0, 49, "dipped")]);
    await upload(days("Acme", 40, 49, "critical"));
    const id = await idOf("Acme");
    await callWorker(`/accounts/${id}`, json({ account_name: "Acme Corp" }, "PATCH"));
    await callWorker(`/insights/account/${id}`, { method: "POST" });
    await consume([{ kind: "fan_out" }], queue);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM health_events WHERE account_id = ?").bind(id).first("n")).toBeGreaterThan(0);

    const response = await callWorker(`/accounts/${id}`, { method: "DELETE" }, { WEBHOOK_QUEUE: queue });
    expect(response.status).toBe(204);
    for (const table of ["account_metrics", "health_scores", "insight_cache", "account_aliases"]) {
      expect(await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE account_id = ?`).bind(id).first("n"), table).toBe(0);
    }
    expect(await env.DB.prepare("SELECT count(*) AS n FROM accounts WHERE id = ?").bind(id).first("n")).toBe(0);
    const events = await env.DB.prepare("SELECT type, data FROM health_events WHERE account_id = ?").bind(id).all();
    expect(events.results).toEqual([{ type: "account.deleted", data: JSON.stringify({ account_id: id }) }]);
    const everything = JSON.stringify(
      await Promise.all(
        ["health_events", "webhook_deliveries", "audit_records", "insight_cache", "ingest_runs"].map(
          async (table) => (await env.DB.prepare(`SELECT * FROM ${table}`).all()).results,
        ),
      ),
    );
    expect(everything.match(/.{120}Acme.{120}/g) ?? []).toEqual([]);
    expect((await callWorker(`/accounts/${id}`)).status).toBe(404);
    expect((await callWorker(`/accounts/${id}`, { method: "DELETE" })).status).toBe(404);

    // The deletion reaches the webhook as that one event, signed.
    expect(sent.map((message) => message.body)).toContainEqual({ kind: "fan_out" });
    receiver.received.length = 0;
    const deliveries = sent.splice(0).map((message) => message.body);
    await consume(deliveries, queue);
    const next = sent.splice(0).map((message) => message.body);
    await consume(next, queue);
    const deleted = receiver.received.map((request) => new Verifier(hook.secret).verify(request.body, request.headers));
    expect(deleted).toContainEqual(expect.objectContaining({ type: "account.deleted", data: { account_id: id } }));

    const erased = await book();
    await resetDatabase();
    await upload(days("Globex", 0, 49, "dipped"));
    expect(erased).toEqual(await book());
  });
});

describe("the cost of an erasure", () => {
  /** The D1 rows read by erasing one account of a book of 60 accounts × `length` days (D1_USAGE_HEADERS). */
  async function rowsReadErasing(length: number): Promise<number> {
    await resetDatabase();
    const rows = [];
    for (let account = 0; account < 60; account++) rows.push(...days(`Co ${account}`, 0, length - 1, "healthy"));
    await upload(rows);
    const response = await callWorker(`/accounts/${await idOf("Co 7")}`, { method: "DELETE" }, { D1_USAGE_HEADERS: "true" });
    expect(response.status).toBe(204);
    return Number(response.headers.get("x-d1-rows-read"));
  }

  it("grows with the erased account's days, not with every score of the book", async () => {
    const short = await rowsReadErasing(40);
    const long = await rowsReadErasing(120);
    // 80 more days: the book holds 60 × 80 = 4,800 more scores, the erased account 80 more metric rows and scores and
    // the book 80 more dates to probe. A foreign key from the scores to the account would read each score twice.
    expect(long - short).toBeLessThan(1_000);
  });
});

describe("GET /audit", () => {
  it("records webhook and model changes with the key's name, and pages with after", async () => {
    const key = "ask_admin_key_for_audit_0123456789";
    const vars = { API_KEYS: `admin:ops:${await sha256Hex(key)}` };
    const headers = { "content-type": "application/json", authorization: `Bearer ${key}` };
    const created = await (await callWorker("/webhooks", { method: "POST", headers, body: JSON.stringify({ url: "http://127.0.0.1:9999/h" }) }, vars)).json<CreatedWebhook>();
    await callWorker(`/webhooks/${created.id}/rotate-secret`, { method: "POST", headers }, vars);
    await callWorker(`/webhooks/${created.id}`, { method: "DELETE", headers }, vars);
    const model = await callWorker(
      "/health/models",
      {
        method: "POST",
        headers,
        body: JSON.stringify({
          name: "Usage only",
          window_days: 30,
          buckets: { healthy_min: 70, at_risk_min: 40 },
          components: [{ key: "dau", measure: "daily_active_users", weight: 100, aggregation: { type: "mean" }, scale: { zero_at: 0, full_at: 100 } }],
        }),
      },
      vars,
    );
    expect(model.status, await model.clone().text()).toBe(201);
    const modelId = (await model.json<{ id: number }>()).id;
    expect((await callWorker(`/health/models/${modelId}/activate`, { method: "POST", headers }, vars)).status).toBeLessThan(300);

    const page = async (query: string) =>
      (await callWorker(`/audit?${query}`, { headers }, vars)).json<{ records: { id: number; action: string; actor: string; subject_id: number }[]; next_after: number }>();
    const all = await page("limit=100");
    expect(all.records.map((record) => [record.action, record.subject_id, record.actor])).toEqual([
      ["webhook.created", created.id, "ops"],
      ["webhook.secret_rotated", created.id, "ops"],
      ["webhook.deleted", created.id, "ops"],
      ["health_model.activated", modelId, "ops"],
    ]);
    const first = await page("limit=2");
    const second = await page(`limit=2&after=${first.next_after}`);
    expect([...first.records, ...second.records]).toEqual(all.records);
    expect(JSON.stringify(all)).not.toContain("whsec_");
    expect((await callWorker("/audit", {}, vars)).status).toBe(401);
  });
});
