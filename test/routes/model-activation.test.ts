import { SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import type { AccountDetail } from "../../src/contract/accounts";
import type { HealthEvent } from "../../src/contract/events";
import type { HealthModel, HealthModelDocument } from "../../src/contract/health-models";
import type { ModelPreview } from "../../src/contract/model-preview";
import type { Problem } from "../../src/contract/problems";
import { BUCKETS } from "../../src/domain/types";
import { SAMPLE_ACCOUNTS, metricsCsv, seedSampleAccounts, uploadCsv } from "../helpers/csv";
import { resetDatabase } from "../helpers/db";
import { fetchWith } from "../helpers/worker";

/** A model that weighs usage only and ignores NPS: it moves the sample accounts. */
const USAGE_ONLY: HealthModelDocument = {
  name: "Usage only",
  window_days: 14,
  buckets: { healthy_min: 60, at_risk_min: 30 },
  components: [
    { key: "usage", measure: "daily_active_users", weight: 50, aggregation: { type: "mean" }, scale: { zero_at: 0, full_at: 150 } },
    { key: "logins", measure: "login_frequency", weight: 30, aggregation: { type: "latest" }, scale: { zero_at: 0, full_at: 1 } },
    { key: "tickets", measure: "support_tickets_open", weight: 20, aggregation: { type: "mean" }, scale: { zero_at: 8, full_at: 0 } },
  ],
};

function post(path: string, body?: unknown): Promise<Response> {
  return SELF.fetch(`http://example.com${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function get<T>(path: string): Promise<T> {
  const response = await SELF.fetch(`http://example.com${path}`);
  expect(response.status, path).toBe(200);
  return response.json<T>();
}

async function createDraft(document: HealthModelDocument = USAGE_ONLY): Promise<HealthModel> {
  const response = await post("/health/models", document);
  expect(response.status, await response.clone().text()).toBe(201);
  return response.json<HealthModel>();
}

async function preview(id: number, query = ""): Promise<ModelPreview> {
  const response = await post(`/health/models/${id}/preview${query}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json<ModelPreview>();
}

beforeEach(resetDatabase);

describe("POST /health/models/{id}/preview", () => {
  it("answers zeros on an empty book, not an error", async () => {
    const draft = await createDraft();
    const figures = await preview(draft.id);
    const zeros = Object.fromEntries(BUCKETS.map((bucket) => [bucket, 0]));
    expect(figures).toMatchObject({
      model_id: draft.id,
      active_model_id: 1,
      accounts: 0,
      active: { accounts_by_bucket: zeros, arr_by_bucket: zeros },
      draft: { accounts_by_bucket: zeros, arr_by_bucket: zeros },
      score_change: { mean: 0, p10: 0, p50: 0, p90: 0 },
      top_movers: [],
      warnings: [],
    });
    expect(figures.moves).toHaveLength(9);
  });

  it("shows the book under both models side by side, writes nothing, and narrows to a segment", async () => {
    const ids = await seedSampleAccounts();
    const draft = await createDraft();
    const before = await get<{ accounts: { id: number; health_score: number }[] }>("/accounts?page_size=100");
    const figures = await preview(draft.id);

    expect(figures.accounts).toBe(SAMPLE_ACCOUNTS.length);
    const total = (byBucket: Record<string, number>) => Object.values(byBucket).reduce((sum, value) => sum + value, 0);
    expect(total(figures.active.accounts_by_bucket)).toBe(3);
    expect(total(figures.draft.accounts_by_bucket)).toBe(3);
    expect(figures.moves.reduce((sum, move) => sum + move.accounts, 0)).toBe(3);
    const movers = figures.top_movers;
    expect(movers.length).toBeGreaterThan(0);
    for (const mover of movers) {
      expect(Object.keys(mover.components_after)).toEqual(["usage", "logins", "tickets"]);
      expect(Object.keys(mover.components_before)).toEqual(["daily_active_users", "feature_adoption", "support_tickets", "nps", "login_frequency"]);
      expect(mover.account_id).toBe(ids[mover.account_name]);
    }
    const changes = movers.map((mover) => Math.abs(mover.score_after - mover.score_before));
    expect(changes).toEqual([...changes].sort((a, b) => b - a));
    // Nothing written: the accounts' scores are as before.
    expect(await get("/accounts?page_size=100")).toEqual(before);

    const smb = await preview(draft.id, "?segment=SMB");
    expect(smb.segment).toBe("SMB");
    expect(smb.accounts).toBe(SAMPLE_ACCOUNTS.filter((account) => account.segment === "SMB").length);
  });

  it("warns about a measure missing for many accounts", async () => {
    await seedSampleAccounts();
    const draft = await createDraft({
      ...USAGE_ONLY,
      components: [
        ...USAGE_ONLY.components.slice(0, 2),
        { key: "nps", measure: "nps_score", weight: 20, aggregation: { type: "latest" }, scale: { zero_at: -100, full_at: 100 } },
      ],
    });
    const figures = await preview(draft.id);
    expect(figures.warnings.some((warning) => warning.startsWith("measure `nps_score` is missing for"))).toBe(true);
  });

  it("answers 404 for an unknown model and 400 for an unknown segment", async () => {
    expect((await post("/health/models/999/preview")).status).toBe(404);
    const draft = await createDraft();
    const response = await post(`/health/models/${draft.id}/preview?segment=Galactic`);
    expect(response.status).toBe(400);
    expect((await response.json<Problem>()).type).toContain("validation-error");
  });
});

describe("POST /health/models/{id}/activate", () => {
  it("activates the draft, retires model 1, rescores the book and stores what the preview showed", async () => {
    const ids = await seedSampleAccounts();
    // Thresholds no sample account reaches: the Healthy and At-Risk ones fall to Critical.
    const draft = await createDraft({ ...USAGE_ONLY, buckets: { healthy_min: 99, at_risk_min: 98 } });
    const figures = await preview(draft.id);

    const response = await post(`/health/models/${draft.id}/activate`);
    expect(response.status, await response.clone().text()).toBe(200);
    const activation = await response.json<{ model: HealthModel; previous_model_id: number; rescore: { mode: string; accounts_updated: number } }>();
    expect(activation.model).toMatchObject({ id: draft.id, status: "active" });
    expect(activation.model.activated_at).not.toBeNull();
    expect(activation.previous_model_id).toBe(1);
    expect(activation.rescore).toMatchObject({ mode: "inline", accounts_updated: 3 });

    const { models } = await get<{ models: HealthModel[] }>("/health/models");
    expect(models.map((model) => [model.id, model.status])).toEqual([
      [draft.id, "active"],
      [1, "retired"],
    ]);
    expect((await get<HealthModel>("/health/model")).id).toBe(draft.id);

    // The book now holds the preview's figures.
    const { accounts } = await get<{ accounts: { id: number; health_bucket: string; arr: number }[] }>("/accounts?page_size=100");
    for (const bucket of BUCKETS) {
      expect(accounts.filter((account) => account.health_bucket === bucket).length, bucket).toBe(figures.draft.accounts_by_bucket[bucket]);
    }
    const detail = await get<AccountDetail>(`/accounts/${ids[SAMPLE_ACCOUNTS[0].name]}`);
    expect(Object.keys(detail.health_components ?? {})).toEqual(["usage", "logins", "tickets"]);
    expect(detail.health_history.every((entry) => entry.nps_source === null)).toBe(true);
    expect(detail.model_changes).toEqual([
      { date: activation.model.activated_at?.slice(0, 10), activated_at: activation.model.activated_at, from_model: 1, to_model: draft.id },
    ]);
    expect(detail.scores_stale).toBe(false);

    // One book-level event with the preview's figures; the account events it caused say so.
    const { events } = await get<{ events: HealthEvent[] }>("/events?limit=500");
    const activated = events.filter((event) => event.type === "health.model_activated");
    expect(activated).toHaveLength(1);
    expect(activated[0]?.data).toMatchObject({
      model_id: draft.id,
      previous_model_id: 1,
      accounts: 3,
      active: figures.active,
      draft: figures.draft,
      moves: figures.moves,
      score_change: figures.score_change,
    });
    const caused = events.filter((event) => event.type === "health.bucket_changed" && event.id > (activated[0]?.id ?? 0));
    const bucketMoves = figures.moves.filter((move) => move.from !== move.to).reduce((sum, move) => sum + move.accounts, 0);
    expect(bucketMoves).toBeGreaterThan(0);
    expect(caused).toHaveLength(bucketMoves);
    for (const event of caused) expect(event.data).toMatchObject({ cause: "model_change", model_id: draft.id });
  });

  it("keeps scoring uploads under the active model, and their events are the customers' own", async () => {
    await seedSampleAccounts();
    const draft = await createDraft();
    await post(`/health/models/${draft.id}/activate`);
    const { events: before } = await get<{ events: HealthEvent[] }>("/events?limit=500");
    const lastId = before.at(-1)?.id ?? 0;
    // The slipping account's usage collapses the next day.
    const collapse = { daily_active_users: 0, feature_adoption_rate: 0.1, support_tickets_open: 8, nps_score: null, login_frequency: 0 };
    await uploadCsv(metricsCsv([{ ...SAMPLE_ACCOUNTS[1], end: "2026-11-01", days: 1, at: () => collapse }]));
    const { events } = await get<{ events: HealthEvent[] }>(`/events?after=${lastId}&limit=500`);
    const changed = events.filter((candidate) => candidate.type === "health.bucket_changed");
    expect(changed.length).toBe(1);
    expect(changed[0]?.data).not.toHaveProperty("cause");
  });

  it("explains scores with the active model's components: the insight names them with their weights", async () => {
    const ids = await seedSampleAccounts();
    const draft = await createDraft();
    await post(`/health/models/${draft.id}/activate`);
    const response = await post(`/insights/account/${ids[SAMPLE_ACCOUNTS[1].name]}`);
    expect(response.status, await response.clone().text()).toBe(200);
    const insight = await response.json<{ health_analysis: string; source: string }>();
    expect(insight.source).toBe("rules");
    expect(insight.health_analysis).toMatch(/^Components: usage [\d.]+\/50, logins [\d.]+\/30 and tickets [\d.]+\/20\./);
    expect(insight.health_analysis).not.toContain("NPS");
  });

  it("answers 409 for a model already active or retired, and 404 for an unknown one", async () => {
    const draft = await createDraft();
    expect((await post(`/health/models/${draft.id}/activate`)).status).toBe(200);
    const again = await post(`/health/models/${draft.id}/activate`);
    expect(again.status).toBe(409);
    expect((await again.json<Problem>()).detail).toContain("already the active model");
    const retired = await post("/health/models/1/activate");
    expect(retired.status).toBe(409);
    expect((await retired.json<Problem>()).detail).toContain("retired");
    expect((await post("/health/models/999/activate")).status).toBe(404);
  });
});

describe("a change of the variables that define model 1", () => {
  it("is a model change: the events its rescore causes carry cause model_change, and changing back does too", async () => {
    await seedSampleAccounts();
    const { events: before } = await get<{ events: HealthEvent[] }>("/events?limit=500");
    const lastId = before.at(-1)?.id ?? 0;
    // Benchmarks ten times higher: the sample accounts' DAU points collapse, and back.
    const strict = { DAU_BENCHMARK_ENTERPRISE: "2000", DAU_BENCHMARK_MID_MARKET: "750", DAU_BENCHMARK_SMB: "200", HEALTH_WINDOW_DAYS: "14" };
    expect((await fetchWith(strict, "/health/recompute", { method: "POST" })).status).toBe(200);
    expect((await post("/health/recompute")).status).toBe(200);
    const { events } = await get<{ events: HealthEvent[] }>(`/events?after=${lastId}&limit=500`);
    const caused = events.filter((event) => event.type !== "ingest.completed");
    expect(caused.length).toBeGreaterThanOrEqual(2);
    for (const event of caused) expect(event.data).toMatchObject({ cause: "model_change", model_id: 1 });
  });
});
