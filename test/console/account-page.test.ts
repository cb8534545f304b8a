import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import exampleCsv from "../../examples/accounts.csv?raw";
import type { RecommendationsResponse } from "../../src/contract/actions";
import type { Account, AccountDetail } from "../../src/contract/accounts";
import type { AccountInsightResponse } from "../../src/contract/insights";
import { escapeText } from "../../src/console/charts";
import { formatMoney } from "../../src/domain/format";
import { resetDatabase } from "../helpers/db";

/**
 * The account page (/app/accounts/{id}) and the accounts list's sparklines, in workerd against the API's answers for
 * the same account: GET /accounts/{id}, POST /actions/recommend and POST /insights/account/{id}.
 */

const ORIGIN = "http://example.com";

async function json<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await SELF.fetch(`${ORIGIN}${path}`, init);
  expect(response.status).toBe(200);
  return response.json<T>();
}

let accounts: Account[];

beforeAll(async () => {
  await resetDatabase();
  const response = await SELF.fetch(`${ORIGIN}/ingest/csv`, { method: "POST", headers: { "content-type": "text/csv" }, body: exampleCsv });
  expect(response.status).toBe(200);
  accounts = (await json<{ accounts: Account[] }>("/accounts?sort=health_score&page_size=100")).accounts;
});

describe("the account page", () => {
  it("charts one point per scored date, and shows the score, risk factors and playbooks the API answers", async () => {
    for (const account of [accounts[0]!, accounts.at(-1)!]) {
      const detail = await json<AccountDetail>(`/accounts/${account.id}`);
      const recommended = await json<RecommendationsResponse>(`/actions/recommend?account_id=${account.id}`, { method: "POST" });
      const response = await SELF.fetch(`${ORIGIN}/app/accounts/${account.id}`);
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toContain(`<h1>${escapeText(detail.account_name)}</h1>`);
      const history = /<svg[^>]*aria-label="Health score of [^"]*"[\s\S]*?<\/svg>/.exec(html)![0];
      const points = [...history.matchAll(/<circle [^>]*class="score-point"><title>([^<]*)<\/title>/g)].map((match) => match[1]);
      expect(points).toEqual(detail.health_history.map((entry) => `${entry.date}: ${entry.health_score.toFixed(1)}`));
      expect(html).toContain(`<dt>Health score</dt><dd>${detail.health_score!.toFixed(1)}</dd>`);
      expect(html).toContain(`<dd>${formatMoney(detail.arr)}</dd>`);
      for (const factor of recommended.risk_factors) expect(html).toContain(`<strong>${escapeText(factor.label)}</strong>`);
      const playbooks = [...html.matchAll(/<li><strong>([^<]*)<\/strong> \(\d+% fit\)/g)].map((match) => match[1]);
      expect(playbooks).toEqual(recommended.recommendations.map((recommendation) => escapeText(recommendation.playbook.title)));
      // A chart per metric, each with the metric's days.
      expect([...html.matchAll(/class="metric-line"/g)]).toHaveLength(5);
    }
  });

  it("answers 404 for an account that does not exist and 400 for an id that is not one, as pages", async () => {
    const missing = await SELF.fetch(`${ORIGIN}/app/accounts/999999`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toContain("text/html");
    expect(await missing.text()).toContain("No account has id 999999.");
    expect((await SELF.fetch(`${ORIGIN}/app/accounts/abc`)).status).toBe(400);
  });

  it("answers 304 to its own ETag", async () => {
    const first = await SELF.fetch(`${ORIGIN}/app/accounts/${accounts[0]!.id}`);
    const tag = first.headers.get("etag")!;
    expect((await SELF.fetch(`${ORIGIN}/app/accounts/${accounts[0]!.id}`, { headers: { "if-none-match": tag } })).status).toBe(304);
    expect((await SELF.fetch(`${ORIGIN}/app/accounts/${accounts[1]!.id}`, { headers: { "if-none-match": tag } })).status).toBe(200);
  });

  it("asks for the insight on a same-origin POST, and shows its text, its source and what it was based on", async () => {
    const id = accounts[0]!.id;
    const api = await json<AccountInsightResponse>(`/insights/account/${id}`, { method: "POST" });
    const response = await SELF.fetch(`${ORIGIN}/app/accounts/${id}/insight`, { method: "POST", headers: { origin: ORIGIN } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(`<strong class="insight-source">${api.source}</strong>`);
    for (const action of api.recommended_actions) expect(html).toContain(`<strong>${escapeText(action.title)}</strong>`);
    expect(html).toContain(`<dt>Playbooks offered</dt><dd>${api.based_on.playbook_ids.join(", ")}</dd>`);
    expect(html).not.toContain("Ask for the AI insight");

    const crossSite = await SELF.fetch(`${ORIGIN}/app/accounts/${id}/insight`, { method: "POST", headers: { origin: "https://evil.example" } });
    expect(crossSite.status).toBe(403);
  });
});

describe("the accounts list's sparklines", () => {
  it("draw each listed account's last 30 scores as GET /accounts/{id} answers them", async () => {
    const html = await (await SELF.fetch(`${ORIGIN}/app/accounts?sort=health_score&page_size=100`)).text();
    const rows = [...html.matchAll(/<tr><td><a href="\/app\/accounts\/(\d+)">[^<]*<\/a><\/td>([\s\S]*?)<\/tr>/g)];
    expect(rows).toHaveLength(accounts.length);
    for (const [, id, cells] of rows.slice(0, 6)) {
      const detail = await json<AccountDetail>(`/accounts/${id}`);
      const latest = Date.parse(`${detail.latest_metric_date}T00:00:00Z`);
      const recent = detail.health_history.filter((entry) => latest - Date.parse(`${entry.date}T00:00:00Z`) < 30 * 86_400_000);
      const path = /<svg[^>]*class="sparkline"[\s\S]*?<path d="([^"]+)"/.exec(cells!)?.[1] ?? "";
      // One vertex per scored day of the 30, at y = 22 − score × 0.2 (0-100 onto 20 px), in whole units.
      const ys = [...path.matchAll(/[ML][\d.-]+ ([\d.-]+)/g)].map((match) => Number(match[1]));
      expect(ys).toEqual(recent.map((entry) => Math.round(22 - entry.health_score * 0.2)));
    }
  });
});
