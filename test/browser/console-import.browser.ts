import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousViolations, startConsole, type ConsoleSession } from "./console-page";

/**
 * The import page in headless Chromium against `wrangler dev` with examples/accounts.csv loaded, every request to
 * another host blocked: a file chosen, its header match and dry run shown, an unmatched header mapped, Load pressed
 * with the keyboard, the upload's and the queued rescore's progress to the end, then the new accounts on
 * /app/accounts. INGEST_RESCORE_INLINE_MAX_ACCOUNTS=1 sends every upload's rescore to the queue, so the page follows
 * a real job. Without JavaScript the form still posts the dry run.
 */

const PORT = 8797;

let session: ConsoleSession;
let directory: string;
let csvPath: string;

/** A UTC date `daysAgo` days before today (metric dates may not be in the future). */
function day(daysAgo: number): string {
  return new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
}

beforeAll(async () => {
  session = await startConsole(PORT, { vars: { INGEST_RESCORE_INLINE_MAX_ACCOUNTS: "1" } });
  directory = mkdtempSync(join(tmpdir(), "console-import-"));
  csvPath = join(directory, "new-accounts.csv");
  const header = "account_name,segment,region,arr,date,DAU,feature_adoption_rate,support_tickets_open,nps_score,login_frequency,Acct Manager";
  writeFileSync(
    csvPath,
    [
      header,
      `Quasar Dynamics,SMB,EU,64000,${day(2)},20,0.55,1,25,0.6,Fox Mulder`,
      `Quasar Dynamics,SMB,EU,64000,${day(1)},22,0.56,1,25,0.62,Fox Mulder`,
      `Nimbus Analytics,Mid-Market,US,210000,${day(1)},55,0.72,2,40,0.8,Fox Mulder`,
    ].join("\n") + "\n",
  );
});

afterAll(async () => {
  await session?.stop();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

/** Presses Tab until the focused element matches `selector` (at most `limit` times). */
async function tabTo(page: import("playwright-core").Page, selector: string, limit = 60): Promise<void> {
  for (let step = 0; step < limit; step++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

/**
 * Presses Space on the focused file input until the chooser opens: headless Chromium now and then drops the first
 * press (the CI saw a 15 s wait for a chooser that never came), so a press that opens nothing in 3 s is repeated.
 */
async function openChooserFromKeyboard(page: import("playwright-core").Page): Promise<import("playwright-core").FileChooser> {
  for (let attempt = 1; ; attempt++) {
    try {
      const [chooser] = await Promise.all([page.waitForEvent("filechooser", { timeout: 3_000 }), page.keyboard.press("Space")]);
      return chooser;
    } catch (error) {
      if (attempt === 4) throw error;
      await page.focus("#file");
    }
  }
}

describe("the import page in headless Chromium", () => {
  it("imports a file end to end at 375 px with the keyboard, offline, without errors or serious accessibility violations", async () => {
    const { page, problems } = await session.offlinePage(375);
    await page.goto(`${session.server.url}/app/import`);
    expect(await page.locator("h1").textContent()).toBe("Import");

    // Choose the file from the keyboard: Space on the file input opens the chooser.
    await tabTo(page, "#file");
    await (await openChooserFromKeyboard(page)).setFiles(csvPath);

    // The dry run's report: the header match (the unmatched header offered a field), the counts.
    const report = page.locator("#report");
    await expect.poll(() => report.locator("h2").textContent()).toBe("Dry run of new-accounts.csv");
    expect(await report.locator("tr:has(th:text-is('DAU')) td").allTextContents()).toEqual(["daily_active_users", "an alias"]);
    expect(await report.locator("dt:text-is('Accounts to create') + dd").textContent()).toBe("2");
    const unmatched = report.locator("select[data-header='Acct Manager']");
    expect(await unmatched.inputValue()).toBe("");

    // Map it to owner, then check again without choosing the file again.
    await tabTo(page, "select[data-header='Acct Manager']");
    await unmatched.selectOption("owner");
    await tabTo(page, "#mapping-form button[type=submit]");
    await page.keyboard.press("Enter");
    await expect.poll(() => report.locator("tr:has(th:text-is('Acct Manager')) td").nth(1).textContent()).toBe("your mapping");
    expect(await report.locator("select[data-header='Acct Manager']").inputValue()).toBe("owner");
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
    expect(await seriousViolations(page)).toEqual([]);

    // Only now Load, from the keyboard; the upload's bar, then the queued rescore's, run to the end.
    await tabTo(page, "#load");
    expect(await page.locator("#load").textContent()).toBe("Load 3 rows");
    const loaded = page.waitForResponse((response) => response.url().endsWith("/app/import/load"));
    await page.keyboard.press("Enter");
    const answer = (await (await loaded).json()) as { rescore_job_id: number | null; accounts_created: number };
    expect(answer).toMatchObject({ rescore_job_id: expect.any(Number), accounts_created: 2 });
    await page.locator("#load-done").waitFor({ state: "visible", timeout: 30_000 });
    expect(await page.evaluate("document.getElementById('upload-bar').value")).toBe(100);
    expect(await page.evaluate("document.getElementById('rescore-bar').value")).toBe(100);
    expect(await page.locator("#load-status").textContent()).toContain("The scores are up to date.");
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
    expect(await seriousViolations(page)).toEqual([]);

    // Then the accounts, with the new ones scored and their mapped owner.
    await tabTo(page, "#load-done a");
    await Promise.all([page.waitForURL("**/app/accounts"), page.keyboard.press("Enter")]);
    for (const name of ["Quasar Dynamics", "Nimbus Analytics"]) {
      const row = page.locator("tbody tr", { hasText: name });
      expect(await row.locator("td").nth(2).textContent()).toMatch(/^\d+\.\d$/);
      expect(await row.locator("td").nth(7).textContent()).toBe("Fox Mulder");
    }
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("without JavaScript, the form posts the dry run and shows the report, saying loading needs the script", async () => {
    const context = await session.browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 900 } });
    const page = await context.newPage();
    const failures: string[] = [];
    page.on("response", (response) => {
      if (response.status() >= 400) failures.push(`HTTP ${response.status()}: ${response.url()}`);
    });
    await page.goto(`${session.server.url}/app/import`);
    await page.setInputFiles("#file", csvPath);
    await Promise.all([page.waitForURL("**/app/import/check"), page.click("#import-form button[type=submit]")]);
    expect(await page.locator("#report h2").textContent()).toBe("Dry run of new-accounts.csv");
    expect(await page.locator("#report .needs-script").first().isVisible()).toBe(true);
    expect(await page.locator("#load").isVisible()).toBe(false);
    expect(failures).toEqual([]);
    await context.close();
  });
});
