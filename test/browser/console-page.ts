import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { expect } from "vitest";
import { startDevServer, type DevServer } from "../../bench/lib/dev-server";

/**
 * What the console's browser tests share: `wrangler dev` with examples/accounts.csv loaded and headless Chromium, a
 * page on which every request to another host is blocked and every failure recorded, and axe-core's serious findings.
 */

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return execFileSync("sh", ["-c", "command -v chromium || command -v chromium-browser"], { encoding: "utf8" }).trim();
}

interface AxeResult {
  violations: { id: string; impact: string | null; nodes: unknown[] }[];
}

export interface ConsoleSession {
  server: DevServer;
  browser: Browser;
  /** A page of `width` px on which anything not from the local server is blocked and every failure recorded. */
  offlinePage(width: number): Promise<{ page: Page; problems: string[] }>;
  stop(): Promise<void>;
}

/**
 * `wrangler dev` on `port` (with `vars`), examples/accounts.csv uploaded (with `uploadKey` when `vars` set API_KEYS),
 * and Chromium.
 */
export async function startConsole(port: number, options: { vars?: Record<string, string>; uploadKey?: string } = {}): Promise<ConsoleSession> {
  const server = await startDevServer({ port, vars: options.vars });
  const csv = readFileSync(join(import.meta.dirname, "..", "..", "examples", "accounts.csv"), "utf8");
  const upload = await fetch(`${server.url}/ingest/csv`, { method: "POST", headers: { "content-type": "text/csv", ...(options.uploadKey ? { authorization: `Bearer ${options.uploadKey}` } : {}) }, body: csv });
  expect(upload.status).toBe(200);
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox"] });
  return {
    server,
    browser,
    async offlinePage(width) {
      // The page's CSP allows no inline script, so axe is injected with the CSP bypassed (the page itself runs none).
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
    },
    async stop() {
      await browser.close();
      await server.stop();
    },
  };
}

/** The serious and critical accessibility violations axe-core finds on the page, as "rule (nodes)". */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const result = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as AxeResult;
  return result.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id} (${violation.nodes.length})`);
}
