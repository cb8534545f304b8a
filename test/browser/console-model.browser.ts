import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousViolations, startConsole, type ConsoleSession } from "./console-page";

/**
 * The health model pages in headless Chromium against `wrangler dev` with examples/accounts.csv loaded: the model page,
 * a draft's preview and its confirmation readable at 375 and 1440 px without sideways scrolling, offline, without
 * console errors or serious accessibility violations; a draft edited and submitted with the keyboard alone; and the
 * activation through its confirmation.
 */

const PORT = 8796;

interface Model {
  id: number;
  name: string;
  window_days: number;
  buckets: { healthy_min: number; at_risk_min: number };
  components: { key: string; weight: number }[];
}

interface Preview {
  accounts: number;
  moves: { from: string; to: string; accounts: number; arr: number }[];
}

/** How wide the page can be scrolled: the body's too, which an absolutely positioned element can widen alone. */
function scrollWidth(page: Page): Promise<number> {
  return page.evaluate<number>("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)");
}

let session: ConsoleSession;
let url: string;
let draft: Model;

async function json<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${url}${path}`, init);
  expect(response.status, path).toBeLessThan(300);
  return (await response.json()) as T;
}

beforeAll(async () => {
  session = await startConsole(PORT);
  url = session.server.url;
  const active = await json<Model>("/health/model");
  const { name, window_days, components } = active;
  const document = {
    name,
    window_days,
    buckets: { healthy_min: 78, at_risk_min: 50 },
    components: components.map((component, index) => ({ ...component, weight: component.weight + (index === 0 ? 20 : index === 1 ? -20 : 0) })),
  };
  draft = await json<Model>("/health/models", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(document) });
});

afterAll(async () => {
  await session?.stop();
});

describe("the health model pages in headless Chromium", () => {
  for (const width of [375, 1440]) {
    it(`the model page renders at ${width} px, offline, without errors, sideways scrolling or serious accessibility violations`, async () => {
      const active = await json<Model>("/health/model");
      const { page, problems } = await session.offlinePage(width);
      await page.goto(`${url}/app/model`);
      await expect.poll(() => page.locator("h1").textContent()).toBe("Health model");
      const keys = await page.locator("table.components tbody th[scope=row]").allTextContents();
      expect(keys).toEqual(active.components.map((component) => component.key));
      expect(await page.locator("form.draft").count()).toBe(1);
      expect(await scrollWidth(page)).toBeLessThanOrEqual(width);
      expect(await seriousViolations(page)).toEqual([]);
      expect(problems).toEqual([]);
      await page.context().close();
    });

    it(`a draft's preview and its confirmation render at ${width} px with the API's figures, without errors or serious violations`, async () => {
      const preview = await json<Preview>(`/health/models/${draft.id}/preview`, { method: "POST" });
      const changing = preview.moves.filter((move) => move.from !== move.to).reduce((sum, move) => sum + move.accounts, 0);
      expect(changing).toBeGreaterThan(0);
      const { page, problems } = await session.offlinePage(width);
      for (const path of [`/app/model/${draft.id}`, `/app/model/${draft.id}/activate`]) {
        await page.goto(`${url}${path}`);
        await expect.poll(() => page.locator("h1").textContent()).toContain(`Model ${draft.id}`);
        expect(await scrollWidth(page), path).toBeLessThanOrEqual(width);
        expect(await seriousViolations(page), path).toEqual([]);
      }
      await page.goto(`${url}/app/model/${draft.id}`);
      const shown = await page.locator(".card", { hasText: "Accounts changing bucket" }).locator("dd").textContent();
      expect(shown).toBe(changing.toLocaleString("en-US"));
      expect(await page.locator("table.moves tbody tr").count()).toBe(3);
      expect(problems).toEqual([]);
      await page.context().close();
    });
  }

  it("a weight edited and the draft submitted with the keyboard alone creates the draft and opens its preview", async () => {
    const active = await json<Model>("/health/model");
    const [first, second] = active.components;
    const { page, problems } = await session.offlinePage(1440);
    await page.goto(`${url}/app/model`);
    const focusedName = () => page.evaluate("document.activeElement?.getAttribute('name') ?? ''");
    const tabTo = async (name: string) => {
      for (let presses = 0; presses < 80 && (await focusedName()) !== name; presses++) await page.keyboard.press("Tab");
      expect(await focusedName()).toBe(name);
    };
    await tabTo("components.0.weight");
    await page.keyboard.press("Control+A");
    await page.keyboard.type(String(first!.weight + 5));
    await tabTo("components.1.weight");
    await page.keyboard.press("Control+A");
    await page.keyboard.type(String(second!.weight - 5));
    await page.keyboard.press("Enter");
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/app\/model\/\d+$/);
    const id = Number(new URL(page.url()).pathname.split("/").pop());
    expect(id).not.toBe(draft.id);
    await expect.poll(() => page.locator("h1").textContent()).toContain(`Model ${id}`);
    const created = await json<Model>(`/health/models/${id}`);
    expect(created.components.map((component) => component.weight)).toEqual(
      active.components.map((component, index) => component.weight + (index === 0 ? 5 : index === 1 ? -5 : 0)),
    );
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("a refused draft shows the API's errors beside the form at 375 px, linked from a summary, without serious violations", async () => {
    const { page, problems } = await session.offlinePage(375);
    await page.goto(`${url}/app/model`);
    await page.fill("input[name='buckets.at_risk_min']", "95");
    await page.fill("input[name='components.0.weight']", "99");
    await page.getByRole("button", { name: "Create the draft" }).click();
    // at_risk_min above healthy_min, and the weights off 100 for each of the three segments.
    await expect.poll(() => page.locator(".error-summary a").count()).toBe(4);
    // The refused draft's page opens at the editor, where its errors are, not at the top.
    expect(new URL(page.url()).hash).toBe("#editor");
    // The browser scrolls to the fragment once the page has loaded (its stylesheet applied), not before.
    await page.waitForLoadState("load");
    await expect.poll(() => page.evaluate<number>("window.scrollY")).toBeGreaterThan(0);
    expect(await page.locator("input[name='buckets.at_risk_min']").getAttribute("aria-invalid")).toBe("true");
    expect(await page.inputValue("input[name='components.0.weight']")).toBe("99");
    expect(await scrollWidth(page)).toBeLessThanOrEqual(375);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([`HTTP 400: ${url}/app/model`, expect.stringContaining("status of 400")]);
    await page.context().close();
  });

  it("the confirmation's button activates the draft: the model page then shows it active, as GET /health/model does", async () => {
    const { page, problems } = await session.offlinePage(1440);
    await page.goto(`${url}/app/model/${draft.id}`);
    await page.getByRole("link", { name: "Activate…" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/app/model/${draft.id}/activate`);
    await page.getByRole("button", { name: `Activate model ${draft.id}` }).click();
    await expect.poll(() => new URL(page.url()).pathname + new URL(page.url()).search).toBe(`/app/model?activated=${draft.id}`);
    expect(await page.locator("[role=status]").textContent()).toContain(`Model ${draft.id}`);
    expect((await json<Model>("/health/model")).id).toBe(draft.id);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
