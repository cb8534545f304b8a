import { execFileSync } from "node:child_process";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../../bench/lib/dev-server";

/**
 * The docs pages as a user sees them, offline: every request to another host is blocked, so a page that needed a CDN
 * would stay blank (and the blocked request is reported). Needs `chromium` on the PATH (or CHROMIUM_PATH); `.ci/run`
 * installs it with apt-get when it is missing.
 */

const PORT = 8795;

interface OpenApiDocument {
  paths: Record<string, Record<string, { operationId: string; tags: string[] }>>;
}

let server: DevServer;
let browser: Browser;
let document: OpenApiDocument;

function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return execFileSync("sh", ["-c", "command -v chromium || command -v chromium-browser"], { encoding: "utf8" }).trim();
}

/** A page on which anything not from the local server is blocked, and every failure is recorded. */
async function offlinePage(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  const origin = new URL(server.url).origin;
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("data:") || url.startsWith("blob:") || new URL(url).origin === origin) return route.continue();
    problems.push(`blocked request to another host: ${url}`);
    return route.abort("blockedbyclient");
  });
  page.on("requestfailed", (request) => problems.push(`failed: ${request.url()} ${request.failure()?.errorText ?? ""}`));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  return { page, problems };
}

beforeAll(async () => {
  server = await startDevServer({ port: PORT });
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox"] });
  document = (await (await fetch(`${server.url}/openapi.json`)).json()) as OpenApiDocument;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const operations = () => Object.values(document.paths).flatMap((item) => Object.values(item));

/** Runs the page's checks; when one fails (a blank page times out), says what the page ran into. */
async function onPage(path: string, check: (page: Page) => Promise<void>): Promise<void> {
  const { page, problems } = await offlinePage();
  try {
    await page.goto(`${server.url}${path}`);
    await check(page);
  } catch (error) {
    throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}\n${problems.join("\n")}`, { cause: error });
  } finally {
    await page.close();
  }
  expect(problems, path).toEqual([]);
}

describe("the docs pages offline, in headless Chromium", () => {
  it("/docs: Swagger UI shows every tag and GET /accounts, and Try it out > Execute answers 200", async () => {
    await onPage("/docs", async (page) => {
      const tags = [...new Set(operations().flatMap((operation) => operation.tags))];
      expect(tags.length).toBeGreaterThan(5);
      for (const tag of tags) await page.locator(`.opblock-tag[data-tag="${tag}"]`).waitFor();

      const listAccounts = page.locator("#operations-Accounts-listAccounts");
      await listAccounts.waitFor();
      expect(await listAccounts.locator(".opblock-summary-path").innerText()).toBe("/accounts");
      await listAccounts.locator(".opblock-summary").click();
      await listAccounts.locator("button.try-out__btn").click();
      await listAccounts.locator("button.execute").click();
      const status = listAccounts.locator(".live-responses-table .response .response-col_status").first();
      await status.waitFor();
      expect((await status.innerText()).trim()).toBe("200");
    });
  });

  it("/redoc: ReDoc renders every operation in its list", async () => {
    await onPage("/redoc", async (page) => {
      for (const operation of operations()) {
        await page.locator(`[data-item-id$="/operation/${operation.operationId}"]`).first().waitFor({ state: "attached" });
      }
      await page.locator("h2", { hasText: "List accounts, paginated, filtered and sorted" }).first().waitFor();
    });
  });
});
