import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousViolations, startConsole, type ConsoleSession } from "./console-page";

/**
 * The console as a user sees it, in headless Chromium against `wrangler dev` with examples/accounts.csv loaded: every
 * request to another host blocked, no console error, the figures the API answers, no serious or critical
 * accessibility violation (axe-core), usable with the keyboard, and readable at 375 and 1440 px.
 */

const PORT = 8794;

let session: ConsoleSession;
let server: ConsoleSession["server"];
const offlinePage = (width: number) => session.offlinePage(width);

beforeAll(async () => {
  session = await startConsole(PORT);
  server = session.server;
});

afterAll(async () => {
  await session?.stop();
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
      expect(await page.locator("svg.chart").count()).toBe(4);
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
    // The URL changes when the answer starts; the width is measured once the stylesheet has applied.
    await page.waitForLoadState("load");
    const names = await page.locator("tbody tr td:first-child").allTextContents();
    expect(names).toEqual(api.accounts.map((account) => account.account_name));
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("the account page charts one point per scored date and asks for the insight with the keyboard alone", async () => {
    const list = (await (await fetch(`${server.url}/accounts?sort=health_score`)).json()) as { accounts: { id: number }[] };
    const id = list.accounts[0]!.id;
    const detail = (await (await fetch(`${server.url}/accounts/${id}`)).json()) as { health_history: unknown[] };
    for (const width of [375, 1440]) {
      const { page, problems } = await offlinePage(width);
      await page.goto(`${server.url}/app/accounts/${id}`);
      expect(await page.locator("svg.chart circle.score-point").count()).toBe(detail.health_history.length);
      expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(width);
      expect(await seriousViolations(page)).toEqual([]);
      if (width === 1440) {
        await page.locator("button", { hasText: "Ask for the AI insight" }).focus();
        await page.keyboard.press("Enter");
        await expect.poll(() => page.locator(".insight-source").textContent()).toBe("rules");
        expect(await page.locator("dl.basis").count()).toBe(1);
        expect(await seriousViolations(page)).toEqual([]);
      }
      expect(problems).toEqual([]);
      await page.context().close();
    }
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
