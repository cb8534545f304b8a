import { SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import exampleCsv from "../../examples/accounts.csv?raw";
import type { HealthModel, HealthModelDocument } from "../../src/contract/health-models";
import type { ModelPreview } from "../../src/contract/model-preview";
import type { Problem } from "../../src/contract/problems";
import { formatMoney } from "../../src/domain/format";
import { sha256Hex } from "../../src/lib/hash";
import { signIn } from "../helpers/console";
import { resetDatabase } from "../helpers/db";
import { fetchWith } from "../helpers/worker";

/**
 * The health model pages (/app/model) through the Worker, in workerd, against the API's answers: the active model as
 * GET /health/model says it, a draft from the form as GET /health/models then lists it, the API's 400 for a broken
 * draft, the preview's figures, the activation behind its confirmation, and who may do what.
 */

const ORIGIN = "http://example.com";
const READ_KEY = "ask_model_read_key_0123456789abcdef";
const INGEST_KEY = "ask_model_ingest_key_0123456789abcdef";
const ADMIN_KEY = "ask_model_admin_key_0123456789abcdef";

async function keyed(): Promise<Record<string, string>> {
  return {
    API_KEYS: `read:viewer:${await sha256Hex(READ_KEY)},ingest:loader:${await sha256Hex(INGEST_KEY)},admin:ops:${await sha256Hex(ADMIN_KEY)}`,
  };
}

async function uploadBook(): Promise<void> {
  await resetDatabase();
  const response = await SELF.fetch(`${ORIGIN}/ingest/csv`, { method: "POST", headers: { "content-type": "text/csv" }, body: exampleCsv });
  expect(response.status).toBe(200);
}

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await SELF.fetch(`${ORIGIN}${path}`, init);
  expect(response.status, path).toBeLessThan(300);
  return response.json<T>();
}

function postForm(path: string, fields: Record<string, string>, headers: Record<string, string> = { origin: ORIGIN }): Promise<Response> {
  return SELF.fetch(`${ORIGIN}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });
}

async function pageHtml(path: string): Promise<string> {
  const response = await SELF.fetch(`${ORIGIN}${path}`);
  expect(response.status, path).toBe(200);
  return response.text();
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escaped = (text: string) => text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
const unescaped = (text: string) =>
  text.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => Object.entries(ESCAPES).find(([, value]) => value === entity)?.[0] ?? entity);

/** The editor's inputs as the browser would submit them: every named input of the draft form with its value. */
function editorForm(html: string): Record<string, string> {
  const form = /<form method="post" action="\/app\/model#editor" class="draft">([\s\S]*?)<\/form>/.exec(html)?.[1];
  if (!form) throw new Error("no draft form on the page");
  return Object.fromEntries([...form.matchAll(/<input[^>]*\bname="([^"]+)"[^>]*\bvalue="([^"]*)"/g)].map((match) => [match[1]!, unescaped(match[2]!)]));
}

/** The document of a stored model, as POST /health/models takes it. */
function documentOf({ name, window_days, buckets, components }: HealthModel): HealthModelDocument {
  return { name, window_days, buckets, components };
}

/** A draft that moves accounts between buckets: usage weighs more and the thresholds rise. */
function usageFirst(active: HealthModel): HealthModelDocument {
  const document = structuredClone(documentOf(active));
  document.name = "Usage first";
  document.buckets = { healthy_min: 78, at_risk_min: 50 };
  document.components[0]!.weight = 45;
  document.components[1]!.weight = 5;
  return document;
}

function offDiagonal(preview: ModelPreview) {
  const moving = preview.moves.filter((move) => move.from !== move.to);
  return { accounts: moving.reduce((sum, move) => sum + move.accounts, 0), arr: moving.reduce((sum, move) => sum + move.arr, 0) };
}

function card(html: string, label: string): string | undefined {
  return new RegExp(`<dt>${label}</dt><dd>([^<]*)</dd>`).exec(html)?.[1];
}

describe("the health model page (/app/model)", () => {
  beforeEach(uploadBook);

  it("shows the active model's window, thresholds and components as GET /health/model answers them", async () => {
    const active = await api<HealthModel>("/health/model");
    const html = await pageHtml("/app/model");
    expect(html).toContain(`Active: Model ${active.id}: ${escaped(active.name)} (version ${active.version})`);
    expect(html).toContain(`<dd>${active.window_days} days</dd>`);
    expect(html).toContain(`Healthy from ${active.buckets.healthy_min}; At-Risk from ${active.buckets.at_risk_min}`);
    expect(active.components.length).toBeGreaterThan(1);
    for (const component of active.components) {
      const row = new RegExp(`<tr><th scope="row">${component.key}</th>(.*?)</tr>`).exec(html)?.[1] ?? "";
      const cells = [...row.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((match) => match[1]);
      expect(cells[0]).toBe(component.measure);
      expect(cells[1]).toBe(
        `${component.aggregation.type === "mean" ? "mean over the window" : "latest value in the window"}` +
          (component.aggregation.carry_days === undefined ? "" : `, else the latest value carried up to ${component.aggregation.carry_days} days`),
      );
      expect(cells[2]).toContain(`linear from ${component.scale.zero_at} (0 points) to ${component.scale.full_at} (${component.weight} points)`);
      expect(cells[3]).toBe(`${component.weight} points`);
      for (const [segment, fullAt] of Object.entries(component.scale.full_at_by_segment ?? {})) expect(cells[4]).toContain(`${segment}: full at ${fullAt}`);
    }
    // Model 1's DAU benchmarks are per segment: the page shows them.
    expect(html).toMatch(/SMB: full at \d+/);
    expect(html).toContain(`href="/app/model/${active.id}"`);
    expect(html).not.toContain("<script");
  });

  it("lets the browser post its forms with their Origin (Referrer-Policy same-origin, not the API's no-referrer)", async () => {
    // Under no-referrer a browser sends `Origin: null` with a form's POST, which requireSameOrigin refuses.
    expect((await SELF.fetch(`${ORIGIN}/app/model`)).headers.get("referrer-policy")).toBe("same-origin");
    expect((await SELF.fetch(`${ORIGIN}/health/model`)).headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("creates the draft the form describes, as GET /health/models then lists it, and changes no score", async () => {
    const active = await api<HealthModel>("/health/model");
    const before = await SELF.fetch(`${ORIGIN}/app/model`);
    const tag = before.headers.get("etag")!;
    const form = editorForm(await before.text());
    expect(form.from).toBe(String(active.id));
    expect(form["components.0.weight"]).toBe(String(active.components[0]!.weight));
    const response = await postForm("/app/model", {
      ...form,
      name: "Usage heavier",
      window_days: "14",
      "buckets.healthy_min": "75",
      "buckets.at_risk_min": "45",
      "components.0.weight": "35",
      "components.1.weight": "15",
      "components.0.scale.full_at_by_segment.SMB": "25",
      "components.2.scale.zero_at": "12",
    });
    expect(response.status).toBe(303);
    const id = Number(/^\/app\/model\/(\d+)$/.exec(response.headers.get("location") ?? "")?.[1]);
    const { models } = await api<{ models: HealthModel[] }>("/health/models");
    const draft = models.find((model) => model.id === id);
    expect(draft).toMatchObject({ status: "draft", defined_by: "api" });
    // The list the page showed before has changed: its ETag is no longer current (a new draft bumps the data version).
    const revisit = await SELF.fetch(`${ORIGIN}/app/model`, { headers: { "if-none-match": tag } });
    expect(revisit.status).toBe(200);
    expect(await revisit.text()).toContain("Usage heavier");

    const expected = structuredClone(documentOf(active));
    expected.name = "Usage heavier";
    expected.window_days = 14;
    expected.buckets = { healthy_min: 75, at_risk_min: 45 };
    expected.components[0]!.weight = 35;
    expected.components[1]!.weight = 15;
    expected.components[0]!.scale.full_at_by_segment = { ...expected.components[0]!.scale.full_at_by_segment, SMB: 25 };
    expected.components[2]!.scale.zero_at = 12;
    expect(documentOf(draft!)).toEqual(expected);
    expect((await api<HealthModel>("/health/model")).id).toBe(active.id);

    // Its page is the model in the same words, and the editor can start from it.
    const page = await pageHtml(`/app/model/${id}`);
    expect(page).toContain("<td class=\"number\">35 points</td>");
    expect(editorForm(await pageHtml(`/app/model?from=${id}`))).toMatchObject({ from: String(id), name: "Usage heavier", "components.0.weight": "35" });
  });

  it("answers 400 with the API's field errors next to the form, keeps the values typed and stores nothing", async () => {
    const active = await api<HealthModel>("/health/model");
    const form = editorForm(await pageHtml("/app/model"));
    const broken = { ...form, window_days: "120", "buckets.healthy_min": "40", "buckets.at_risk_min": "70", "components.0.weight": "40" };
    const response = await postForm("/app/model", broken);
    expect(response.status).toBe(400);
    const html = await response.text();

    // The same document through the API: its 400 names the same rules, each of which the page shows.
    const document = structuredClone(documentOf(active));
    document.window_days = 120;
    document.buckets = { healthy_min: 40, at_risk_min: 70 };
    document.components[0]!.weight = 40;
    const refusal = await SELF.fetch(`${ORIGIN}/health/models`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(document) });
    expect(refusal.status).toBe(400);
    const { errors } = await refusal.json<Problem>();
    const fields = (errors ?? []).map((error) => error.field);
    expect(fields).toEqual(expect.arrayContaining(["window_days", "buckets.at_risk_min", "components"]));
    for (const error of errors ?? []) expect(html).toContain(escaped(error.message));
    expect(html).toMatch(/<div class="error-summary" role="alert">/);
    expect(html).toContain("<title>Error: Health model · AI Success Insights</title>");
    const atRisk = (errors ?? []).find((error) => error.field === "buckets.at_risk_min")!;
    expect(html).toContain(`<span class="field-error" id="field-buckets-at_risk_min-error">${escaped(atRisk.message)}</span>`);
    expect(html).toMatch(/id="field-buckets-at_risk_min"[^>]*aria-invalid="true"/);

    // What the user typed is still in the form.
    const kept = editorForm(html);
    expect(kept).toMatchObject({ window_days: "120", "buckets.healthy_min": "40", "buckets.at_risk_min": "70", "components.0.weight": "40" });

    const { models } = await api<{ models: HealthModel[] }>("/health/models");
    expect(models.map((model) => model.id)).toEqual([active.id]);
  });

  it("shows the service's own 400 (a measure no longer declared) as the schema's, on the component's row", async () => {
    const active = await api<HealthModel>("/health/model");
    const json = (body: unknown): RequestInit => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    await api("/measures", json({ name: "seats_ratio", description: "Seats used ÷ seats bought", min: 0, max: 1.5 }));
    const seats = structuredClone(documentOf(active));
    seats.name = "Seats count";
    seats.components[4] = { ...seats.components[4]!, key: "seats", measure: "seats_ratio", scale: { zero_at: 0, full_at: 1 } };
    const withSeats = await api<HealthModel>("/health/models", json(seats));
    await api(`/health/models/${withSeats.id}/activate`, { method: "POST" });
    const without = await api<HealthModel>("/health/models", json({ ...documentOf(active), name: "Without seats" }));
    await api(`/health/models/${without.id}/activate`, { method: "POST" });
    // Retired, the seats model no longer holds its measure: it can be deleted.
    expect((await SELF.fetch(`${ORIGIN}/measures/seats_ratio`, { method: "DELETE" })).status).toBe(204);

    const response = await postForm("/app/model", editorForm(await pageHtml(`/app/model?from=${withSeats.id}`)));
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toMatch(/<tr id="component-4">(?:(?!<\/tr>)[\s\S])*Unknown measure &#39;seats_ratio&#39;/);
    expect(html).toContain('href="#component-4">components.4.measure: Unknown measure');
    const { models } = await api<{ models: HealthModel[] }>("/health/models");
    expect(models.map((model) => model.id)).toEqual([without.id, withSeats.id, active.id]);
  });

  it("names a blank or non-numeric weight as the API's schema does", async () => {
    const form = editorForm(await pageHtml("/app/model"));
    const response = await postForm("/app/model", { ...form, "components.1.weight": "", "components.2.weight": "lots" });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toMatch(/id="field-components-1-weight-error">Invalid input: expected number, received undefined</);
    expect(html).toMatch(/id="field-components-2-weight-error">Invalid input: expected number, received NaN</);
    expect(editorForm(html)["components.2.weight"]).toBe("lots");
  });
});

describe("a draft's preview (/app/model/{id})", () => {
  beforeEach(uploadBook);

  it("shows the figures POST /health/models/{id}/preview answers: the move matrix, ARR moved and the top movers", async () => {
    const active = await api<HealthModel>("/health/model");
    const draft = await api<HealthModel>("/health/models", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(usageFirst(active)) });
    const preview = await api<ModelPreview>(`/health/models/${draft.id}/preview`, { method: "POST" });
    const moving = offDiagonal(preview);
    expect(moving.accounts).toBeGreaterThan(0);

    const html = await pageHtml(`/app/model/${draft.id}`);
    for (const move of preview.moves) {
      expect(html).toContain(`data-move="${escaped(`${move.from}>${move.to}`)}">${move.accounts} · ${formatMoney(move.arr)}</td>`);
    }
    expect(card(html, "Accounts previewed")).toBe(preview.accounts.toLocaleString("en-US"));
    expect(card(html, "Accounts changing bucket")).toBe(String(moving.accounts));
    expect(card(html, "ARR moved")).toBe(formatMoney(moving.arr));
    const movers = [...html.matchAll(/<a href="\/app\/accounts\/(\d+)">([^<]*)<\/a>/g)].map((match) => [Number(match[1]), unescaped(match[2]!)]);
    expect(movers).toEqual(preview.top_movers.map((mover) => [mover.account_id, mover.account_name]));
    expect(preview.top_movers.length).toBeGreaterThan(0);
    expect(html).toContain(`href="/app/model/${draft.id}/activate"`);
  });

  it("previews one segment as ?segment= does", async () => {
    const active = await api<HealthModel>("/health/model");
    const draft = await api<HealthModel>("/health/models", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(usageFirst(active)) });
    const preview = await api<ModelPreview>(`/health/models/${draft.id}/preview?segment=SMB`, { method: "POST" });
    const html = await pageHtml(`/app/model/${draft.id}?segment=SMB`);
    expect(card(html, "Accounts previewed")).toBe(String(preview.accounts));
    expect(card(html, "Accounts changing bucket")).toBe(String(offDiagonal(preview).accounts));
    expect(html).toContain('<option value="SMB" selected="">SMB</option>');
    expect((await SELF.fetch(`${ORIGIN}/app/model/${draft.id}?segment=Nope`)).status).toBe(400);
  });

  it("answers 404 for a model that does not exist and 400 for an id that is not one", async () => {
    const missing = await SELF.fetch(`${ORIGIN}/app/model/999`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("No health model has id 999.");
    expect((await SELF.fetch(`${ORIGIN}/app/model/abc`)).status).toBe(400);
  });
});

describe("activating a draft through its confirmation (/app/model/{id}/activate)", () => {
  beforeEach(uploadBook);

  it("restates the preview, then activates as POST /health/models/{id}/activate does: GET /health/model answers the draft", async () => {
    const active = await api<HealthModel>("/health/model");
    const draft = await api<HealthModel>("/health/models", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(usageFirst(active)) });
    const preview = await api<ModelPreview>(`/health/models/${draft.id}/preview`, { method: "POST" });
    const moving = offDiagonal(preview);

    const confirm = await pageHtml(`/app/model/${draft.id}/activate`);
    expect(confirm).toContain(`${moving.accounts.toLocaleString("en-US")} of ${preview.accounts.toLocaleString("en-US")} accounts change bucket, moving ${formatMoney(moving.arr)} of ARR`);
    expect(confirm).toContain(`<form method="post" action="/app/model/${draft.id}/activate" class="confirm">`);
    expect(confirm).toContain(`Activate model ${draft.id} (Usage first)`);
    // Looking at the confirmation activates nothing.
    expect((await api<HealthModel>("/health/model")).id).toBe(active.id);

    const response = await postForm(`/app/model/${draft.id}/activate`, {});
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`/app/model?activated=${draft.id}`);
    const now = await api<HealthModel>("/health/model");
    expect(now).toMatchObject({ id: draft.id, status: "active" });
    expect((await api<HealthModel>(`/health/models/${active.id}`)).status).toBe("retired");
    const { events } = await api<{ events: { type: string; data: { model_id?: number; accounts?: number } }[] }>("/events?type=health.model_activated");
    expect(events.map((event) => event.data)).toEqual([expect.objectContaining({ model_id: draft.id, accounts: preview.accounts })]);

    const page = await pageHtml(`/app/model?activated=${draft.id}`);
    expect(page).toContain(`Active: Model ${draft.id}: Usage first`);
    expect(page).toContain(`Model ${draft.id}: Usage first (version 1) is now the active model`);

    // The active model is no draft: its confirmation and a second activation answer the API's 409.
    const again = await postForm(`/app/model/${draft.id}/activate`, {});
    expect(again.status).toBe(409);
    expect(await again.text()).toContain(`Health model ${draft.id} is already the active model.`);
    expect((await SELF.fetch(`${ORIGIN}/app/model/${active.id}/activate`)).status).toBe(409);
  });
});

describe("who may draft, preview and activate", () => {
  beforeEach(uploadBook);


  /** Calls as a signed-in key: the page with its session, the API with its bearer token. */
  async function as(key: string) {
    const vars = await keyed();
    const cookie = await signIn(key, vars);
    return {
      page: (path: string, init: RequestInit = {}) =>
        fetchWith(vars, path, { ...init, redirect: "manual", headers: { cookie, origin: ORIGIN, ...(init.headers as Record<string, string>) } }),
      form: (path: string, fields: Record<string, string>, origin = ORIGIN) =>
        fetchWith(vars, path, {
          method: "POST",
          redirect: "manual",
          headers: { cookie, origin, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams(fields).toString(),
        }),
      api: (path: string, init: RequestInit = {}) =>
        fetchWith(vars, path, { ...init, headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json", ...(init.headers as Record<string, string>) } }),
    };
  }

  async function aDraft(caller: Awaited<ReturnType<typeof as>>): Promise<HealthModel> {
    const active = await (await caller.api("/health/model")).json<HealthModel>();
    return (await caller.api("/health/models", { method: "POST", body: JSON.stringify(usageFirst(active)) })).json<HealthModel>();
  }

  it("shows a read key the models but no editor, preview or activation, and refuses its hand-made POSTs with 403", async () => {
    const reader = await as(READ_KEY);
    const draft = await aDraft(reader);
    const overview = await reader.page("/app/model");
    expect(overview.status).toBe(200);
    const html = await overview.text();
    expect(html).toContain("Active: Model 1:");
    expect(html).toContain(`href="/app/model/${draft.id}"`);
    expect(html).not.toContain('class="draft"');
    expect(html).not.toContain(`action="/app/model#editor"`);
    const detail = await (await reader.page(`/app/model/${draft.id}`)).text();
    expect(detail).toContain("Previewing a draft needs a key with the &#39;ingest&#39; scope.");
    expect(detail).not.toContain("Accounts changing bucket");
    expect(detail).not.toContain("/activate");
    expect(detail).not.toContain("Start a new draft");

    const form = editorForm(await (await (await as(ADMIN_KEY)).page("/app/model")).text());
    const created = await reader.form("/app/model", form);
    expect(created.status).toBe(403);
    expect(await created.text()).toContain("This needs an API key with the &#39;ingest&#39; scope");
    expect((await reader.form(`/app/model/${draft.id}/activate`, {})).status).toBe(403);
    expect((await reader.page(`/app/model/${draft.id}/activate`)).status).toBe(403);
    const { models } = await (await reader.api("/health/models")).json<{ models: HealthModel[] }>();
    expect(models.map((model) => model.id)).toEqual([draft.id, 1]);
    expect((await (await reader.api("/health/model")).json<HealthModel>()).id).toBe(1);
  });

  it("lets an ingest key draft and preview, but not activate", async () => {
    const loader = await as(INGEST_KEY);
    const draft = await aDraft(loader);
    const html = await (await loader.page("/app/model")).text();
    const form = editorForm(html);
    const created = await loader.form("/app/model", { ...form, name: "By the loader" });
    expect(created.status).toBe(303);
    const detail = await (await loader.page(`/app/model/${draft.id}`)).text();
    expect(detail).toContain("Accounts changing bucket");
    expect(detail).not.toContain(`/app/model/${draft.id}/activate`);
    expect((await loader.page(`/app/model/${draft.id}/activate`)).status).toBe(403);
    expect((await loader.form(`/app/model/${draft.id}/activate`, {})).status).toBe(403);
    const { models } = await (await loader.api("/health/models")).json<{ models: HealthModel[] }>();
    expect(models.find((model) => model.name === "By the loader")?.created_by).toBe("loader");
    expect((await (await loader.api("/health/model")).json<HealthModel>()).id).toBe(1);
  });

  it("activates for an admin key, the audit record naming the key", async () => {
    const admin = await as(ADMIN_KEY);
    const draft = await aDraft(admin);
    expect(await (await admin.page(`/app/model/${draft.id}`)).text()).toContain(`href="/app/model/${draft.id}/activate"`);
    const response = await admin.form(`/app/model/${draft.id}/activate`, {});
    expect(response.status).toBe(303);
    expect((await (await admin.api("/health/model")).json<HealthModel>()).id).toBe(draft.id);
    const { records } = await (await admin.api("/audit")).json<{ records: { actor: string | null; action: string; subject_id: number }[] }>();
    expect(records).toEqual([expect.objectContaining({ actor: "ops", action: "health_model.activated", subject_id: draft.id })]);
  });

  it("refuses a cross-origin or origin-less POST with 403 and changes nothing", async () => {
    const admin = await as(ADMIN_KEY);
    const draft = await aDraft(admin);
    const form = editorForm(await (await admin.page("/app/model")).text());
    expect((await admin.form("/app/model", form, "https://evil.example")).status).toBe(403);
    expect((await admin.form(`/app/model/${draft.id}/activate`, {}, "https://evil.example")).status).toBe(403);
    const openCreate = await postForm("/app/model", form, {});
    expect(openCreate.status).toBe(403);
    expect(await openCreate.text()).toContain("Creating a draft must come from the console&#39;s own page (Origin).");
    const { models } = await (await admin.api("/health/models")).json<{ models: HealthModel[] }>();
    expect(models.map((model) => model.id)).toEqual([draft.id, 1]);
    expect((await (await admin.api("/health/model")).json<HealthModel>()).id).toBe(1);
  });
});
