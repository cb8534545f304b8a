import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousViolations, startConsole, type ConsoleSession } from "./console-page";

/**
 * Signing in to the console in headless Chromium, against `wrangler dev` with API_KEYS set: the sign-in form from the
 * keyboard, what a read key sees and may not do (the import page and a hand-made load answer 403), a cross-origin
 * POST refused, a forged session cookie sent back to the sign-in, and signing out.
 */

const PORT = 8793;
const READ_KEY = "ask_browser_read_key_0123456789abcdef";
const INGEST_KEY = "ask_browser_ingest_key_0123456789abcdef";
const digest = (key: string) => createHash("sha256").update(key).digest("hex");

let session: ConsoleSession;

beforeAll(async () => {
  session = await startConsole(PORT, {
    vars: { API_KEYS: `read:viewer:${digest(READ_KEY)},ingest:loader:${digest(INGEST_KEY)}` },
    uploadKey: INGEST_KEY,
  });
});

afterAll(async () => {
  await session?.stop();
});

describe("signing in to the console in Chromium", () => {
  it("signs a read key in from the keyboard, shows it no import, refuses its hand-made load, and signs it out", async () => {
    const { url } = session.server;
    const { page, problems } = await session.offlinePage(1440);
    await page.goto(`${url}/app/accounts`);
    expect(new URL(page.url()).pathname).toBe("/app/login");
    expect(await seriousViolations(page)).toEqual([]);
    await page.locator("#key").focus();
    await page.keyboard.type(READ_KEY);
    await Promise.all([page.waitForURL("**/app/accounts"), page.keyboard.press("Enter")]);
    expect(await page.locator("header .who span").textContent()).toBe("viewer (read)");
    const sections = await page.locator("header nav a").allTextContents();
    expect(sections).toContain("Accounts");
    expect(sections).not.toContain("Import");
    expect(sections).not.toContain("Webhooks");

    // The pages and actions of a wider scope answer 403 to the read key, even when asked by hand.
    const importPage = await page.request.get(`${url}/app/import`);
    expect(importPage.status()).toBe(403);
    const load = await page.request.post(`${url}/app/import/load`, {
      headers: { origin: url },
      multipart: { file: { name: "a.csv", mimeType: "text/csv", buffer: Buffer.from("account_name\nX\n") } },
    });
    expect(load.status()).toBe(403);
    // A POST from another site is refused whatever the key (here the sign-out, which would otherwise succeed).
    expect((await page.request.post(`${url}/app/logout`, { headers: { origin: "https://evil.example" }, maxRedirects: 0 })).status()).toBe(403);

    await Promise.all([page.waitForURL("**/app/login"), page.locator("header .who button").click()]);
    await page.goto(`${url}/app`);
    expect(new URL(page.url()).pathname).toBe("/app/login");
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("sends a forged session cookie back to the sign-in", async () => {
    const { url } = session.server;
    const { page } = await session.offlinePage(375);
    await page.context().addCookies([{ name: "console_session", value: "eyJmb3JnZWQiOnRydWV9.AAAA", url: `${url}/app`, secure: true, httpOnly: true }]);
    await page.goto(`${url}/app`);
    expect(new URL(page.url()).pathname).toBe("/app/login");
    await page.context().close();
  });
});
