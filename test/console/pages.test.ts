import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import exampleCsv from "../../examples/accounts.csv?raw";
import { CONSOLE_STYLESHEET } from "../../src/console/styles";
import { openSession, SESSION_COOKIE, signSession } from "../../src/console/session";
import { BOOK_TREND_WEEKS, type BookTrend } from "../../src/contract/book-trend";
import type { PortfolioSummary } from "../../src/contract/portfolio";
import type { RevenueMovements } from "../../src/contract/revenue";
import { formatMoney } from "../../src/domain/format";
import { DEVELOPMENT_SESSION_SECRET } from "../../src/lib/config";
import { sha256Hex } from "../../src/lib/hash";
import { resetDatabase } from "../helpers/db";
import { fetchWith } from "../helpers/worker";

/**
 * The console's pages through the Worker, in workerd: the portfolio page's figures against the API's answers, its
 * headers, and the sign-in that fits the API keys. The browser test (test/browser) loads the same pages in Chromium.
 */

const ORIGIN = "http://example.com";
const READ_KEY = "ask_console_read_key_0123456789abcdef";
const ADMIN_KEY = "ask_console_admin_key_0123456789abcdef";

async function keyed() {
  return { API_KEYS: `read:viewer:${await sha256Hex(READ_KEY)},admin:ops:${await sha256Hex(ADMIN_KEY)}` };
}

function login(key: string, vars: Record<string, string>, origin = ORIGIN): Promise<Response> {
  return fetchWith(vars, "/app/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin },
    body: new URLSearchParams({ key, next: "/app" }).toString(),
    redirect: "manual",
  });
}

function sessionCookie(response: Response): string {
  const cookie = response.headers.get("set-cookie") ?? "";
  const value = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(cookie)?.[1];
  if (!value) throw new Error(`no session cookie in ${cookie}`);
  return value;
}

describe("the portfolio page (/app)", () => {
  beforeAll(async () => {
    await resetDatabase();
    const response = await SELF.fetch(`${ORIGIN}/ingest/csv`, { method: "POST", headers: { "content-type": "text/csv" }, body: exampleCsv });
    expect(response.status).toBe(200);
  });

  it("shows the figures GET /portfolio/summary and GET /portfolio/revenue answer", async () => {
    const summary = await (await SELF.fetch(`${ORIGIN}/portfolio/summary`)).json<PortfolioSummary>();
    const revenue = await (await SELF.fetch(`${ORIGIN}/portfolio/revenue?days=90`)).json<RevenueMovements>();
    const response = await SELF.fetch(`${ORIGIN}/app`);
    expect(response.status).toBe(200);
    const html = await response.text();
    const card = (label: string) => new RegExp(`<dt>${label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}</dt><dd>([^<]*)</dd>`).exec(html)?.[1];
    expect(card("Accounts")).toBe(String(summary.total_accounts));
    expect(card("Total ARR")).toBe(formatMoney(summary.total_arr));
    expect(card("ARR at risk")).toBe(formatMoney(summary.arr_at_risk));
    expect(card("Average health")).toBe(summary.avg_health_score.toFixed(1));
    const shownRatio = (value: number | null) => (value === null ? "n/a" : `${(value * 100).toFixed(1)}%`);
    expect(card("NRR, 90 days")).toBe(shownRatio(revenue.nrr));
    expect(card("GRR, 90 days")).toBe(shownRatio(revenue.grr));
    expect(card("Renewing in 90 days")).toBe(formatMoney(summary.renewals_next_90_days.arr));
    for (const account of summary.lowest_accounts) expect(html).toContain(`<td>${account.account_name}</td>`);
    expect(html).toContain(`ARR by health bucket`);
    expect(html).not.toContain("<script");
  });

  it("charts the book's weekly health as GET /portfolio/trend answers it", async () => {
    const trend = await (await SELF.fetch(`${ORIGIN}/portfolio/trend`)).json<BookTrend>();
    expect(trend.points).toHaveLength(BOOK_TREND_WEEKS);
    expect(trend.points.at(-1)!.accounts.Healthy + trend.points.at(-1)!.accounts["At-Risk"] + trend.points.at(-1)!.accounts.Critical).toBeGreaterThan(0);
    const html = await (await SELF.fetch(`${ORIGIN}/app`)).text();
    const chart = /<svg[^>]*aria-label="Accounts by health bucket, a week at a time"[\s\S]*?<\/svg>/.exec(html)![0];
    const shown = [...chart.matchAll(/<title>([^<]*)<\/title><\/rect>/g)].map((match) => match[1]);
    expect(shown).toEqual(
      trend.points.flatMap((point) => (["Critical", "At-Risk", "Healthy"] as const).map((bucket) => `${point.date} · ${bucket}: ${point.accounts[bucket]}`)),
    );
  });

  it("answers 304 to its own ETag until the data changes", async () => {
    const first = await SELF.fetch(`${ORIGIN}/app`);
    const tag = first.headers.get("etag");
    expect(tag).toMatch(/^W\/"[0-9a-f]{32}"$/);
    expect(first.headers.get("cache-control")).toBe("private, no-cache");
    expect((await SELF.fetch(`${ORIGIN}/app`, { headers: { "if-none-match": tag! } })).status).toBe(304);
    const upload = await SELF.fetch(`${ORIGIN}/ingest/csv`, { method: "POST", headers: { "content-type": "text/csv" }, body: exampleCsv.replace("Acme Corp", "Acme Two") });
    expect(upload.status).toBe(200);
    const after = await SELF.fetch(`${ORIGIN}/app`, { headers: { "if-none-match": tag! } });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(tag);
  });

  it("answers with a strict CSP and a stylesheet of its own, cached for a year", async () => {
    const response = await SELF.fetch(`${ORIGIN}/app`);
    const policy = response.headers.get("content-security-policy") ?? "";
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("style-src 'self'");
    expect(policy).not.toContain("unsafe");
    // Not no-referrer: under it a browser sends `Origin: null` with the console's own form POSTs.
    expect(response.headers.get("referrer-policy")).toBe("same-origin");
    expect((await SELF.fetch(`${ORIGIN}/portfolio/summary`)).headers.get("referrer-policy")).toBe("no-referrer");
    expect(await response.text()).toContain(`href="${CONSOLE_STYLESHEET}"`);
    const css = await SELF.fetch(`${ORIGIN}${CONSOLE_STYLESHEET}`);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(css.headers.get("cache-control")).toContain("immutable");
  });
});

describe("the accounts page (/app/accounts)", () => {
  beforeAll(async () => {
    await resetDatabase();
    const response = await SELF.fetch(`${ORIGIN}/ingest/csv`, { method: "POST", headers: { "content-type": "text/csv" }, body: exampleCsv });
    expect(response.status).toBe(200);
  });

  it.each([
    "",
    "bucket=critical&sort=health_score",
    "segment=smb&sort=arr&order=desc",
    "search=co&sort=renewal_date&page_size=5&page=2",
    "owner=Dana%20Scully&renews_before=2027-06-01",
  ])("lists the accounts GET /accounts lists for ?%s, in its order", async (query) => {
    const api = await (await SELF.fetch(`${ORIGIN}/accounts?${query}`)).json<{ total: number; accounts: { account_name: string }[] }>();
    const html = await (await SELF.fetch(`${ORIGIN}/app/accounts?${query}`)).text();
    const listed = [...html.matchAll(/<tr><td><a href="\/app\/accounts\/\d+">([^<]*)<\/a><\/td>/g)].map((match) => match[1]);
    expect(listed).toEqual(api.accounts.map((account) => account.account_name));
    expect(html).toContain(`${api.total.toLocaleString("en-US")} accounts`);
  });

  it("keeps the query in the page links and the form", async () => {
    const html = await (await SELF.fetch(`${ORIGIN}/app/accounts?segment=SMB&page_size=2`)).text();
    expect(html).toContain('href="/app/accounts?segment=SMB&amp;page_size=2&amp;page=2"');
    expect(html).toContain('<option value="SMB" selected="">SMB</option>');
  });

  it("answers 400 with the API's message for a filter it refuses", async () => {
    const response = await SELF.fetch(`${ORIGIN}/app/accounts?min_health=90&max_health=10`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Expected min_health (90) to be at most max_health (10)");
  });
});

describe("signing in to the console with an API key", () => {
  it("is open without API_KEYS, and sends to the sign-in with them", async () => {
    expect((await SELF.fetch(`${ORIGIN}/app`)).status).toBe(200);
    const redirected = await fetchWith(await keyed(), "/app", { redirect: "manual" });
    expect(redirected.status).toBe(303);
    expect(redirected.headers.get("location")).toBe("/app/login?next=%2Fapp");
    const page = await fetchWith(await keyed(), "/app/login");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="key"');
  });

  it("signs in with a valid key into a signed, HttpOnly, Secure, SameSite=Strict cookie holding no key", async () => {
    const vars = await keyed();
    const response = await login(READ_KEY, vars);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/app");
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/app/);
    expect(cookie).toMatch(/Max-Age=28800/);
    expect(cookie).not.toContain(READ_KEY);
    const page = await fetchWith(vars, "/app", { headers: { cookie: `${SESSION_COOKIE}=${sessionCookie(response)}` } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("viewer (read)");
  });

  it("shows each key only the sections its scope allows", async () => {
    const vars = await keyed();
    const visit = async (key: string) => {
      const cookie = sessionCookie(await login(key, vars));
      return (await fetchWith(vars, "/app", { headers: { cookie: `${SESSION_COOKIE}=${cookie}` } })).text();
    };
    const reader = await visit(READ_KEY);
    expect(reader).toContain('href="/app/events"');
    expect(reader).not.toContain('href="/app/import"');
    expect(reader).not.toContain('href="/app/webhooks"');
    const admin = await visit(ADMIN_KEY);
    expect(admin).toContain('href="/app/import"');
    expect(admin).toContain('href="/app/webhooks"');
  });

  it("refuses a wrong key (401), a cross-origin sign-in (403), and a forged, expired or revoked session", async () => {
    const vars = await keyed();
    expect((await login("ask_not_a_key", vars)).status).toBe(401);
    expect((await login(READ_KEY, vars, "https://evil.example")).status).toBe(403);

    const value = sessionCookie(await login(ADMIN_KEY, vars));
    const [payload, signature] = value.split(".");
    const forged = `${payload}.${signature!.startsWith("A") ? "B" : "A"}${signature!.slice(1)}`;
    const visit = (cookie: string, extra: Record<string, string> = {}) =>
      fetchWith({ ...vars, ...extra }, "/app", { headers: { cookie: `${SESSION_COOKIE}=${cookie}` }, redirect: "manual" });
    expect((await visit(forged)).status).toBe(303);
    // The admin key leaves API_KEYS: its session ends at the next request.
    expect((await visit(value, { API_KEYS: `read:viewer:${await sha256Hex(READ_KEY)}` })).status).toBe(303);
    const keys = [{ scope: "admin" as const, name: "ops", digest: await sha256Hex(ADMIN_KEY) }];
    const expired = await signSession(DEVELOPMENT_SESSION_SECRET, keys[0]!, new Date(Date.now() - 9 * 3600 * 1000));
    expect(await openSession(DEVELOPMENT_SESSION_SECRET, expired, keys, new Date())).toBeNull();
    expect((await visit(expired)).status).toBe(303);
  });

  it("signs out (clearing the cookie) only from its own origin", async () => {
    const vars = await keyed();
    const out = (origin: string) => fetchWith(vars, "/app/logout", { method: "POST", headers: { origin }, redirect: "manual" });
    expect((await out("https://evil.example")).status).toBe(403);
    const response = await out(ORIGIN);
    expect(response.status).toBe(303);
    expect(response.headers.get("set-cookie")).toMatch(new RegExp(`${SESSION_COOKIE}=;.*Max-Age=0`));
  });

  it("answers no CORS, even when CORS_ORIGINS lets another site call the API", async () => {
    const vars = { CORS_ORIGINS: "https://app.example" };
    const headers = { origin: "https://app.example" };
    expect((await fetchWith(vars, "/portfolio/summary", { headers })).headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect((await fetchWith(vars, "/app", { headers })).headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await fetchWith(vars, "/app/login", {
      method: "OPTIONS",
      headers: { ...headers, "access-control-request-method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers 503 misconfigured in production without SESSION_SECRET", async () => {
    const vars = { ...(await keyed()), ENVIRONMENT: "production" };
    const response = await fetchWith(vars, "/app/login");
    expect(response.status).toBe(503);
    expect(await response.text()).toContain("SESSION_SECRET is not set");
    expect(env.DB).toBeDefined();
  });
});
