import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { EventList, HealthEvent } from "../../src/contract/events";
import { resetDatabase } from "../helpers/db";
import { allEvents, days, uploadDays } from "../helpers/events";

/**
 * The events page (/app/events) through the Worker, in workerd: the events GET /events answers for the same query,
 * its filters, its cursor paging, its refusals and its empty states.
 */

const ORIGIN = "http://example.com";

async function apiPage(query: string): Promise<EventList> {
  const response = await SELF.fetch(`${ORIGIN}/events?${query}`);
  expect(response.status).toBe(200);
  return response.json<EventList>();
}

async function page(query: string): Promise<{ status: number; html: string }> {
  const response = await SELF.fetch(`${ORIGIN}/app/events${query === "" ? "" : `?${query}`}`);
  return { status: response.status, html: await response.text() };
}

/** The ids of the events the page lists, in its order. */
function listedIds(html: string): number[] {
  return [...html.matchAll(/<tr><td class="number">(\d+)<\/td>/g)].map((match) => Number(match[1]));
}

/** The page's "Newer events" link, decoded as the browser follows it; null when there is none. */
function newerLink(html: string): string | null {
  const href = /<a href="([^"]*)">Newer events<\/a>/.exec(html)?.[1];
  return href === undefined ? null : href.replaceAll("&amp;", "&");
}

let acmeId: number;

beforeAll(async () => {
  await resetDatabase();
  // Acme is scored Healthy, then turns Critical: two uploads (ingest.completed each) and Acme's account events.
  expect((await uploadDays(days("Acme", 0, 39, "healthy"))).status).toBe(200);
  expect((await uploadDays([...days("Acme", 40, 49, "critical"), ...days("Globex", 0, 49, "healthy")])).status).toBe(200);
  const accountEvents = (await allEvents()).filter((event) => event.account_id !== null);
  expect(accountEvents.length).toBeGreaterThan(0);
  acmeId = accountEvents[0]!.account_id!;
});

describe("the events page (/app/events)", () => {
  it.each(["", "type=ingest.completed", "type=health.bucket_changed", "limit=2", "limit=2&after=1", "type=Ingest.Completed&limit=1"])(
    "lists the events GET /events answers for ?%s, in its order",
    async (query) => {
      const api = await apiPage(query);
      const { status, html } = await page(query);
      expect(status).toBe(200);
      expect(listedIds(html)).toEqual(api.events.map((event) => event.id));
      expect(api.events.length).toBeGreaterThan(0);
    },
  );

  it("filters by account, and says what happened in words", async () => {
    const api = await apiPage(`account_id=${acmeId}`);
    const { html } = await page(`account_id=${acmeId}`);
    expect(listedIds(html)).toEqual(api.events.map((event) => event.id));
    expect(api.events.every((event) => event.account_id === acmeId)).toBe(true);
    const changed = api.events.find((event): event is Extract<HealthEvent, { type: "health.bucket_changed" }> => event.type === "health.bucket_changed");
    expect(changed).toBeDefined();
    expect(html).toContain(`Acme: ${changed!.data.from} → ${changed!.data.to}`);
    expect(html).toContain(`<a href="/app/accounts/${acmeId}">Account ${acmeId}</a>`);
  });

  it("pages through the whole feed with after, as next_after does, keeping the filters", async () => {
    const everything = await allEvents();
    const seen: number[] = [];
    let next: string | null = "/app/events?limit=2";
    while (next !== null) {
      const response = await SELF.fetch(`${ORIGIN}${next}`);
      expect(response.status).toBe(200);
      const html = await response.text();
      seen.push(...listedIds(html));
      next = newerLink(html);
      if (next !== null) expect(new URL(next, ORIGIN).searchParams.get("limit")).toBe("2");
    }
    expect(seen).toEqual(everything.map((event) => event.id));

    const uploads = await allEvents("&type=ingest.completed");
    const { html } = await page("type=ingest.completed&limit=1");
    expect(listedIds(html)).toEqual([uploads[0]!.id]);
    expect(newerLink(html)).toBe(`/app/events?type=ingest.completed&limit=1&after=${uploads[0]!.id}`);
  });

  it("treats the form's blank fields as no filter", async () => {
    const api = await apiPage("");
    const { status, html } = await page("type=&account_id=");
    expect(status).toBe(200);
    expect(listedIds(html)).toEqual(api.events.map((event) => event.id));
    expect(html).toContain('<option value="">Any</option>');
  });

  it("keeps the filters in the form", async () => {
    const { html } = await page(`type=health.score_dropped&account_id=${acmeId}`);
    expect(html).toContain('<option value="health.score_dropped" selected="">health.score_dropped</option>');
    expect(html).toContain(`name="account_id" value="${acmeId}"`);
  });

  it("answers 400 with the API's messages for a filter it refuses", async () => {
    const api = await SELF.fetch(`${ORIGIN}/events?account_id=abc&type=nonsense`);
    expect(api.status).toBe(400);
    const { status, html } = await page("account_id=abc&type=nonsense");
    expect(status).toBe(400);
    expect(html).toContain('role="alert"');
    expect(html).toContain("account_id: Expected a positive whole number, not &#39;abc&#39;");
    expect(html).toContain("type: Expected one of health.bucket_changed");
    expect(listedIds(html)).toEqual([]);
  });

  it("says so when nothing matches, or nothing is newer yet", async () => {
    const none = await page("type=account.merged");
    expect(none.status).toBe(200);
    expect(none.html).toContain("No event matches these filters.");
    const last = (await allEvents()).at(-1)!.id;
    const end = await page(`after=${last}`);
    expect(end.html).toContain(`No events after #${last} yet.`);
    expect(newerLink(end.html)).toBeNull();
    expect(end.html).toContain('<a href="/app/events">From the start</a>');
  });

  it("says so when the feed is empty", async () => {
    await resetDatabase();
    const { status, html } = await page("");
    expect(status).toBe(200);
    expect(html).toContain("No events yet");
    expect(newerLink(html)).toBeNull();
  });
});
