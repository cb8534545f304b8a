import { SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { createApiClient } from "../client";
import { HEALTHY_GROWING, metricsCsv, SLIPPING } from "./helpers/csv";
import { resetDatabase } from "./helpers/db";

/** The typed client (client/index.ts over the generated client/schema.d.ts) driving the Worker through SELF.fetch. */

const BASE_URL = "http://example.com";

beforeEach(resetDatabase);

describe("the typed client", () => {
  it("uploads a CSV, lists and reads accounts, with typed answers", async () => {
    const api = createApiClient({ baseUrl: BASE_URL, fetch: (request) => SELF.fetch(request) });
    const uploaded = await api.POST("/ingest/csv", {
      body: metricsCsv([
        { ...HEALTHY_GROWING, days: 5 },
        { ...SLIPPING, days: 5 },
      ]),
      // A raw text/csv body, sent as it is rather than JSON-encoded.
      bodySerializer: (csv) => csv,
      headers: { "Content-Type": "text/csv" },
    });
    expect(uploaded.response.status).toBe(200);
    expect(uploaded.data).toMatchObject({ rows_total: 10, rows_rejected: 0, accounts_created: 2 });

    const list = await api.GET("/accounts", { params: { query: { sort: "arr", order: "desc" } } });
    expect(list.error).toBeUndefined();
    expect(list.data?.total).toBe(2);
    const names = list.data?.accounts.map((account) => account.account_name);
    expect(names).toEqual([HEALTHY_GROWING.name, SLIPPING.name]);

    const id = list.data!.accounts[0]!.id;
    const detail = await api.GET("/accounts/{id}", { params: { path: { id } } });
    expect(detail.data?.account_name).toBe(HEALTHY_GROWING.name);
    expect(detail.data?.metrics_history).toHaveLength(5);
  });

  it("answers a problem as the typed error", async () => {
    const api = createApiClient({ baseUrl: BASE_URL, fetch: (request) => SELF.fetch(request) });
    const { data, error, response } = await api.GET("/accounts/{id}", { params: { path: { id: 999_999 } } });
    expect(response.status).toBe(404);
    expect(data).toBeUndefined();
    expect(error).toMatchObject({ status: 404, title: "Not found", request_id: expect.any(String) });
  });

  it("sends the API key, and carries each answer's bookmark into the next request", async () => {
    const sent: { authorization: string | null; bookmark: string | null }[] = [];
    const api = createApiClient({
      baseUrl: BASE_URL,
      apiKey: "ask_example_key",
      fetch: (request) => {
        sent.push({ authorization: request.headers.get("authorization"), bookmark: request.headers.get("x-d1-bookmark") });
        return SELF.fetch(request);
      },
    });
    const first = await api.GET("/portfolio/summary");
    await api.GET("/playbooks");
    expect(sent[0]).toEqual({ authorization: "Bearer ask_example_key", bookmark: null });
    expect(sent[1]!.bookmark).toBe(first.response.headers.get("x-d1-bookmark"));
    expect(sent[1]!.bookmark).toMatch(/^[0-9a-f]{8}-/);
  });
});
