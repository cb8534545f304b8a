import { createExecutionContext, createScheduledController, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getRevenueRowsFromScratch } from "../../src/db/queries/revenue";
import { REVENUE_WINDOWS } from "../../src/domain/revenue";
import worker from "../../src/index";
import { ConfigError, parseConfig, type RetentionConfig } from "../../src/lib/config";
import { pruneExpired } from "../../src/services/retention";
import { resetDatabase, testDb } from "../helpers/db";
import { addDays } from "../helpers/factories";

const NOW = new Date("2026-11-30T12:00:00.000Z");
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();
const KEEP_ALL_METRICS: RetentionConfig = { eventsDays: 180, deliveriesDays: 30, ingestRunsDays: 90, metricsDays: null };
const SMALL_BATCHES = { batchSize: 3, maxBatches: 100 };

async function ids(table: string, order = "id"): Promise<number[]> {
  const { results } = await env.DB.prepare(`SELECT id FROM ${table} ORDER BY ${order}`).all<{ id: number }>();
  return results.map((row) => row.id);
}

/** Events written `ages` days ago, oldest first as the feed writes them; answers their ids. */
async function insertEvents(ages: readonly number[]): Promise<number[]> {
  const statement = env.DB.prepare(
    `INSERT INTO health_events (type, account_id, occurred_at, as_of, data)
     VALUES ('webhook.test', NULL, ?, NULL, '{"webhook_id":1,"message":"A test event"}') RETURNING id`,
  );
  const results = await env.DB.batch<{ id: number }>(ages.map((age) => statement.bind(daysAgo(age))));
  return results.map((result) => result.results[0]!.id);
}

async function insertDeliveries(ages: readonly number[]): Promise<number[]> {
  const webhook = await env.DB.prepare(
    "INSERT INTO webhooks (url, secret) VALUES ('https://receiver.example/hook', 'whsec_dGVzdA==') RETURNING id",
  ).first<{ id: number }>();
  const statement = env.DB.prepare(
    `INSERT INTO webhook_deliveries (webhook_id, event_id, message_id, status, created_at, updated_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?5) RETURNING id`,
  );
  const results = await env.DB.batch<{ id: number }>(
    ages.map((age, index) => statement.bind(webhook!.id, index + 1, `msg_${index}`, index % 2 ? "failed" : "delivered", daysAgo(age))),
  );
  return results.map((result) => result.results[0]!.id);
}

async function insertRuns(runs: readonly { age: number; status: string }[]): Promise<number[]> {
  const statement = env.DB.prepare("INSERT INTO ingest_runs (status, started_at) VALUES (?, ?) RETURNING id");
  const results = await env.DB.batch<{ id: number }>(runs.map((run) => statement.bind(run.status, daysAgo(run.age))));
  return results.map((result) => result.results[0]!.id);
}

describe("retention: the cron prunes only what is old, in bounded batches", () => {
  beforeEach(resetDatabase);

  it("deletes events, deliveries and finished runs past their retention, and keeps the rest", async () => {
    const events = await insertEvents([400, 300, 200, 181, 179, 10, 0]);
    const deliveries = await insertDeliveries([90, 45, 31, 29, 1]);
    const runs = await insertRuns([
      { age: 200, status: "completed" },
      { age: 150, status: "running" },
      { age: 120, status: "failed" },
      { age: 95, status: "rejected" },
      { age: 91, status: "dry_run" },
      { age: 80, status: "completed" },
      { age: 0, status: "running" },
    ]);

    const pruned = await pruneExpired(testDb(), KEEP_ALL_METRICS, NOW, SMALL_BATCHES);

    expect(pruned).toEqual({ events: 4, deliveries: 3, ingestRuns: 4, metrics: null, complete: true });
    expect(await ids("health_events")).toEqual(events.slice(4));
    expect(await ids("webhook_deliveries")).toEqual(deliveries.slice(3));
    expect(await ids("ingest_runs")).toEqual([runs[1], runs[5], runs[6]]);
  });

  it("stops after its batch limit and goes on where it stopped on the next run", async () => {
    const events = await insertEvents([...Array.from({ length: 10 }, () => 365), 1]);
    const limits = { batchSize: 3, maxBatches: 2 };

    const first = await pruneExpired(testDb(), KEEP_ALL_METRICS, NOW, limits);
    expect(first).toMatchObject({ events: 6, complete: false });
    expect(await ids("health_events")).toEqual(events.slice(6));

    const second = await pruneExpired(testDb(), KEEP_ALL_METRICS, NOW, limits);
    expect(second).toMatchObject({ events: 4, complete: true });
    expect(await ids("health_events")).toEqual([events[10]]);
  });

  it("changes the ETags of the reads when it deleted something, and nothing when there was nothing to delete", async () => {
    await insertEvents([365, 1]);
    const etag = async () => (await SELF.fetch("http://example.com/events")).headers.get("etag");
    const before = await etag();
    await pruneExpired(testDb(), KEEP_ALL_METRICS, NOW, SMALL_BATCHES);
    const after = await etag();
    expect(after).not.toBe(before);
    await pruneExpired(testDb(), KEEP_ALL_METRICS, NOW, SMALL_BATCHES);
    expect(await etag()).toBe(after);
  });
});

describe("retention of metric rows (METRICS_RETENTION_DAYS)", () => {
  beforeEach(resetDatabase);

  const LATEST = "2026-10-31";
  const HEADER =
    "account_name,segment,region,arr,date,daily_active_users,feature_adoption_rate,support_tickets_open,nps_score,login_frequency";

  /** Daily rows for Daily Co over 500 days, a row every 45 days for Monthly Co, and Churned Co's last row 450 days back. */
  function book(): string {
    const lines = [HEADER];
    for (let day = 499; day >= 0; day--) {
      lines.push(`Daily Co,Enterprise,EU,${100_000 + day * 10},${addDays(LATEST, -day)},${50 + (day % 40)},0.6,${day % 5},${day % 30 === 0 ? 40 : ""},0.7`);
    }
    for (let day = 495; day >= 0; day -= 45) {
      lines.push(`Monthly Co,SMB,US,${20_000 + day * 3},${addDays(LATEST, -day)},${10 + (day % 7)},0.4,1,${day % 90 === 0 ? -10 : ""},0.5`);
    }
    for (let day = 470; day >= 450; day--) {
      lines.push(`Churned Co,Mid-Market,EU,30000,${addDays(LATEST, -day)},20,0.5,2,,0.6`);
    }
    return lines.join("\n");
  }

  async function metricDates(): Promise<Record<string, string[]>> {
    const { results } = await env.DB.prepare(
      "SELECT a.account_name AS name, m.date FROM account_metrics m JOIN accounts a ON a.id = m.account_id ORDER BY name, m.date",
    ).all<{ name: string; date: string }>();
    const dates: Record<string, string[]> = {};
    for (const row of results) (dates[row.name] ??= []).push(row.date);
    return dates;
  }

  async function readable() {
    const db = testDb();
    const revenue = await Promise.all(REVENUE_WINDOWS.map((days) => getRevenueRowsFromScratch(db, days)));
    const summary = await (await SELF.fetch("http://example.com/portfolio/summary")).json();
    const scores = await env.DB.prepare("SELECT * FROM health_scores ORDER BY account_id, date").all();
    const accounts = await (await SELF.fetch("http://example.com/accounts?limit=100")).json();
    return { revenue, summary, scores: scores.results, accounts };
  }

  it("deletes the rows older than the retention except each account's latest before it, and every figure stays", async () => {
    const response = await SELF.fetch("http://example.com/ingest/csv", {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: book(),
    });
    expect(response.status).toBe(200);
    const before = await metricDates();
    const figures = await readable();

    const pruned = await pruneExpired(testDb(), { ...KEEP_ALL_METRICS, metricsDays: 366 }, NOW, SMALL_BATCHES);

    const cutoff = addDays(LATEST, -366);
    const kept = (dates: string[]) => {
      const old = dates.filter((date) => date < cutoff);
      return [...old.slice(-1), ...dates.filter((date) => date >= cutoff)];
    };
    const after = await metricDates();
    expect(after).toEqual(Object.fromEntries(Object.entries(before).map(([name, dates]) => [name, kept(dates)])));
    expect(after["Churned Co"]).toEqual([addDays(LATEST, -450)]);
    const removed = Object.values(before).flat().length - Object.values(after).flat().length;
    expect(pruned).toMatchObject({ metrics: removed, complete: true });
    expect(removed).toBeGreaterThan(SMALL_BATCHES.batchSize * 10);
    expect(await readable()).toEqual(figures);
  });

  it("keeps every metric row when METRICS_RETENTION_DAYS is unset or empty", () => {
    expect(parseConfig({}).retention.metricsDays).toBeNull();
    expect(parseConfig({ METRICS_RETENTION_DAYS: "" }).retention.metricsDays).toBeNull();
    expect(parseConfig({ METRICS_RETENTION_DAYS: "400" }).retention.metricsDays).toBe(400);
  });

  it("refuses a metric retention shorter than the scores and the revenue statement read, naming the variable", () => {
    const refused = () => parseConfig({ METRICS_RETENTION_DAYS: "200" });
    expect(refused).toThrow(ConfigError);
    expect(refused).toThrow(/METRICS_RETENTION_DAYS must be empty or at least 366 days/);
    expect(() => parseConfig({ EVENTS_RETENTION_DAYS: "0" })).toThrow(/EVENTS_RETENTION_DAYS must be a whole number of days/);
  });
});

describe("the cron's retention", () => {
  afterEach(() => vi.restoreAllMocks());

  it("prunes on schedule and logs what it pruned", async () => {
    await resetDatabase();
    await insertEvents([365, 200, 1]);
    const info = vi.spyOn(console, "log");
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "0 2 * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const lines = info.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({ message: "scheduled retention: old rows pruned", events: 2, metric_rows: null, complete: true }),
    );
    expect((await ids("health_events")).length).toBe(1);
  });
});
