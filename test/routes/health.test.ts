import {
  createExecutionContext,
  createScheduledController,
  env,
  SELF,
  waitOnExecutionContext,
} from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { scoreHistory } from "../../src/domain/reference/health-score";
import type { DailyMetrics, Segment } from "../../src/domain/types";
import worker from "../../src/index";
import type { RecomputeResultBody } from "../../src/contract/health";
import { DEFAULT_HEALTH_CONFIG } from "../../src/domain/health";
import { resetDatabase } from "../helpers/db";
import { insertAccountWithHistory } from "../helpers/history";


interface StoredHealth {
  account_name: string;
  health_score: number | null;
  health_bucket: string | null;
  trend_30d: string | null;
}

function metricsOver(start: string, days: number, dailyActiveUsers: (day: number) => number): DailyMetrics[] {
  return Array.from({ length: days }, (_, day) => {
    const date = new Date(Date.parse(`${start}T00:00:00Z`) + day * 86_400_000).toISOString().slice(0, 10);
    return {
      date,
      daily_active_users: dailyActiveUsers(day),
      feature_adoption_rate: 0.62,
      support_tickets_open: day % 4,
      nps_score: day % 10 === 0 ? 35 : null,
      login_frequency: 0.71,
      arr: 120_000 + day * 100,
    };
  });
}

const ACCOUNTS: { name: string; segment: Segment; metrics: DailyMetrics[] }[] = [
  { name: "Acme Corp", segment: "Enterprise", metrics: metricsOver("2024-08-01", 45, (day) => 80 + day * 3) },
  { name: "Beta LLC", segment: "SMB", metrics: metricsOver("2024-09-01", 20, (day) => 30 - day) },
  { name: "Gamma GmbH", segment: "Mid-Market", metrics: metricsOver("2024-09-10", 5, () => 40) },
];

async function insertAll(): Promise<void> {
  for (const account of ACCOUNTS) {
    await insertAccountWithHistory({ name: account.name, segment: account.segment, region: "NA", metrics: account.metrics });
  }
}

async function storedHealth(): Promise<StoredHealth[]> {
  const { results } = await env.DB.prepare(
    "SELECT account_name, health_score, health_bucket, trend_30d FROM accounts ORDER BY account_name",
  ).all<StoredHealth>();
  return results;
}

/** The current score of each seeded account according to the pure formula. */
function expectedHealth(): { account_name: string; health_score: number; health_bucket: string }[] {
  return ACCOUNTS.map((account) => {
    const latest = scoreHistory(account.metrics, account.segment, DEFAULT_HEALTH_CONFIG).at(-1);
    return { account_name: account.name, health_score: latest?.score ?? Number.NaN, health_bucket: latest?.bucket ?? "" };
  }).sort((a, b) => a.account_name.localeCompare(b.account_name));
}

/** The structured log lines written through a console method (other output is skipped). */
function jsonLines(calls: unknown[][]): Record<string, unknown>[] {
  return calls.flatMap(([line]) => {
    try {
      return [JSON.parse(String(line)) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

async function postRecompute(): Promise<Response> {
  return SELF.fetch("http://example.com/health/recompute", { method: "POST" });
}

beforeEach(resetDatabase);
afterEach(() => {
  vi.restoreAllMocks();
});

describe("POST /health/recompute", () => {
  it("rescores every account and answers the original's fields plus ours", async ({ annotate }) => {
    await insertAll();
    const response = await postRecompute();
    expect(response.status).toBe(200);
    const body = await response.json<RecomputeResultBody>();
    const metricRows = ACCOUNTS.reduce((total, account) => total + account.metrics.length, 0);
    expect(body).toMatchObject({ accounts_updated: 3, scores_written: metricRows });
    expect(body.message).toContain("3 accounts");
    expect(body.computation_time_seconds).toBeCloseTo(body.duration_ms / 1000, 3);
    expect(Date.parse(body.finished_at)).toBeGreaterThanOrEqual(Date.parse(body.started_at));
    await annotate(`POST /health/recompute: ${metricRows} scores in ${body.duration_ms} ms`);

    expect(await storedHealth()).toEqual(
      expectedHealth().map((expected) => expect.objectContaining(expected)),
    );
    const { count } = (await env.DB.prepare("SELECT count(*) AS count FROM health_scores").first<{ count: number }>()) ?? {};
    expect(count).toBe(metricRows);
  });

  it("picks up metrics changed since the last run", async () => {
    await insertAll();
    await postRecompute();
    const before = await storedHealth();
    // Acme loses every user and opens many tickets on its latest date: its current score must drop.
    await env.DB.prepare(
      `UPDATE account_metrics SET daily_active_users = 0, support_tickets_open = 30, feature_adoption_rate = 0
       WHERE account_id = (SELECT id FROM accounts WHERE account_name = 'Acme Corp')
         AND date = (SELECT latest_metric_date FROM accounts WHERE account_name = 'Acme Corp')`,
    ).run();
    expect((await postRecompute()).status).toBe(200);
    const after = await storedHealth();
    const acmeBefore = before.find((row) => row.account_name === "Acme Corp");
    const acmeAfter = after.find((row) => row.account_name === "Acme Corp");
    expect(acmeAfter?.health_score).toBeLessThan(acmeBefore?.health_score ?? 0);
    expect(after.filter((row) => row.account_name !== "Acme Corp")).toEqual(
      before.filter((row) => row.account_name !== "Acme Corp"),
    );
  });

  it("answers zero counts on an empty database", async () => {
    const response = await postRecompute();
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ accounts_updated: 0, scores_written: 0 });
  });

  it("is documented in the OpenAPI document under the Health tag, with its error response", async () => {
    const document = await (await SELF.fetch("http://example.com/openapi.json")).json<{
      paths: Record<string, Record<string, { tags: string[]; responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    }>();
    const operation = document.paths["/health/recompute"]?.post;
    expect(operation?.tags).toEqual(["Health"]);
    expect(Object.keys(operation?.responses ?? {})).toEqual(expect.arrayContaining(["200", "500"]));
    expect(Object.keys(document.components.schemas.RecomputeResult?.properties ?? {})).toEqual(
      expect.arrayContaining(["message", "accounts_updated", "computation_time_seconds"]),
    );
  });
});

describe("scheduled (Cron Trigger)", () => {
  it("rescores every account and logs what it did", async () => {
    await insertAll();
    const logged = vi.spyOn(console, "log");
    const controller = createScheduledController({ cron: "0 2 * * *", scheduledTime: Date.parse("2026-11-24T02:00:00Z") });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);

    expect(await storedHealth()).toEqual(
      expectedHealth().map((expected) => expect.objectContaining(expected)),
    );
    const lines = jsonLines(logged.mock.calls);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "info",
        cron: "0 2 * * *",
        scheduled_time: "2026-11-24T02:00:00.000Z",
        accounts_updated: 3,
        scores_written: ACCOUNTS.reduce((total, account) => total + account.metrics.length, 0),
        duration_ms: expect.any(Number),
      }),
    );
  });

  it("logs an error and fails the invocation when the recompute cannot run", async () => {
    const logged = vi.spyOn(console, "error");
    const badEnv = { ...env, HEALTH_WINDOW_DAYS: "seven" } as Env;
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "0 2 * * *" }), badEnv, ctx);
    await expect(waitOnExecutionContext(ctx)).rejects.toThrow(/HEALTH_WINDOW_DAYS/);
    const lines = jsonLines(logged.mock.calls);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: "error", cron: "0 2 * * *", error: expect.stringContaining("HEALTH_WINDOW_DAYS") }),
    );
  });
});
