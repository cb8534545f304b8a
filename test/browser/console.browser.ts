import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../../bench/lib/dev-server";

/**
 * The console as a user sees it, in headless Chromium against `wrangler dev` with examples/accounts.csv loaded: every
 * request to another host blocked, no console error, the figures the API answers, no serious or critical
 * accessibility violation (axe-core), usable with the keyboard, and readable at 375 and 1440 px.
 */

const PORT = 8794;
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let server: DevServer;
let browser: Browser;

function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return execFileSync("sh", ["-c", "command -v chromium || command -v chromium-browser"], { encoding: "utf8" }).trim();
}

interface AxeResult {
  violations: { id: string; impact: string | null; nodes: unknown[] }[];
}

/** A page of `width` px on which anything not from the local server is blocked and every failure recorded. */
async function offlinePage(width: number): Promise<{ page: Page; problems: string[] }> {
  // The page's CSP allows no script of ours, so axe is injected with the CSP bypassed (the page itself runs none).
  const context = await browser.newContext({ bypassCSP: true, viewport: { width, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  const origin = new URL(server.url).origin;
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("data:") || new URL(url).origin === origin) return route.continue();
    problems.push(`blocked request to another host: ${url}`);
    return route.abort("blockedbyclient");
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  return { page, problems };
}

/** The serious and critical accessibility violations axe-core finds on the page, as "rule (nodes)". */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const result = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as AxeResult;
  return result.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id} (${violation.nodes.length})`);
}

beforeAll(async () => {
  server = await startDevServer({ port: PORT });
  const csv = readFileSync(join(import.meta.dirname, "..", "..", "examples", "accounts.csv"), "utf8");
  const upload = await fetch(`${server.url}/ingest/csv`, { method: "POST", headers: { "content-type": "text/csv" }, body: csv });
  expect(upload.status).toBe(200);
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox"] });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("the console in headless Chromium", () => {
  for (const width of [375, 1440]) {
    it(`renders at ${width} px with the API's figures, offline, without errors or serious accessibility violations`, async () => {
      const summary = (await (await fetch(`${server.url}/portfolio/summary`)).json()) as { total_accounts: number };
      const { page, problems } = await offlinePage(width);
      await page.goto(`${server.url}/app`);
      await expect.poll(() => page.locator("h1").textContent()).toBe("Portfolio");
      const accounts = await page.locator(".card", { hasText: "Accounts" }).first().locator("dd").textContent();
      expect(accounts).toBe(String(summary.total_accounts));
      expect(await page.locator("svg.chart").count()).toBe(2);
      // Nothing wider than the window: no sideways scrolling on a phone.
      expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(width);

      expect(await seriousViolations(page)).toEqual([]);
      expect(problems).toEqual([]);
      await page.context().close();
    });
  }

  it("the accounts page filters as GET /accounts does, at 375 px, without serious accessibility violations", async () => {
    const query = "bucket=critical&sort=health_score";
    const api = (await (await fetch(`${server.url}/accounts?${query}`)).json()) as { accounts: { account_name: string }[] };
    const { page, problems } = await offlinePage(375);
    await page.goto(`${server.url}/app/accounts`);
    await page.selectOption("select[name=bucket]", "Critical");
    await page.selectOption("select[name=sort]", "health_score");
    await page.click("form.filters button");
    await expect.poll(() => new URL(page.url()).search).toBe("?search=&bucket=Critical&segment=&owner=&renews_before=&sort=health_score&order=");
    const names = await page.locator("tbody tr td:first-child").allTextContents();
    expect(names).toEqual(api.accounts.map((account) => account.account_name));
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("is usable with the keyboard: the first Tab reaches the skip link, which moves to the content", async () => {
    const { page, problems } = await offlinePage(1440);
    await page.goto(`${server.url}/app`);
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement?.textContent?.trim()")).toBe("Skip to the content");
    await page.keyboard.press("Enter");
    expect(new URL(page.url()).hash).toBe("#main");
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
