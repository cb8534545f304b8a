import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousViolations, startConsole, type ConsoleSession } from "./console-page";

/**
 * The events and webhooks pages as a user sees them, in headless Chromium against `wrangler dev` with
 * examples/accounts.csv loaded: at 375 px without sideways scrolling, errors, requests to another host or serious
 * accessibility violations; a webhook created with the keyboard alone, its secret shown once.
 */

const PORT = 8795;
// Long, so the pages must wrap or scroll it inside their tables at 375 px.
const RECEIVER = "http://127.0.0.1:9/hooks/for-the-customer-success-team/a-rather-long-path-that-does-not-fit";

let session: ConsoleSession;
let server: ConsoleSession["server"];

beforeAll(async () => {
  session = await startConsole(PORT);
  server = session.server;
});

afterAll(async () => {
  await session?.stop();
});

async function expectReadableAt375(page: Page, problems: string[]) {
  expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
  // scrollWidth misses what overflows through <body> (an absolutely positioned element in a scrolling table, say):
  // the page must not move when asked to scroll sideways.
  expect(await page.evaluate("(window.scrollTo(10000, 0), window.scrollX)")).toBe(0);
  expect(await seriousViolations(page)).toEqual([]);
  expect(problems).toEqual([]);
}

/** Presses Tab until the focused element matches `selector`; fails after `limit` presses. */
async function tabTo(page: Page, selector: string, limit = 80) {
  for (let press = 0; press < limit; press++) {
    await page.keyboard.press("Tab");
    if (await page.locator(`${selector}:focus`).count()) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

describe("the events and webhooks pages in headless Chromium", () => {
  it("the events page lists the feed as GET /events does, and filters by type, at 375 px", async () => {
    const api = (await (await fetch(`${server.url}/events?type=ingest.completed`)).json()) as { events: { id: number }[] };
    expect(api.events.length).toBeGreaterThan(0);
    const { page, problems } = await session.offlinePage(375);
    await page.goto(`${server.url}/app/events`);
    await expect.poll(() => page.locator("h1").textContent()).toBe("Events");
    await page.selectOption("select[name=type]", "ingest.completed");
    await page.click("form.filters button");
    await expect.poll(() => new URL(page.url()).searchParams.get("type")).toBe("ingest.completed");
    const ids = await page.locator("tbody tr td:first-child").allTextContents();
    expect(ids.map(Number)).toEqual(api.events.map((event) => event.id));
    await expectReadableAt375(page, problems);
    await page.context().close();
  });

  it("creates a webhook with the keyboard alone, shows its secret once, and lists it", async () => {
    const { page, problems } = await session.offlinePage(375);
    await page.goto(`${server.url}/app/webhooks`);
    await expect.poll(() => page.locator("h1").textContent()).toBe("Webhooks");
    await expectReadableAt375(page, problems);

    await tabTo(page, "#webhook-url");
    await page.keyboard.type(RECEIVER);
    await tabTo(page, 'input[value="health.bucket_changed"]');
    await page.keyboard.press("Space");
    await tabTo(page, "form.webhook button[type=submit]");
    await page.keyboard.press("Enter");

    await expect.poll(() => page.locator("h1").textContent()).toBe("Webhook created");
    const secret = (await page.locator("code.secret").textContent()) ?? "";
    expect(secret).toMatch(/^whsec_/);
    expect(await page.locator(".secret-box").textContent()).toContain("it is not shown again");
    await expectReadableAt375(page, problems);

    const webhooks = (await (await fetch(`${server.url}/webhooks`)).json()) as { id: number; url: string; event_types: string[] }[];
    const created = webhooks.find((webhook) => webhook.url === RECEIVER);
    expect(created?.event_types).toEqual(["health.bucket_changed"]);

    await page.getByRole("link", { name: "All webhooks" }).click();
    await expect.poll(() => page.locator("h1").textContent()).toBe("Webhooks");
    expect(await page.content()).not.toContain(secret);
    expect(await page.locator("td.url a").allTextContents()).toContain(RECEIVER);
    await expectReadableAt375(page, problems);
    await page.context().close();
  });

  it("an endpoint's page shows the test delivery it sends, at 375 px", async () => {
    const response = await fetch(`${server.url}/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: RECEIVER, event_types: ["ingest.completed"] }),
    });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: number };
    const { page, problems } = await session.offlinePage(375);
    await page.goto(`${server.url}/app/webhooks/${id}`);
    await expect.poll(() => page.locator("h1").textContent()).toBe(`Webhook ${id}`);
    await page.getByRole("button", { name: /^Send a test/ }).click();
    await expect.poll(() => page.locator("tbody tr").count()).toBe(1);
    // Nothing listens on the receiver's port: the one attempt fails, as the API records it.
    const deliveries = (await (await fetch(`${server.url}/webhooks/${id}/deliveries`)).json()) as { id: number; status: string }[];
    expect(await page.locator("tbody tr td:first-child").allTextContents()).toEqual(deliveries.map((delivery) => String(delivery.id)));
    expect(await page.locator("tbody tr td.state").textContent()).toBe(deliveries[0]?.status);
    await expectReadableAt375(page, problems);
    await page.context().close();
  });
});
