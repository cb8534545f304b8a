import { Webhook as Verifier } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Delivery, Webhook } from "../../src/contract/webhooks";
import { sha256Hex } from "../../src/lib/hash";
import { getPage, postForm, signIn } from "../helpers/console";
import { resetDatabase } from "../helpers/db";
import { recordingQueue } from "../helpers/events";
import { fakeReceiver } from "../helpers/receiver";
import { fetchWith } from "../helpers/worker";

/**
 * The webhooks pages (/app/webhooks) through the Worker, in workerd: creating an endpoint with the form (its secret
 * shown once, and the one that signs), the API's refusals and words, admin-only access and the same-origin check on
 * every action, and the deliveries a test send makes, with the receiver faked at the fetch boundary.
 */

const RECEIVER = "http://127.0.0.1:9999/hooks";
const ADMIN_KEY = "ask_console_admin_key_0123456789abcdef";
const READ_KEY = "ask_console_read_key_0123456789abcdef";

async function keyed(): Promise<Record<string, string>> {
  return { API_KEYS: `read:viewer:${await sha256Hex(READ_KEY)},admin:ops:${await sha256Hex(ADMIN_KEY)}` };
}

/** GET on the API as the admin key (when `vars` hold keys). */
async function api<T>(path: string, vars: Record<string, string> = {}): Promise<T> {
  const response = await fetchWith(vars, path, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  expect(response.status, path).toBe(200);
  return response.json<T>();
}

function createFields(url: string, types: string[], extra: [string, string][] = []): [string, string][] {
  return [["url", url], ...types.map((type): [string, string] => ["event_types", type]), ...extra];
}

function shownSecret(html: string): string | undefined {
  return /<code class="secret">(whsec_[^<]+)<\/code>/.exec(html)?.[1];
}

let receiver: ReturnType<typeof fakeReceiver> | null = null;
beforeEach(resetDatabase);
afterEach(() => {
  receiver?.restore();
  receiver = null;
});

describe("creating a webhook from the console", () => {
  it("shows the secret once, and the endpoint is then in GET /webhooks, signed with that secret", async () => {
    const response = await postForm(
      "/app/webhooks",
      createFields(RECEIVER, ["health.bucket_changed", "ingest.completed"], [["description", "CS bridge"]]),
    );
    expect(response.status).toBe(201);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const html = await response.text();
    expect(html).toContain("it is not shown again");
    const secret = shownSecret(html);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const [webhook, ...others] = await api<Webhook[]>("/webhooks");
    expect(others).toEqual([]);
    expect(webhook).toMatchObject({ url: RECEIVER, event_types: ["health.bucket_changed", "ingest.completed"], description: "CS bridge", enabled: true });
    // Nowhere else: not on the list, not on the endpoint's page.
    expect(await (await getPage("/app/webhooks")).text()).not.toContain(secret!);
    const own = await (await getPage(`/app/webhooks/${webhook!.id}`)).text();
    expect(own).not.toContain(secret!);
    expect(own).toContain(RECEIVER);

    // The secret shown is the one that signs: a test delivery verifies with it.
    receiver = fakeReceiver();
    expect((await postForm(`/app/webhooks/${webhook!.id}/test`, [])).status).toBe(303);
    expect(new Verifier(secret!).verify(receiver.received[0]!.body, receiver.received[0]!.headers)).toMatchObject({ type: "webhook.test" });
  });

  it("answers 400 with the API's messages for what the API refuses, and stores nothing", async () => {
    const cases: [string, string[]][] = [
      ["http://hooks.example.com/x", ["health.bucket_changed"]],
      ["not a url", ["health.bucket_changed"]],
      [RECEIVER, []],
    ];
    for (const [url, types] of cases) {
      const apiAnswer = await fetchWith({}, "/webhooks", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ url, event_types: types }),
      });
      expect(apiAnswer.status).toBe(400);
      const { errors } = await apiAnswer.json<{ errors: { field: string; message: string }[] }>();
      const response = await postForm("/app/webhooks", createFields(url, types));
      expect(response.status, url).toBe(400);
      const html = await response.text();
      expect(html).toContain('role="alert"');
      for (const error of errors) expect(html).toContain(`${error.field}: ${error.message}`);
      // The form keeps what was typed.
      expect(html).toContain(`value="${url}"`);
    }
    const noTypes = await (await postForm("/app/webhooks", createFields(RECEIVER, []))).text();
    expect(noTypes).toContain("event_types: Expected at least one event type");
    expect(await api<Webhook[]>("/webhooks")).toEqual([]);
  });

  it("refuses a form larger than the API's body limit (413), and stores nothing", async () => {
    const response = await postForm("/app/webhooks", createFields(RECEIVER, ["ingest.completed"], [["description", "x".repeat(20_000)]]));
    expect(response.status).toBe(413);
    expect(await api<Webhook[]>("/webhooks")).toEqual([]);
  });

  it("applies the production URL rules in production", async () => {
    const vars = {
      ENVIRONMENT: "production",
      API_KEYS: `admin:ops:${await sha256Hex(ADMIN_KEY)}`,
      SECRETS_KEY: "production sealing key for the tests: 0123456789",
      SESSION_SECRET: "production session secret for the tests: 0123456789",
    };
    const cookie = await signIn(ADMIN_KEY, vars);
    const response = await postForm("/app/webhooks", createFields(RECEIVER, ["ingest.completed"]), { vars, cookie });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("must use https:// in production");
    expect(await api<Webhook[]>("/webhooks", vars)).toEqual([]);
  });
});

describe("who may use the webhooks pages", () => {
  it("a read key's session gets 403 on the page and on a hand-made POST, which stores nothing", async () => {
    const vars = await keyed();
    const reader = await signIn(READ_KEY, vars);
    const page = await getPage("/app/webhooks", { vars, cookie: reader });
    expect(page.status).toBe(403);
    expect(await page.text()).toContain("This needs an API key with the &#39;admin&#39; scope");
    expect((await postForm("/app/webhooks", createFields(RECEIVER, ["ingest.completed"]), { vars, cookie: reader })).status).toBe(403);
    expect(await api<Webhook[]>("/webhooks", vars)).toEqual([]);

    const admin = await signIn(ADMIN_KEY, vars);
    expect((await getPage("/app/webhooks", { vars, cookie: admin })).status).toBe(200);
    expect((await postForm("/app/webhooks", createFields(RECEIVER, ["ingest.completed"]), { vars, cookie: admin })).status).toBe(201);
    const [webhook] = await api<Webhook[]>("/webhooks", vars);
    for (const action of ["test", "rotate-secret", "enabled", "delete"]) {
      const response = await postForm(`/app/webhooks/${webhook!.id}/${action}`, [["enabled", "false"]], { vars, cookie: reader });
      expect(response.status, action).toBe(403);
    }
    expect((await getPage(`/app/webhooks/${webhook!.id}`, { vars, cookie: reader })).status).toBe(403);
    expect(await api<Webhook[]>("/webhooks", vars)).toMatchObject([{ id: webhook!.id, enabled: true }]);
    expect(await api<Delivery[]>(`/webhooks/${webhook!.id}/deliveries`, vars)).toEqual([]);
    // Without a session, a POST is sent to the sign-in, and nothing happens.
    const anonymous = await postForm(`/app/webhooks/${webhook!.id}/delete`, [], { vars });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toContain("/app/login");
    expect(await api<Webhook[]>("/webhooks", vars)).toHaveLength(1);
  });

  it("lets the browser send its Origin with the forms (Referrer-Policy same-origin), the API keeping no-referrer", async () => {
    // Under no-referrer a browser sends `Origin: null` with a form's POST, which the same-origin check refuses.
    expect((await getPage("/app/webhooks")).headers.get("referrer-policy")).toBe("same-origin");
    expect((await fetchWith({}, "/webhooks")).headers.get("referrer-policy")).toBe("no-referrer");
    expect((await postForm("/app/webhooks", createFields(RECEIVER, ["ingest.completed"]), { origin: "null" })).status).toBe(403);
  });

  it("refuses a cross-origin POST (403) and stores or changes nothing", async () => {
    const evil = { origin: "https://evil.example" };
    expect((await postForm("/app/webhooks", createFields(RECEIVER, ["ingest.completed"]), evil)).status).toBe(403);
    expect(await api<Webhook[]>("/webhooks")).toEqual([]);

    expect((await postForm("/app/webhooks", createFields(RECEIVER, ["ingest.completed"]))).status).toBe(201);
    const [webhook] = await api<Webhook[]>("/webhooks");
    const base = `/app/webhooks/${webhook!.id}`;
    for (const action of ["test", "rotate-secret", "enabled", "delete"]) {
      expect((await postForm(`${base}/${action}`, [["enabled", "false"]], evil)).status, action).toBe(403);
    }
    expect(await api<Webhook>(`/webhooks/${webhook!.id}`)).toMatchObject({ enabled: true, previous_secret_expires_at: null });
    expect(await api<Delivery[]>(`/webhooks/${webhook!.id}/deliveries`)).toEqual([]);
  });
});

describe("an endpoint's page and actions", () => {
  async function created(): Promise<Webhook> {
    expect((await postForm("/app/webhooks", createFields(RECEIVER, ["ingest.completed"]))).status).toBe(201);
    const [webhook] = await api<Webhook[]>("/webhooks");
    return webhook!;
  }

  it("a test send makes a delivery, listed on the deliveries page as GET /webhooks/{id}/deliveries lists it", async () => {
    receiver = fakeReceiver((_request, index) => new Response("", { status: index === 0 ? 200 : 503 }));
    const webhook = await created();
    for (let send = 0; send < 2; send++) {
      const response = await postForm(`/app/webhooks/${webhook.id}/test`, []);
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe(`/app/webhooks/${webhook.id}`);
    }
    expect(receiver.received.map((request) => request.url)).toEqual([RECEIVER, RECEIVER]);
    const deliveries = await api<Delivery[]>(`/webhooks/${webhook.id}/deliveries`);
    expect(deliveries.map((delivery) => [delivery.status, delivery.last_status_code])).toEqual([
      ["failed", 503],
      ["delivered", 200],
    ]);
    const html = await (await getPage(`/app/webhooks/${webhook.id}`)).text();
    const rows = [...html.matchAll(/<tr><td class="number">(\d+)<\/td><td>webhook.test .*?<td class="state \w+">(\w+)<\/td><td class="number">(\d+)<\/td><td class="number">([^<]*)<\/td>/g)];
    expect(rows.map((row) => [Number(row[1]), row[2], Number(row[3]), row[4]])).toEqual(
      deliveries.map((delivery) => [delivery.id, delivery.status, delivery.attempts, String(delivery.last_status_code)]),
    );
  });

  it("retries a delivery through the webhook queue, and only while the endpoint is enabled", async () => {
    receiver = fakeReceiver(() => new Response("", { status: 500 }));
    const webhook = await created();
    await postForm(`/app/webhooks/${webhook.id}/test`, []);
    const [failed] = await api<Delivery[]>(`/webhooks/${webhook.id}/deliveries`);
    const { queue, sent } = recordingQueue();
    const retry = `/app/webhooks/${webhook.id}/deliveries/${failed!.id}/retry`;
    const response = await postForm(retry, [], { vars: { WEBHOOK_QUEUE: queue } as Record<string, unknown> });
    expect(response.status).toBe(303);
    expect(sent.map((message) => message.body)).toEqual([{ kind: "deliver", delivery_id: failed!.id, attempt: 1 }]);
    expect((await api<Delivery[]>(`/webhooks/${webhook.id}/deliveries`))[0]).toMatchObject({ id: failed!.id, status: "pending" });

    expect((await postForm(`/app/webhooks/${webhook.id}/enabled`, [["enabled", "false"]])).status).toBe(303);
    expect(await api<Webhook>(`/webhooks/${webhook.id}`)).toMatchObject({ enabled: false });
    const page = await (await getPage(`/app/webhooks/${webhook.id}`)).text();
    expect(page).toContain("Disabled");
    expect(page).not.toContain(`action="${retry}"`);
    const refused = await postForm(retry, [], { vars: { WEBHOOK_QUEUE: queue } as Record<string, unknown> });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("is disabled");
    expect(sent).toHaveLength(1);

    expect((await postForm(`/app/webhooks/${webhook.id}/enabled`, [["enabled", "true"]])).status).toBe(303);
    expect(await api<Webhook>(`/webhooks/${webhook.id}`)).toMatchObject({ enabled: true, disabled_reason: null });
    expect((await postForm(`/app/webhooks/${webhook.id}/enabled`, [["enabled", "maybe"]])).status).toBe(400);
  });

  it("rotates the secret (shown once) and deletes, with audit records naming the signed-in key", async () => {
    const vars = await keyed();
    const cookie = await signIn(ADMIN_KEY, vars);
    expect((await postForm("/app/webhooks", createFields(RECEIVER, ["ingest.completed"]), { vars, cookie })).status).toBe(201);
    const [webhook] = await api<Webhook[]>("/webhooks", vars);
    const rotated = await postForm(`/app/webhooks/${webhook!.id}/rotate-secret`, [], { vars, cookie });
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get("cache-control")).toBe("no-store");
    const secret = shownSecret(await rotated.text());
    expect(secret).toMatch(/^whsec_/);
    expect(await api<Webhook>(`/webhooks/${webhook!.id}`, vars)).toMatchObject({ previous_secret_expires_at: expect.any(String) });

    const deleted = await postForm(`/app/webhooks/${webhook!.id}/delete`, [], { vars, cookie });
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get("location")).toBe("/app/webhooks");
    expect(await api<Webhook[]>("/webhooks", vars)).toEqual([]);
    expect((await getPage(`/app/webhooks/${webhook!.id}`, { vars, cookie })).status).toBe(404);

    const { records } = await api<{ records: { action: string; actor: string | null; subject_id: number }[] }>("/audit", vars);
    expect(records.map((record) => [record.action, record.actor, record.subject_id])).toEqual([
      ["webhook.created", "ops", webhook!.id],
      ["webhook.secret_rotated", "ops", webhook!.id],
      ["webhook.deleted", "ops", webhook!.id],
    ]);
  });

  it("answers the API's 400 for an id that is not one, and 404 for no such endpoint", async () => {
    const bad = await getPage("/app/webhooks/abc");
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Path parameter &#39;id&#39; is invalid");
    expect((await getPage("/app/webhooks/999")).status).toBe(404);
    expect((await postForm("/app/webhooks/999/test", [])).status).toBe(404);
  });
});
