import { env, SELF } from "cloudflare:test";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../helpers/db";
import { metricsCsv, SLIPPING } from "../helpers/csv";
import { sha256Hex } from "../../src/lib/hash";
import { fetchWith } from "../helpers/worker";

const KEY_OLD = "ask_live_7hQm2vXr9LpT4sNc8dWb1yZk";
const KEY_NEW = "ask_live_Qa3Fz0Vn6JtR5uYe2HgM9pLc";
let authEnv: Record<string, string>;

const CSV = metricsCsv([{ ...SLIPPING, days: 3 }]);

function upload(extraEnv: Record<string, unknown>, headers: Record<string, string> = {}) {
  return fetchWith(extraEnv, "/ingest/csv", {
    method: "POST",
    headers: { "content-type": "text/csv", ...headers },
    body: CSV,
  });
}

async function expectProblem(response: Response, status: number): Promise<{ detail: string; request_id: string }> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  return response.json();
}

async function storedMetrics(): Promise<number> {
  return (await env.DB.prepare("SELECT count(*) AS n FROM account_metrics").first<number>("n")) ?? 0;
}

beforeAll(async () => {
  // Two keys at once: the old one still works while clients move to the new one (rotation).
  authEnv = { API_KEYS: `${await sha256Hex(KEY_OLD)}, ${await sha256Hex(KEY_NEW)}` };
});

beforeEach(resetDatabase);

describe("API keys", () => {
  it("locally, without API_KEYS, every route works without a key", async () => {
    expect((await upload({})).status).toBe(200);
    expect((await SELF.fetch("http://example.com/health/recompute", { method: "POST" })).status).toBe(200);
  });

  it("refuses a protected route without a key, or with a wrong one, with 401 and WWW-Authenticate, storing nothing", async () => {
    const missing = await upload(authEnv);
    const body = await expectProblem(missing, 401);
    expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="ai-success-insights"');
    expect(body.detail).toContain("Authorization: Bearer");

    for (const header of [`Bearer ${KEY_OLD}x`, `Bearer ${KEY_OLD.slice(0, -1)}`, `Basic ${btoa(`user:${KEY_OLD}`)}`, "Bearer"]) {
      const wrong = await upload(authEnv, { authorization: header });
      await expectProblem(wrong, 401);
      expect(wrong.headers.get("www-authenticate")).toContain("Bearer");
    }
    expect(await storedMetrics()).toBe(0);
  });

  it("accepts either of the configured keys (rotation), whatever the case of the scheme", async () => {
    expect((await upload(authEnv, { authorization: `Bearer ${KEY_OLD}` })).status).toBe(200);
    expect((await upload(authEnv, { authorization: `bearer ${KEY_NEW}` })).status).toBe(200);
    expect(await storedMetrics()).toBe(3);
  });

  it("protects every mutating or costly route, and leaves reads, docs and liveness open unless AUTH_READS=true", async () => {
    await upload({});
    const protectedRoutes: [string, string][] = [
      ["POST", "/ingest/csv"],
      ["POST", "/health/recompute"],
      ["POST", "/actions/recommend?account_id=1"],
      ["POST", "/insights/account/1"],
      ["POST", "/insights/portfolio"],
    ];
    for (const [method, path] of protectedRoutes) {
      expect((await fetchWith(authEnv, path, { method })).status, `${method} ${path}`).toBe(401);
    }
    const { accounts } = await (await SELF.fetch("http://example.com/accounts")).json<{ accounts: { id: number }[] }>();
    const reads = ["/accounts", `/accounts/${accounts[0]?.id}`, "/portfolio/summary", "/playbooks", "/ingest/runs"];
    for (const path of reads) expect((await fetchWith(authEnv, path)).status, path).toBe(200);
    for (const path of ["/", "/healthz", "/openapi.json", "/docs", "/redoc"]) {
      expect((await fetchWith({ ...authEnv, AUTH_READS: "true" }, path)).status, path).toBe(200);
    }
    for (const path of reads) {
      expect((await fetchWith({ ...authEnv, AUTH_READS: "true" }, path)).status, path).toBe(401);
      const withKey = await fetchWith({ ...authEnv, AUTH_READS: "true" }, path, { headers: { authorization: `Bearer ${KEY_NEW}` } });
      expect(withKey.status, path).toBe(200);
    }
  });

  it("checks a key presented on an open read: a wrong one answers 401 even with AUTH_READS off, a right one is served", async () => {
    await upload({});
    for (const path of ["/accounts", "/portfolio/summary", "/playbooks"]) {
      expect((await fetchWith(authEnv, path)).status, path).toBe(200);
      const typo = await fetchWith(authEnv, path, { headers: { authorization: "Bearer ask_nope" } });
      const body = await expectProblem(typo, 401);
      expect(body.detail, path).toBe("The API key is not valid.");
      expect((await fetchWith(authEnv, path, { headers: { authorization: `Bearer ${KEY_OLD}` } })).status, path).toBe(200);
    }
  });

  it("fails closed in production: without any key configured, protected routes answer 503, never run open", async () => {
    const production = { ENVIRONMENT: "production" };
    const response = await upload(production, { authorization: `Bearer ${KEY_OLD}` });
    const body = await expectProblem(response, 503);
    expect(body.detail).toContain("API_KEYS");
    expect(await storedMetrics()).toBe(0);
    expect((await upload({ ...production, ...authEnv }, { authorization: `Bearer ${KEY_OLD}` })).status).toBe(200);
  });

  it("refuses a malformed API_KEYS instead of running with it", async () => {
    const response = await upload({ API_KEYS: KEY_OLD }, { authorization: `Bearer ${KEY_OLD}` });
    const body = await expectProblem(response, 503);
    expect(body.detail).toContain("API_KEYS must be");
    expect(body.detail).not.toContain(KEY_OLD);
    expect(await storedMetrics()).toBe(0);
  });

  it("declares the bearer scheme: required on writes, optional on reads, none on liveness", async () => {
    const document = await (await SELF.fetch("http://example.com/openapi.json")).json<{
      components: { securitySchemes: Record<string, unknown> };
      paths: Record<string, Record<string, { security?: unknown }>>;
    }>();
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(document.paths["/ingest/csv"]?.post?.security).toEqual([{ bearerAuth: [] }]);
    expect(document.paths["/insights/account/{id}"]?.post?.security).toEqual([{ bearerAuth: [] }]);
    expect(document.paths["/accounts"]?.get?.security).toEqual([{ bearerAuth: [] }, {}]);
    expect(document.paths["/healthz"]?.get?.security).toEqual([]);
  });
});

describe("rate limit of the insight routes", () => {
  it("answers 429 with Retry-After once a key passes the limit, counting each key on its own", async () => {
    await upload({});
    const limited = { ...authEnv, INSIGHTS_RATE_LIMITER: env.TEST_TIGHT_RATE_LIMITER };
    const ask = (key: string) =>
      fetchWith(limited, "/insights/portfolio", { method: "POST", headers: { authorization: `Bearer ${key}` } });
    expect((await ask(KEY_OLD)).status).toBe(200);
    expect((await ask(KEY_OLD)).status).toBe(200);
    const refused = await ask(KEY_OLD);
    await expectProblem(refused, 429);
    expect(refused.headers.get("retry-after")).toBe("60");
    expect((await ask(KEY_NEW)).status).toBe(200);
  });

  it("does not limit when the binding is absent", async () => {
    await upload({});
    for (let call = 0; call < 5; call++) {
      const response = await fetchWith({ INSIGHTS_RATE_LIMITER: undefined }, "/insights/portfolio", { method: "POST" });
      expect(response.status).toBe(200);
    }
  });
});
