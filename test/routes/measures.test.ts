import { env, SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import type { HealthModel, HealthModelDocument } from "../../src/contract/health-models";
import type { Measure } from "../../src/contract/measures";
import type { Problem } from "../../src/contract/problems";
import { CSV_HEADER_ORDER } from "../../src/ingest/csv-header";
import { sha256Hex } from "../../src/lib/hash";
import { resetDatabase } from "../helpers/db";
import { fetchWith } from "../helpers/worker";

/**
 * POST, GET and DELETE /measures: declaring a custom measure (refused when an upload would read its name as another
 * column), listing them with the metric rows that carry each, and deleting one no draft nor the active model uses,
 * its stored values with it.
 */

const SEATS = { name: "seats_ratio", description: "Seats used ÷ seats bought", min: 0, max: 1.5 };
const QBR = { name: "days_since_qbr", description: "Days since the last QBR", min: 0, max: 365 };

function declare(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch("http://example.com/measures", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

function remove(name: string): Promise<Response> {
  return SELF.fetch(`http://example.com/measures/${name}`, { method: "DELETE" });
}

async function list(): Promise<Measure[]> {
  const response = await SELF.fetch("http://example.com/measures");
  expect(response.status).toBe(200);
  return (await response.json<{ measures: Measure[] }>()).measures;
}

async function problem(response: Response, status: number): Promise<Problem> {
  expect(response.status, await response.clone().text()).toBe(status);
  expect(response.headers.get("content-type")).toContain("application/problem+json");
  return response.json<Problem>();
}

/** Uploads one row per date for Acme, with the measure columns given (an empty string: no value). */
async function uploadRows(headers: string[], rows: { date: string; cells: string[] }[]): Promise<void> {
  const lines = rows.map(({ date, cells }) => ["Acme", "SMB", "EU", 10_000, date, 10, 0.5, 1, 20, 0.5, ...cells].join(","));
  const response = await SELF.fetch("http://example.com/ingest/csv", {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body: `${[[...CSV_HEADER_ORDER, ...headers].join(","), ...lines].join("\n")}\n`,
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

/** Both measures declared; three days of Acme: both values, seats_ratio only, neither. */
async function loadTwoMeasures(): Promise<void> {
  await declare(SEATS);
  await declare(QBR);
  await uploadRows(["seats_ratio", "days_since_qbr"], [
    { date: "2024-10-01", cells: ["0.5", "30"] },
    { date: "2024-10-02", cells: ["0.6", ""] },
    { date: "2024-10-03", cells: ["", ""] },
  ]);
}

async function storedMeasures(): Promise<(string | null)[]> {
  const { results } = await env.DB.prepare("SELECT measures FROM account_metrics ORDER BY date").all<{ measures: string | null }>();
  return results.map((row) => row.measures);
}

/** A draft model whose one extra component scores `measure`. */
function modelScoring(measure: string, name = "Seats first"): HealthModelDocument {
  return {
    name,
    window_days: 7,
    buckets: { healthy_min: 70, at_risk_min: 40 },
    components: [
      { key: "dau", measure: "daily_active_users", weight: 60, aggregation: { type: "mean" }, scale: { zero_at: 0, full_at: 100 } },
      { key: "seats", measure, weight: 40, aggregation: { type: "latest" }, scale: { zero_at: 0, full_at: 1 } },
    ],
  };
}

async function createModel(document: HealthModelDocument): Promise<HealthModel> {
  const response = await SELF.fetch("http://example.com/health/models", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(document),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return response.json<HealthModel>();
}

beforeEach(resetDatabase);

describe("POST /measures", () => {
  it("declares a measure and answers it, carried by no row yet", async () => {
    const response = await declare(SEATS);
    expect(response.status).toBe(201);
    const measure = await response.json<Measure>();
    expect(measure).toMatchObject({ ...SEATS, rows: 0, created_by: null });
    expect(measure.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(await list()).toEqual([measure]);
  });

  it.each([
    ["arr", "the built-in column arr"],
    ["nps_score", "the built-in column nps_score"],
    ["dailyactiveusers", "the built-in column daily_active_users"],
    ["dau", "an alias of the built-in column daily_active_users"],
    ["open_tickets", "an alias of the built-in column support_tickets_open"],
    ["companyname", "an alias of the built-in column account_name"],
  ])("refuses %s with 409: an upload would read it as %s", async (name, what) => {
    const refused = await problem(await declare({ ...SEATS, name }), 409);
    expect(refused.type).toBe("https://ai-success-insights.dev/problems/conflict");
    expect(refused.detail).toBe(`The measure name '${name}' is ${what}: an upload would read it as that column.`);
    expect(await list()).toEqual([]);
  });

  it("refuses a measure already declared, also when its name differs only by underscores", async () => {
    expect((await declare(SEATS)).status).toBe(201);
    expect((await problem(await declare({ ...SEATS, description: "again" }), 409)).detail).toBe("The measure 'seats_ratio' is already declared.");
    const similar = await problem(await declare({ ...SEATS, name: "seatsratio" }), 409);
    expect(similar.detail).toContain("The measure 'seats_ratio' is already declared");
    expect((await list()).map((measure) => measure.name)).toEqual(["seats_ratio"]);
  });

  it("refuses a malformed declaration with 400 naming each field", async () => {
    const cases: [unknown, string][] = [
      [{ ...SEATS, name: "Seats" }, "name"],
      [{ ...SEATS, name: "1seats" }, "name"],
      [{ ...SEATS, name: "seats-ratio" }, "name"],
      [{ ...SEATS, name: `s${"x".repeat(40)}` }, "name"],
      [{ ...SEATS, min: 2, max: 1 }, "max"],
      [{ ...SEATS, min: 1, max: 1 }, "max"],
      [{ ...SEATS, max: "1" }, "max"],
      [{ ...SEATS, description: "  " }, "description"],
      [{ name: "seats" }, "description"],
    ];
    for (const [body, field] of cases) {
      const refused = await problem(await declare(body), 400);
      expect(refused.errors?.map((error) => error.field), JSON.stringify(body)).toContain(field);
    }
    expect((await declare({ ...SEATS, name: `s${"x".repeat(39)}` })).status).toBe(201);
  });
});

describe("GET /measures", () => {
  it("lists the measures by name with the metric rows that carry a value of each", async () => {
    await loadTwoMeasures();
    const measures = await list();
    expect(measures.map((measure) => [measure.name, measure.rows])).toEqual([
      ["days_since_qbr", 1],
      ["seats_ratio", 2],
    ]);
  });
});

describe("DELETE /measures/{name}", () => {
  it("removes the measure and its values, leaving the others' and clearing a row left with none", async () => {
    await loadTwoMeasures();
    const response = await remove("seats_ratio");
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect(await storedMeasures()).toEqual(['{"days_since_qbr":30}', null, null]);
    expect((await list()).map((measure) => [measure.name, measure.rows])).toEqual([["days_since_qbr", 1]]);
    // Its column is an extra column again.
    await uploadRows(["seats_ratio"], [{ date: "2024-10-04", cells: ["0.7"] }]);
    expect((await storedMeasures()).at(-1)).toBeNull();
  });

  it("answers 404 for a measure not declared, and 400 for a name that cannot be one", async () => {
    expect((await problem(await remove("seats_ratio"), 404)).detail).toBe("No measure is named 'seats_ratio'.");
    expect((await problem(await remove("Seats%20Ratio"), 400)).errors?.[0]?.field).toBe("name");
  });

  it("refuses with 409 while a draft or the active model uses it, naming them, and keeps its values", async () => {
    await declare(SEATS);
    await uploadRows(["seats_ratio"], [{ date: "2024-10-01", cells: ["0.5"] }]);
    const draft = await createModel(modelScoring("seats_ratio"));
    const other = await createModel(modelScoring("seats_ratio", "Seats second"));
    const refused = await problem(await remove("seats_ratio"), 409);
    expect(refused.detail).toBe(
      `The measure 'seats_ratio' is used by the health model(s) ${draft.id} (Seats first), ${other.id} (Seats second): ` +
        "change or retire them before deleting it.",
    );
    expect(await storedMeasures()).toEqual(['{"seats_ratio":0.5}']);

    // Active or draft, a model using it keeps it; a retired one does not.
    await env.DB.batch([
      env.DB.prepare("UPDATE health_models SET status = 'retired' WHERE id = 1"),
      env.DB.prepare("UPDATE health_models SET status = 'active' WHERE id = ?").bind(draft.id),
      env.DB.prepare("UPDATE health_models SET status = 'retired' WHERE id = ?").bind(other.id),
    ]);
    expect((await problem(await remove("seats_ratio"), 409)).detail).toContain(`${draft.id} (Seats first):`);
    await env.DB.prepare("UPDATE health_models SET status = 'retired' WHERE id = ?").bind(draft.id).run();
    expect((await remove("seats_ratio")).status).toBe(204);
    expect(await storedMeasures()).toEqual([null]);
  });
});

describe("scopes", () => {
  it("declaring needs ingest, listing read, deleting admin; the key's name is recorded", async () => {
    const keys = { read: "ask_measures_read_000000000000000", ingest: "ask_measures_ingest_0000000000000", admin: "ask_measures_admin_00000000000000" };
    const vars = {
      API_KEYS: [
        `read:looker:${await sha256Hex(keys.read)}`,
        `ingest:cs-ops:${await sha256Hex(keys.ingest)}`,
        `admin:ops:${await sha256Hex(keys.admin)}`,
      ].join(","),
      AUTH_READS: "true",
    };
    const call = (method: string, path: string, key: string, body?: unknown) =>
      fetchWith(vars, path, {
        method,
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    expect((await call("POST", "/measures", keys.read, SEATS)).status).toBe(403);
    const created = await call("POST", "/measures", keys.ingest, SEATS);
    expect(created.status).toBe(201);
    expect((await created.json<Measure>()).created_by).toBe("cs-ops");
    expect((await fetchWith(vars, "/measures")).status).toBe(401);
    expect((await call("GET", "/measures", keys.read)).status).toBe(200);
    expect((await call("DELETE", "/measures/seats_ratio", keys.ingest)).status).toBe(403);
    expect((await call("DELETE", "/measures/seats_ratio", keys.admin)).status).toBe(204);
  });
});
