import { SELF } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { sha256Hex } from "../../src/lib/hash";
import type { Problem } from "../../src/contract/problems";
import type { IngestResult } from "../../src/contract/ingest";
import type { IngestRun } from "../../src/contract/ingest-runs";
import { metricsCsv, SLIPPING } from "../helpers/csv";
import { resetDatabase } from "../helpers/db";
import { fetchWith } from "../helpers/worker";

/*
 * Scoped keys: every route × every scope. A key with the scope (or a broader one) gets the route's normal answer, one
 * without it 403 naming the scope needed; a bare digest keeps full access. Keys are named in logs and on records.
 */

type Scope = "read" | "ingest" | "admin";

const KEYS = {
  read: "ask_scope_read_looker_000000000000",
  ingest: "ask_scope_ingest_etl_0000000000000",
  admin: "ask_scope_admin_ops_00000000000000",
  bare: "ask_scope_bare_digest_000000000000",
} as const;
const NAMES = { read: "looker", ingest: "nightly-etl", admin: "ops" } as const;
const RANK: Record<Scope, number> = { read: 0, ingest: 1, admin: 2 };
const CSV = metricsCsv([{ ...SLIPPING, days: 3 }]);

let vars: Record<string, string>;

interface RouteCase {
  method: string;
  path: string;
  scope: Scope;
  body?: string;
  contentType?: string;
  /** The documented path, when it is not `path` with its id as `{id}`. */
  template?: string;
}

/** Every route that takes a key, with the scope it needs. Reads are protected here (AUTH_READS=true). */
const ROUTES: RouteCase[] = [
  { method: "POST", path: "/ingest/csv", scope: "ingest", body: CSV, contentType: "text/csv" },
  { method: "POST", path: "/health/recompute", scope: "ingest" },
  { method: "POST", path: "/health/recompute?scope=stale", scope: "ingest" },
  { method: "GET", path: "/ingest/runs", scope: "read" },
  { method: "GET", path: "/ingest/runs/1", scope: "read" },
  { method: "GET", path: "/accounts", scope: "read" },
  { method: "GET", path: "/accounts/1", scope: "read" },
  { method: "GET", path: "/portfolio/summary", scope: "read" },
  { method: "GET", path: "/playbooks", scope: "read" },
  { method: "GET", path: "/health/recompute/jobs/1", scope: "read" },
  { method: "POST", path: "/actions/recommend?account_id=1", scope: "read" },
  { method: "POST", path: "/insights/account/1", scope: "read" },
  { method: "POST", path: "/insights/portfolio", scope: "read" },
  { method: "GET", path: "/measures", scope: "read" },
  // No such measure: 404 once the key may delete.
  { method: "DELETE", path: "/measures/not_declared", scope: "admin", template: "/measures/{name}" },
];

function documentedPath(route: RouteCase): string {
  return route.template ?? route.path.split("?")[0]?.replace(/\/1$/, "/{id}") ?? "";
}

function call(route: RouteCase, key: string, extra: Record<string, string> = {}): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (route.contentType) headers["content-type"] = route.contentType;
  return fetchWith({ ...vars, AUTH_READS: "true", ...extra }, route.path, { method: route.method, headers, body: route.body });
}

beforeAll(async () => {
  await resetDatabase();
  vars = {
    API_KEYS: [
      `read:${NAMES.read}:${await sha256Hex(KEYS.read)}`,
      `ingest:${NAMES.ingest}:${await sha256Hex(KEYS.ingest)}`,
      `admin:${NAMES.admin}:${await sha256Hex(KEYS.admin)}`,
      await sha256Hex(KEYS.bare),
    ].join(","),
  };
  // Data, so the id routes answer as they normally do.
  expect((await SELF.fetch("http://example.com/ingest/csv", { method: "POST", headers: { "content-type": "text/csv" }, body: CSV })).status).toBe(200);
});

afterEach(() => vi.restoreAllMocks());

describe("scoped API keys", () => {
  const table = ROUTES.flatMap((route) => (["read", "ingest", "admin"] as const).map((held) => [route, held] as const));

  it.each(table)("%o with a %s key", async (route, held) => {
    const response = await call(route, KEYS[held]);
    if (RANK[held] >= RANK[route.scope]) {
      // The route's own answer: 2xx, or 404 for an id that does not exist (no recompute job here).
      expect([200, 202, 404], await response.clone().text()).toContain(response.status);
    } else {
      expect(response.status).toBe(403);
      const problem = await response.json<Problem>();
      expect(problem.type).toBe("https://ai-success-insights.dev/problems/forbidden");
      expect(problem.detail).toContain(`'${route.scope}' scope`);
      expect(problem.detail).toContain(`'${NAMES[held]}'`);
    }
  });

  it("a bare digest keeps full access, on every route", async () => {
    for (const route of ROUTES) expect([200, 202, 404], `${route.method} ${route.path}`).toContain((await call(route, KEYS.bare)).status);
  });

  it("a missing or unknown key still answers 401, not 403", async () => {
    const [route] = ROUTES;
    if (!route) throw new Error("no route");
    expect((await call(route, "ask_not_a_configured_key_000000000")).status).toBe(401);
    const anonymous = await fetchWith({ ...vars }, "/ingest/csv", { method: "POST", body: CSV, headers: { "content-type": "text/csv" } });
    expect(anonymous.status).toBe(401);
  });

  it("the key's name, never the key or its digest, is on the log lines and on the ingest run", async () => {
    const logged = vi.spyOn(console, "log");
    const upload = await call(ROUTES[0] as RouteCase, KEYS.ingest);
    const { ingest_run_id: runId } = await upload.json<IngestResult>();
    const lines = logged.mock.calls.map(([line]) => String(line));
    const digest = await sha256Hex(KEYS.ingest);
    expect(lines.some((line) => line.includes('"message":"csv ingested"') && line.includes(`"key_name":"${NAMES.ingest}"`))).toBe(true);
    expect(lines.some((line) => line.includes('"message":"request"') && line.includes(`"key_name":"${NAMES.ingest}"`))).toBe(true);
    expect(lines.every((line) => !line.includes(KEYS.ingest) && !line.includes(digest.slice(0, 16)))).toBe(true);
    const run = await (await call({ method: "GET", path: `/ingest/runs/${runId}`, scope: "read" }, KEYS.read)).json<IngestRun>();
    expect(run.created_by).toBe(NAMES.ingest);
  });

  it("the OpenAPI document names each operation's scope, in x-required-scope and in its description", async () => {
    const document = await (await SELF.fetch("http://example.com/openapi.json")).json<{
      paths: Record<string, Record<string, { description?: string; "x-required-scope"?: string }>>;
    }>();
    const scopes = ROUTES.filter((route) => !route.path.includes("scope=")).map((route) => {
      const template = documentedPath(route);
      const operation = document.paths[template]?.[route.method.toLowerCase()];
      expect(operation?.description, template).toContain(`**API key scope:** \`${route.scope}\``);
      return [template, operation?.["x-required-scope"]];
    });
    expect(Object.fromEntries(scopes)).toMatchObject(Object.fromEntries(ROUTES.map((route) => [documentedPath(route), route.scope])));
  });
});
