import { SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import type { HealthModel, HealthModelDocument } from "../../src/contract/health-models";
import type { Problem } from "../../src/contract/problems";
import { COMPONENT_POINTS } from "../../src/domain/health";
import { sha256Hex } from "../../src/lib/hash";
import { resetDatabase } from "../helpers/db";
import { fetchWith } from "../helpers/worker";

const USAGE_FIRST: HealthModelDocument = {
  name: "Usage first",
  window_days: 14,
  buckets: { healthy_min: 75, at_risk_min: 45 },
  components: [
    {
      key: "daily_active_users",
      measure: "daily_active_users",
      weight: 40,
      aggregation: { type: "mean" },
      scale: { zero_at: 0, full_at: 200, full_at_by_segment: { "Mid-Market": 75, SMB: 20 } },
      weight_by_segment: { SMB: 30 },
    },
    { key: "nps", measure: "nps_score", weight: 20, aggregation: { type: "mean", carry_days: 90 }, scale: { zero_at: -100, full_at: 100 } },
    { key: "support_tickets", measure: "support_tickets_open", weight: 20, aggregation: { type: "mean" }, scale: { zero_at: 10, full_at: 0 } },
    {
      key: "logins",
      measure: "login_frequency",
      weight: 20,
      weight_by_segment: { SMB: 30 },
      aggregation: { type: "latest" },
      scale: { zero_at: 0, full_at: 1 },
    },
  ],
};

function post(body: unknown, headers: Record<string, string> = {}, path = "/health/models"): Promise<Response> {
  return SELF.fetch(`http://example.com${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

async function get<T>(path: string): Promise<T> {
  const response = await SELF.fetch(`http://example.com${path}`);
  expect(response.status, path).toBe(200);
  return response.json<T>();
}

/** Declares the custom measure seats_ratio (POST /measures). */
function declareSeatsRatio(): Promise<Response> {
  return post({ name: "seats_ratio", description: "Seats used ÷ seats bought", min: 0, max: 1.5 }, {}, "/measures");
}

beforeEach(resetDatabase);

describe("the active model", () => {
  it("is model 1, today's formula as a document, with the configured window and benchmarks", async () => {
    const model = await get<HealthModel>("/health/model");
    expect(model).toMatchObject({ id: 1, version: 1, status: "active", defined_by: "configuration", window_days: 7 });
    expect(model.buckets).toEqual({ healthy_min: 70, at_risk_min: 40 });
    // The keys of health_components today, with their points.
    expect(Object.fromEntries(model.components.map((component) => [component.key, component.weight]))).toEqual(COMPONENT_POINTS);
    const dau = model.components.find((component) => component.key === "daily_active_users");
    expect(dau?.scale).toEqual({ zero_at: 0, full_at: 200, full_at_by_segment: { "Mid-Market": 75, SMB: 20 } });
    const tickets = model.components.find((component) => component.key === "support_tickets");
    expect(tickets?.scale).toEqual({ zero_at: 10, full_at: 0 });
    expect(model.components.find((component) => component.key === "nps")?.aggregation).toEqual({ type: "mean", carry_days: 90 });
  });

  it("follows the four environment variables while model 1 is active", async () => {
    const response = await fetchWith(
      { HEALTH_WINDOW_DAYS: "14", DAU_BENCHMARK_ENTERPRISE: "150", DAU_BENCHMARK_SMB: "30", TICKET_CEILING: "8" },
      "/health/model",
    );
    const model = await response.json<HealthModel>();
    expect(model.window_days).toBe(14);
    const byKey = new Map(model.components.map((component) => [component.key, component.scale]));
    expect(byKey.get("daily_active_users")).toEqual({ zero_at: 0, full_at: 150, full_at_by_segment: { "Mid-Market": 75, SMB: 30 } });
    expect(byKey.get("support_tickets")).toEqual({ zero_at: 8, full_at: 0 });
  });

  it("is itself a valid model: posted back, it is stored as a draft", async () => {
    const { name, window_days, buckets, components } = await get<HealthModel>("/health/model");
    const response = await post({ name, window_days, buckets, components });
    expect(response.status, await response.clone().text()).toBe(201);
  });
});

describe("POST /health/models", () => {
  it("stores a draft, numbered after the models of the same name, and changes no active model", async () => {
    const first = await post(USAGE_FIRST);
    expect(first.status, await first.clone().text()).toBe(201);
    const draft = await first.json<HealthModel>();
    expect(draft).toMatchObject({ ...USAGE_FIRST, status: "draft", version: 1, defined_by: "api", created_by: null, activated_at: null });
    const second = await (await post({ ...USAGE_FIRST, window_days: 21 })).json<HealthModel>();
    expect(second).toMatchObject({ name: "Usage first", version: 2, window_days: 21 });
    const other = await (await post({ ...USAGE_FIRST, name: "Tickets matter" })).json<HealthModel>();
    expect(other.version).toBe(1);

    const { models } = await get<{ models: HealthModel[] }>("/health/models");
    expect(models.map((model) => [model.id, model.status])).toEqual([
      [other.id, "draft"],
      [second.id, "draft"],
      [draft.id, "draft"],
      [1, "active"],
    ]);
    expect(await get<HealthModel>(`/health/models/${draft.id}`)).toEqual(draft);
    expect((await get<HealthModel>("/health/model")).id).toBe(1);
  });

  it("refuses a model with 400 naming every broken rule, and stores nothing", async () => {
    const [dau, nps, tickets, logins] = USAGE_FIRST.components;
    const broken = {
      ...USAGE_FIRST,
      window_days: 91,
      buckets: { healthy_min: 40, at_risk_min: 60 },
      components: [
        { ...dau, weight_by_segment: { SMB: 20 } },
        { ...nps, measure: "Seats Ratio" },
        { ...tickets, scale: { zero_at: 5, full_at: 10, zero_at_by_segment: { SMB: 10 } } },
        { ...logins, key: "nps" },
      ],
    };
    const response = await post(broken);
    expect(response.status).toBe(400);
    const problem = await response.json<Problem>();
    const byField = new Map((problem.errors ?? []).map((error) => [error.field, error.message]));
    expect(byField.get("window_days")).toBeDefined();
    expect(byField.get("buckets.at_risk_min")).toBe("Expected at_risk_min (60) below healthy_min (40)");
    expect(byField.get("components.1.measure")).toContain("Expected a name of lowercase letters, digits and _");
    expect(byField.get("components.2.scale")).toBe("Expected zero_at and full_at to differ (both 10 for SMB)");
    expect(byField.get("components.3.key")).toBe("Expected a key of its own: 'nps' is used twice");
    expect(byField.get("components")).toBe("Expected the weights to sum to 100 for SMB, not 90");
    expect((await get<{ models: HealthModel[] }>("/health/models")).models.map((model) => model.id)).toEqual([1]);
  });

  it("refuses a measure neither built-in nor declared, naming it and the known ones, once the other rules pass", async () => {
    const [dau, nps, tickets, logins] = USAGE_FIRST.components;
    const unknown = { ...USAGE_FIRST, components: [dau, { ...nps, measure: "seats_ratio" }, tickets, { ...logins, measure: "days_since_qbr" }] };
    const response = await post(unknown);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    const problem = await response.json<Problem>();
    const known = "a built-in measure (daily_active_users, feature_adoption_rate, support_tickets_open, nps_score, login_frequency) or a declared one";
    expect(problem).toMatchObject({ type: "https://ai-success-insights.dev/problems/validation-error", status: 400 });
    expect(problem.errors).toEqual([
      { field: "components.1.measure", message: `Unknown measure 'seats_ratio': expected ${known} (none is declared: POST /measures declares one)` },
      { field: "components.3.measure", message: `Unknown measure 'days_since_qbr': expected ${known} (none is declared: POST /measures declares one)` },
    ]);
    expect(problem.detail).toContain("Body field 'components.1.measure' is invalid: Unknown measure 'seats_ratio'");

    await declareSeatsRatio();
    const stillUnknown = await (await post(unknown)).json<Problem>();
    expect(stillUnknown.errors).toEqual([
      { field: "components.3.measure", message: `Unknown measure 'days_since_qbr': expected ${known} (seats_ratio)` },
    ]);
    expect((await get<{ models: HealthModel[] }>("/health/models")).models.map((model) => model.id)).toEqual([1]);
  });

  it("accepts a component scoring a declared measure", async () => {
    expect((await declareSeatsRatio()).status).toBe(201);
    const [dau, nps, tickets, logins] = USAGE_FIRST.components;
    const seats = { ...USAGE_FIRST, components: [dau, nps, tickets, { ...logins, key: "seats", measure: "seats_ratio" }] };
    const response = await post(seats);
    expect(response.status, await response.clone().text()).toBe(201);
    const draft = await response.json<HealthModel>();
    expect(draft.components[3]).toMatchObject({ key: "seats", measure: "seats_ratio" });
    expect(await get<HealthModel>(`/health/models/${draft.id}`)).toEqual(draft);
  });

  it("refuses more than 12 components, and none", async () => {
    const component = (index: number) => ({
      key: `c${index}`,
      measure: "daily_active_users",
      weight: 100 / 13,
      aggregation: { type: "mean" },
      scale: { zero_at: 0, full_at: 100 },
    });
    const tooMany = await post({ ...USAGE_FIRST, components: Array.from({ length: 13 }, (_, index) => component(index)) });
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json<Problem>()).errors?.map((error) => error.field)).toContain("components");
    expect((await post({ ...USAGE_FIRST, components: [] })).status).toBe(400);
  });

  it("answers 404 for an unknown model and 400 for an id that is not one", async () => {
    expect((await SELF.fetch("http://example.com/health/models/999")).status).toBe(404);
    expect((await SELF.fetch("http://example.com/health/models/abc")).status).toBe(400);
  });

  it("needs the ingest scope to create, and records the key's name", async () => {
    const keys = { read: "ask_models_read_0000000000000000", ingest: "ask_models_ingest_00000000000000" };
    const vars = {
      API_KEYS: [`read:looker:${await sha256Hex(keys.read)}`, `ingest:cs-ops:${await sha256Hex(keys.ingest)}`].join(","),
      AUTH_READS: "true",
    };
    const create = (key: string) =>
      fetchWith(vars, "/health/models", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify(USAGE_FIRST),
      });
    expect((await create(keys.read)).status).toBe(403);
    const created = await create(keys.ingest);
    expect(created.status).toBe(201);
    expect((await created.json<HealthModel>()).created_by).toBe("cs-ops");
    const read = await fetchWith(vars, "/health/models", { headers: { authorization: `Bearer ${keys.read}` } });
    expect(read.status).toBe(200);
    expect((await fetchWith(vars, "/health/model")).status).toBe(401);
  });
});
