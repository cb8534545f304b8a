import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  env,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { Webhook as Verifier } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import worker from "../../src/index";
import type { RecomputeMessage } from "../../src/scoring/queue-messages";
import { sha256Hex } from "../../src/lib/hash";
import { DEVELOPMENT_SECRETS_KEY } from "../../src/lib/config";
import { generateSecret } from "../../src/webhooks/signing";
import type { HealthEvent } from "../../src/contract/events";
import type { CreatedWebhook, Delivery, Webhook } from "../../src/contract/webhooks";
import type { WebhookMessage } from "../../src/webhooks/messages";
import { resetDatabase } from "../helpers/db";
import { callWorker, days, recordingQueue, uploadDays } from "../helpers/events";
import { consume, fakeReceiver, type Received } from "../helpers/receiver";

/**
 * Webhooks through the Worker: the endpoints' routes, and deliveries from the webhook queue's consumer to a receiver
 * faked at the fetch boundary; every signature is checked with the standardwebhooks package.
 */

const RECEIVER = "http://127.0.0.1:9999/hooks";
const PRODUCTION_SECRETS_KEY = "production sealing key for the tests: 0123456789";
const json = (body: unknown, method = "POST"): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

async function createWebhook(body: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<CreatedWebhook> {
  const response = await callWorker("/webhooks", json({ url: RECEIVER, ...body }), extra);
  expect(response.status, await response.clone().text()).toBe(201);
  return response.json<CreatedWebhook>();
}

async function getWebhook(id: number): Promise<Webhook> {
  return (await callWorker(`/webhooks/${id}`)).json<Webhook>();
}

async function deliveries(id: number): Promise<Delivery[]> {
  return (await callWorker(`/webhooks/${id}/deliveries?limit=100`)).json<Delivery[]>();
}

/** An upload that moves Acme from Healthy to Critical (2 account events: bucket_changed and score_dropped). */
async function acmeGoesCritical(queue: Queue<WebhookMessage>) {
  expect((await uploadDays(days("Acme", 0, 39, "healthy"), { WEBHOOK_QUEUE: queue })).status).toBe(200);
  expect((await uploadDays(days("Acme", 40, 49, "critical"), { WEBHOOK_QUEUE: queue })).status).toBe(200);
}

function verify(secret: string, request: Received): unknown {
  return new Verifier(secret).verify(request.body, request.headers);
}

let receiver: ReturnType<typeof fakeReceiver> | null = null;
beforeEach(resetDatabase);
afterEach(() => {
  receiver?.restore();
  receiver = null;
});

describe("webhook endpoints", () => {
  it("creates with a secret shown once; reads, lists, changes and deletes without it", async () => {
    const created = await createWebhook({ event_types: ["health.bucket_changed", "health.bucket_changed"], description: "CS bridge" });
    expect(created).toMatchObject({
      url: RECEIVER,
      event_types: ["health.bucket_changed"],
      description: "CS bridge",
      enabled: true,
      disabled_reason: null,
      consecutive_failures: 0,
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const all = await createWebhook();
    expect(all.event_types).toEqual([
      "health.bucket_changed",
      "health.score_dropped",
      "health.score_recovered",
      "health.model_activated",
      "ingest.completed",
      "account.merged",
      "account.deleted",
    ]);

    const shown = await getWebhook(created.id);
    expect(shown).not.toHaveProperty("secret");
    expect(JSON.stringify(await (await callWorker("/webhooks")).json())).not.toContain("whsec_");
    expect((await (await callWorker("/webhooks")).json<Webhook[]>()).map((webhook) => webhook.id)).toEqual([all.id, created.id]);

    const patched = await callWorker(`/webhooks/${created.id}`, json({ enabled: false, event_types: null }, "PATCH"));
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ enabled: false, disabled_reason: expect.stringContaining("PATCH"), event_types: all.event_types });
    expect(await (await callWorker(`/webhooks/${created.id}`, json({ enabled: true }, "PATCH"))).json()).toMatchObject({
      enabled: true,
      disabled_reason: null,
    });
    expect((await callWorker(`/webhooks/${created.id}`, json({}, "PATCH"))).status).toBe(400);
    expect((await callWorker(`/webhooks/${created.id}`, json({ event_types: [] }, "PATCH"))).status).toBe(400);
    expect((await callWorker(`/webhooks/${created.id}`, json({ event_types: ["webhook.test"] }, "PATCH"))).status).toBe(400);

    expect((await callWorker(`/webhooks/${created.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await callWorker(`/webhooks/${created.id}`)).status).toBe(404);
    expect((await callWorker(`/webhooks/${created.id}`, { method: "DELETE" })).status).toBe(404);
  });

  describe("URL rules: a 400 naming the rule", () => {
    const refused = async (url: string, rule: string, extra: Record<string, unknown> = {}) => {
      const response = await callWorker("/webhooks", json({ url }), extra);
      const body = await response.json<{ detail: string; errors: { field: string }[] }>();
      expect(response.status, url).toBe(400);
      expect(body.detail, url).toContain(rule);
      expect(body.errors[0]?.field).toBe("url");
    };
    const production = async () => {
      const key = "ask_admin_key_for_tests_0123456789";
      return {
        key,
        vars: { ENVIRONMENT: "production", API_KEYS: `admin:ops:${await sha256Hex(key)}`, SECRETS_KEY: PRODUCTION_SECRETS_KEY },
      };
    };
    const inProduction = async (url: string) => {
      const { key, vars } = await production();
      return callWorker("/webhooks", { ...json({ url }), headers: { "content-type": "application/json", authorization: `Bearer ${key}` } }, vars);
    };

    it("credentials in the URL", async () => {
      await refused("https://user:pass@hooks.example.com/x", "must not contain credentials");
      await refused("https://token@hooks.example.com/x", "must not contain credentials");
    });

    it("other schemes, and http:// to anything but localhost and 127.0.0.1", async () => {
      await refused("ftp://hooks.example.com/x", "must use https://");
      await refused("javascript:alert(1)", "must use https://");
      await refused("http://hooks.example.com/x", "http:// only for localhost and 127.0.0.1");
      await refused("http://10.0.0.5/x", "http:// only for localhost and 127.0.0.1");
      await refused("not a url", "must be an absolute URL");
      expect((await callWorker("/webhooks", json({ url: "http://localhost:8790/hooks" }))).status).toBe(201);
      expect((await callWorker("/webhooks", json({ url: "http://127.0.0.1/hooks" }))).status).toBe(201);
      expect((await callWorker("/webhooks", json({ url: "https://hooks.example.com/x" }))).status).toBe(201);
    });

    it("in production: https only, and no loopback, private, link-local or unique-local IP literal", async () => {
      const cases: [string, string][] = [
        ["http://localhost:8790/hooks", "must use https:// in production"],
        ["http://127.0.0.1/hooks", "must use https:// in production"],
        ["https://localhost/hooks", "must not point at localhost"],
        ["https://127.0.0.1/hooks", "is loopback"],
        ["https://127.8.9.10/hooks", "is loopback"],
        ["https://0x7f.0.0.1/hooks", "is loopback"],
        ["https://[::1]/hooks", "is loopback"],
        ["https://10.1.2.3/hooks", "is private"],
        ["https://172.16.0.1/hooks", "is private"],
        ["https://172.31.255.255/hooks", "is private"],
        ["https://192.168.1.1/hooks", "is private"],
        ["https://169.254.169.254/latest/meta-data", "is link-local"],
        ["https://[fe80::1]/hooks", "is link-local"],
        ["https://[fd12:3456::1]/hooks", "is unique-local"],
        ["https://[fc00::1]/hooks", "is unique-local"],
        ["https://[::ffff:192.168.0.1]/hooks", "is private"],
        ["https://0.0.0.0/hooks", "is unspecified"],
      ];
      for (const [url, rule] of cases) {
        const response = await inProduction(url);
        expect(response.status, url).toBe(400);
        expect((await response.json<{ detail: string }>()).detail, url).toContain(rule);
      }
      for (const url of ["https://hooks.example.com/x", "https://8.8.8.8/x", "https://172.32.0.1/x", "https://[2606:4700::1111]/x"]) {
        expect((await inProduction(url)).status, url).toBe(201);
      }
    });

    it("the webhook routes need an admin key once keys are configured", async () => {
      const admin = "ask_admin_key_for_tests_0123456789";
      const reader = "ask_read_key_for_tests_0123456789";
      const vars = { API_KEYS: `admin:ops:${await sha256Hex(admin)},read:looker:${await sha256Hex(reader)}` };
      const as = (key: string | null, path: string, init: RequestInit = {}) =>
        callWorker(path, { ...init, headers: { ...(init.headers ?? {}), ...(key ? { authorization: `Bearer ${key}` } : {}) } }, vars);
      const routes: [string, RequestInit][] = [
        ["/webhooks", json({ url: RECEIVER })],
        ["/webhooks", {}],
        ["/webhooks/1", {}],
        ["/webhooks/1", json({ enabled: false }, "PATCH")],
        ["/webhooks/1", { method: "DELETE" }],
        ["/webhooks/1/rotate-secret", { method: "POST" }],
        ["/webhooks/1/test", { method: "POST" }],
        ["/webhooks/1/deliveries", {}],
        ["/webhooks/1/deliveries/1/retry", { method: "POST" }],
      ];
      for (const [path, init] of routes) {
        expect((await as(null, path, init)).status, `${init.method ?? "GET"} ${path}`).toBe(401);
        expect((await as(reader, path, init)).status, `${init.method ?? "GET"} ${path}`).toBe(403);
      }
      expect((await as(admin, "/webhooks", json({ url: RECEIVER }))).status).toBe(201);
      // The feed is a read: open unless AUTH_READS.
      expect((await as(null, "/events")).status).toBe(200);
      const production = { ENVIRONMENT: "production" };
      expect((await callWorker("/webhooks", {}, production)).status).toBe(503);
    });
  });
});

describe("webhook deliveries", () => {
  it("leave out the events a health model change caused, unless the endpoint asks for them", async () => {
    const quiet = await createWebhook();
    const subscribed = await createWebhook({ include_model_changes: true });
    expect([quiet.include_model_changes, subscribed.include_model_changes]).toEqual([false, true]);
    const insert = (cause: string | null) =>
      env.DB.prepare("INSERT INTO health_events (type, account_id, occurred_at, as_of, data) VALUES (?, 1, ?, ?, ?) RETURNING id")
        .bind("health.bucket_changed", new Date().toISOString(), "2026-01-01", JSON.stringify({ account_id: 1, from: "Healthy", to: "At-Risk", ...(cause ? { cause } : {}) }))
        .first<{ id: number }>();
    const byModel = await insert("model_change");
    const byCustomer = await insert(null);
    const { queue } = recordingQueue();
    await consume([{ kind: "fan_out" }], queue);
    const eventsOf = async (id: number) => (await deliveries(id)).map((delivery) => delivery.event_id).sort();
    expect(await eventsOf(quiet.id)).toEqual([byCustomer?.id]);
    expect(await eventsOf(subscribed.id)).toEqual([byModel?.id, byCustomer?.id]);
    const patched = await callWorker(`/webhooks/${quiet.id}`, json({ include_model_changes: true }, "PATCH"));
    expect(await patched.json()).toMatchObject({ include_model_changes: true });
  });

  it("an upload's events reach the endpoint through the fan-out, signed to Standard Webhooks, the upload untouched", async () => {
    receiver = fakeReceiver();
    const webhook = await createWebhook();
    const { queue, sent } = recordingQueue();
    await acmeGoesCritical(queue);
    // The uploads only nudged: nothing was delivered while they ran.
    expect(receiver.received).toEqual([]);
    expect(sent.map((message) => message.body)).toEqual([{ kind: "fan_out" }, { kind: "fan_out" }]);

    sent.length = 0;
    await consume([{ kind: "fan_out" }], queue);
    const messages = sent.map((message) => message.body);
    // Both ingest.completed, the bucket change and the score drop.
    expect(messages).toHaveLength(4);
    expect(messages.every((message) => message.kind === "deliver" && message.attempt === 0)).toBe(true);
    // A second nudge finds nothing new.
    sent.length = 0;
    await consume([{ kind: "fan_out" }, { kind: "fan_out" }], queue);
    expect(sent).toEqual([]);

    await consume(messages, queue);
    expect(receiver.received).toHaveLength(4);
    const bodies = receiver.received.map((request) => verify(webhook.secret, request) as { type: string; timestamp: string; data: unknown });
    const changed = bodies.find((body) => body.type === "health.bucket_changed");
    const feed = await (await callWorker("/events?type=health.bucket_changed")).json<{ events: HealthEvent[] }>();
    expect(changed).toEqual({ type: "health.bucket_changed", timestamp: feed.events[0]?.occurred_at, data: feed.events[0]?.data });
    expect(changed?.data).toMatchObject({ account_name: "Acme", from: "Healthy", to: "Critical" });
    const request = receiver.received[0]!;
    expect(request.url).toBe(RECEIVER);
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["webhook-id"]).toMatch(/^msg_[0-9a-f]{24}$/);
    expect(Math.abs(Number(request.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(60);
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(4);

    const list = await deliveries(webhook.id);
    expect(list).toHaveLength(4);
    expect(list.every((delivery) => delivery.status === "delivered" && delivery.attempts === 1 && delivery.last_status_code === 200)).toBe(true);
    expect(list[0]).toMatchObject({ next_attempt_at: null, delivered_at: expect.any(String), duration_ms: expect.any(Number) });
    // A redelivered message (Queues deliver at least once) sends nothing more.
    await consume(messages, queue);
    expect(receiver.received).toHaveLength(4);
  });

  it("only the subscribed types, only to enabled endpoints, only events written after the endpoint was created", async () => {
    receiver = fakeReceiver();
    const { queue, sent } = recordingQueue();
    expect((await uploadDays(days("Acme", 0, 39, "healthy"), { WEBHOOK_QUEUE: queue })).status).toBe(200);
    const changes = await createWebhook({ event_types: ["health.bucket_changed"] });
    const paused = await createWebhook();
    await callWorker(`/webhooks/${paused.id}`, json({ enabled: false }, "PATCH"));
    expect((await uploadDays(days("Acme", 40, 49, "critical"), { WEBHOOK_QUEUE: queue })).status).toBe(200);
    sent.length = 0;
    await consume([{ kind: "fan_out" }], queue);
    await consume(sent.map((message) => message.body), queue);
    expect(receiver.received.map((request) => (verify(changes.secret, request) as { type: string }).type)).toEqual(["health.bucket_changed"]);
    expect(await deliveries(paused.id)).toEqual([]);
  });

  it("a failing receiver is retried with backoff, the same webhook-id every time, then the delivery fails", async () => {
    receiver = fakeReceiver(() => new Response("upstream down", { status: 503 }));
    const webhook = await createWebhook({ event_types: ["health.bucket_changed"] });
    const { queue, sent } = recordingQueue();
    await acmeGoesCritical(queue);
    sent.length = 0;
    await consume([{ kind: "fan_out" }], queue);
    let next = sent.splice(0).map((message) => message.body);
    expect(next).toHaveLength(1);
    const delays: (number | undefined)[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      const result = await consume(next, queue);
      expect(result.explicitAcks).toEqual(["message-0"]);
      const [delivery] = await deliveries(webhook.id);
      expect(delivery).toMatchObject({ attempts: attempt, last_status_code: 503, last_error: "The endpoint answered 503: upstream down" });
      expect(delivery?.status).toBe(attempt < 6 ? "retrying" : "failed");
      const scheduled = sent.splice(0);
      delays.push(...scheduled.map((message) => message.delaySeconds));
      next = scheduled.map((message) => message.body);
      if (attempt < 6) expect(Date.parse(delivery?.next_attempt_at ?? "") - Date.now()).toBeGreaterThan((delays.at(-1) ?? 0) * 1000 - 5000);
    }
    expect(delays).toEqual([30, 120, 600, 3600, 21600]);
    expect(next).toEqual([]);
    const ids = new Set(receiver.received.map((request) => request.headers["webhook-id"]));
    expect(receiver.received).toHaveLength(6);
    expect(ids.size).toBe(1);
    for (const request of receiver.received) expect(verify(webhook.secret, request)).toMatchObject({ type: "health.bucket_changed" });
    // One failed delivery does not disable the endpoint.
    expect(await getWebhook(webhook.id)).toMatchObject({ enabled: true, consecutive_failures: 1 });

    // A manual retry: the same webhook-id again, a fresh schedule.
    receiver.restore();
    receiver = fakeReceiver(() => new Response(null, { status: 204 }));
    const [failed] = await deliveries(webhook.id);
    const retried = await callWorker(`/webhooks/${webhook.id}/deliveries/${failed?.id}/retry`, { method: "POST" }, { WEBHOOK_QUEUE: queue });
    expect(retried.status).toBe(202);
    expect(await retried.json()).toMatchObject({ id: failed?.id, status: "pending", attempts: 6 });
    await consume(sent.splice(0).map((message) => message.body), queue);
    expect(receiver.received[0]?.headers["webhook-id"]).toBe([...ids][0]);
    expect((await deliveries(webhook.id))[0]).toMatchObject({ status: "delivered", attempts: 7, last_status_code: 204 });
    expect(await getWebhook(webhook.id)).toMatchObject({ enabled: true, consecutive_failures: 0 });
    expect((await callWorker(`/webhooks/${webhook.id}/deliveries/999999/retry`, { method: "POST" })).status).toBe(404);
  });

  it("410 Gone disables the endpoint at once, without retries, and GET /webhooks/{id} says why", async () => {
    receiver = fakeReceiver(() => new Response("gone", { status: 410 }));
    const webhook = await createWebhook();
    const { queue, sent } = recordingQueue();
    await acmeGoesCritical(queue);
    sent.length = 0;
    await consume([{ kind: "fan_out" }], queue);
    const messages = sent.splice(0).map((message) => message.body);
    expect(messages).toHaveLength(4);
    await consume(messages.slice(0, 1), queue);
    expect(sent).toEqual([]);
    const shown = await getWebhook(webhook.id);
    expect(shown).toMatchObject({ enabled: false, disabled_reason: expect.stringContaining("410"), disabled_at: expect.any(String) });
    // The deliveries still queued are not sent.
    await consume(messages.slice(1), queue);
    expect(receiver.received).toHaveLength(1);
    const list = await deliveries(webhook.id);
    expect(list.map((delivery) => delivery.status)).toEqual(["failed", "failed", "failed", "failed"]);
    expect(list.filter((delivery) => delivery.last_error?.includes("disabled"))).toHaveLength(3);
    // Nothing new is fanned out to it; the retry route says to enable it first.
    expect((await callWorker(`/webhooks/${webhook.id}/deliveries/${list[0]?.id}/retry`, { method: "POST" })).status).toBe(409);
  });

  it("5 deliveries failed in a row disable the endpoint; a delivered one in between starts the count again", async () => {
    let failing = true;
    receiver = fakeReceiver(() => new Response(failing ? "no" : "ok", { status: failing ? 500 : 200 }));
    const webhook = await createWebhook({ event_types: ["ingest.completed"] });
    const { queue, sent } = recordingQueue();
    const failDelivery = async (messages: WebhookMessage[]) => {
      let next = messages;
      while (next.length > 0) {
        await consume(next, queue);
        next = sent.splice(0).map((message) => message.body);
      }
    };
    const uploadAndFanOut = async (day: number) => {
      expect((await uploadDays(days("Acme", day, day, "healthy"), { WEBHOOK_QUEUE: queue })).status).toBe(200);
      sent.length = 0;
      await consume([{ kind: "fan_out" }], queue);
      return sent.splice(0).map((message) => message.body);
    };
    for (let day = 0; day < 4; day++) await failDelivery(await uploadAndFanOut(day));
    expect(await getWebhook(webhook.id)).toMatchObject({ enabled: true, consecutive_failures: 4 });
    failing = false;
    await failDelivery(await uploadAndFanOut(4));
    expect(await getWebhook(webhook.id)).toMatchObject({ enabled: true, consecutive_failures: 0 });
    failing = true;
    for (let day = 5; day < 10; day++) {
      await failDelivery(await uploadAndFanOut(day));
      if (day < 9) expect((await getWebhook(webhook.id)).enabled).toBe(true);
    }
    const shown = await getWebhook(webhook.id);
    expect(shown).toMatchObject({ enabled: false, consecutive_failures: 5, disabled_reason: expect.stringContaining("last 5 deliveries failed") });
    expect(receiver.received).toHaveLength(9 * 6 + 1);
    // Disabled: the next event is not fanned out to it.
    expect(await uploadAndFanOut(10)).toEqual([]);
  });

  it("after a rotation each delivery is signed with both secrets for 24 hours, then with the new one only", async () => {
    receiver = fakeReceiver();
    const webhook = await createWebhook();
    const rotated = await callWorker(`/webhooks/${webhook.id}/rotate-secret`, { method: "POST" });
    expect(rotated.status).toBe(200);
    const { secret, previous_secret_expires_at: expires } = await rotated.json<{ secret: string; previous_secret_expires_at: string }>();
    expect(secret).not.toBe(webhook.secret);
    expect(Date.parse(expires) - Date.now()).toBeGreaterThan(23.9 * 3600 * 1000);
    expect(await getWebhook(webhook.id)).toMatchObject({ previous_secret_expires_at: expires });

    const test = await callWorker(`/webhooks/${webhook.id}/test`, { method: "POST" });
    expect(test.status).toBe(200);
    const [both] = receiver.received;
    expect(both?.headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    expect(verify(secret, both!)).toMatchObject({ type: "webhook.test" });
    expect(verify(webhook.secret, both!)).toMatchObject({ type: "webhook.test" });

    await env.DB.prepare("UPDATE webhooks SET previous_secret_expires_at = ? WHERE id = ?")
      .bind(new Date(Date.now() - 1000).toISOString(), webhook.id)
      .run();
    await callWorker(`/webhooks/${webhook.id}/test`, { method: "POST" });
    const after = receiver.received[1]!;
    expect(after.headers["webhook-signature"]?.split(" ")).toHaveLength(1);
    expect(verify(secret, after)).toMatchObject({ type: "webhook.test" });
    expect(() => verify(webhook.secret, after)).toThrow();
    expect((await getWebhook(webhook.id)).previous_secret_expires_at).toBeNull();
  });

  it("POST /webhooks/{id}/test delivers a webhook.test now and answers the result; only to that endpoint", async () => {
    receiver = fakeReceiver((_request, index) => new Response("nope", { status: index === 0 ? 200 : 500 }));
    const webhook = await createWebhook();
    const other = await createWebhook();
    const ok = await callWorker(`/webhooks/${webhook.id}/test`, { method: "POST" });
    expect(await ok.json()).toMatchObject({ event_type: "webhook.test", status: "delivered", attempts: 1, last_status_code: 200 });
    expect(verify(webhook.secret, receiver.received[0]!)).toEqual({
      type: "webhook.test",
      timestamp: expect.any(String),
      data: { webhook_id: webhook.id, message: "A test event from AI Success Insights." },
    });
    const failed = await callWorker(`/webhooks/${webhook.id}/test`, { method: "POST" });
    expect(await failed.json()).toMatchObject({ status: "failed", attempts: 1, last_status_code: 500, next_attempt_at: null });
    // A test is not retried, does not count towards disabling, and is never fanned out to the other endpoint.
    expect(await getWebhook(webhook.id)).toMatchObject({ enabled: true, consecutive_failures: 0 });
    const { queue, sent } = recordingQueue();
    await consume([{ kind: "fan_out" }], queue);
    expect(sent).toEqual([]);
    expect(await deliveries(other.id)).toEqual([]);
    expect((await callWorker("/webhooks/999/test", { method: "POST" })).status).toBe(404);
  });

  it("a receiver that does not answer, or cannot be reached, is a failed attempt, retried", async () => {
    receiver = fakeReceiver(() => {
      throw new DOMException("The operation was aborted due to timeout", "TimeoutError");
    });
    const webhook = await createWebhook();
    const timedOut = await (await callWorker(`/webhooks/${webhook.id}/test`, { method: "POST" })).json<Delivery>();
    expect(timedOut).toMatchObject({ status: "failed", last_status_code: null, last_error: "No answer within 10 s" });
    receiver.restore();
    receiver = fakeReceiver(() => {
      throw new TypeError("connection refused");
    });
    const refused = await (await callWorker(`/webhooks/${webhook.id}/test`, { method: "POST" })).json<Delivery>();
    expect(refused.last_error).toBe("The request failed: connection refused");
  });

  it("deleting an endpoint drops its deliveries; the events stay in the feed", async () => {
    receiver = fakeReceiver();
    const webhook = await createWebhook();
    await callWorker(`/webhooks/${webhook.id}/test`, { method: "POST" });
    expect(await deliveries(webhook.id)).toHaveLength(1);
    await callWorker(`/webhooks/${webhook.id}`, { method: "DELETE" });
    expect((await env.DB.prepare("SELECT count(*) AS n FROM webhook_deliveries").first<number>("n"))).toBe(0);
    expect((await (await callWorker("/events?type=webhook.test")).json<{ events: unknown[] }>()).events).toHaveLength(1);
  });

  it("the daily cron nudges the fan-out and sends again a delivery whose message was lost", async () => {
    receiver = fakeReceiver();
    const webhook = await createWebhook();
    const { queue, sent } = recordingQueue();
    await acmeGoesCritical(queue);
    sent.length = 0;
    // The fan-out committed its deliveries, but its messages never reached the queue.
    const broken = {
      send: async () => {},
      sendBatch: async () => {
        throw new Error("queue unavailable");
      },
    };
    await consume([{ kind: "fan_out" }], broken as unknown as Queue<WebhookMessage>);
    expect((await deliveries(webhook.id)).map((delivery) => delivery.status)).toEqual(["pending", "pending", "pending", "pending"]);
    await env.DB.prepare("UPDATE webhook_deliveries SET next_attempt_at = ?").bind(new Date(Date.now() - 3600_000).toISOString()).run();

    const ctx = createExecutionContext();
    const controller = createScheduledController({ scheduledTime: Date.now(), cron: "0 2 * * *" });
    await worker.scheduled(controller, { ...env, WEBHOOK_QUEUE: queue } as Env, ctx);
    await waitOnExecutionContext(ctx);
    const messages = sent.map((message) => message.body);
    expect(messages.filter((message) => message.kind === "fan_out")).toHaveLength(1);
    const resent = messages.filter((message) => message.kind === "deliver");
    expect(resent).toHaveLength(4);
    await consume(resent, queue);
    expect((await deliveries(webhook.id)).map((delivery) => delivery.status)).toEqual(["delivered", "delivered", "delivered", "delivered"]);
    expect(receiver.received).toHaveLength(4);
  });

  it("a queued recompute's chunks write their events and nudge the fan-out", async () => {
    const { queue, sent } = recordingQueue();
    expect((await uploadDays([...days("Acme", 0, 39, "healthy"), ...days("Globex", 0, 39, "healthy")], { WEBHOOK_QUEUE: queue })).status).toBe(200);
    const jobs: RecomputeMessage[] = [];
    const recomputeQueue = {
      async sendBatch(messages: Iterable<MessageSendRequest<RecomputeMessage>>) {
        for (const message of messages) jobs.push(message.body);
      },
    };
    const response = await callWorker("/health/recompute?mode=queued", { method: "POST" }, {
      RECOMPUTE_QUEUE: recomputeQueue,
      WEBHOOK_QUEUE: queue,
      DAU_BENCHMARK_MID_MARKET: "2000",
    });
    expect(response.status).toBe(202);
    sent.length = 0;
    const batch = createMessageBatch<RecomputeMessage>(
      "ai-success-insights-recompute",
      jobs.map((body, index) => ({ id: `job-${index}`, timestamp: new Date(), attempts: 1, body })),
    );
    await worker.queue(batch, { ...env, WEBHOOK_QUEUE: queue, DAU_BENCHMARK_MID_MARKET: "2000" } as Env);
    expect((await getQueueResult(batch, createExecutionContext())).explicitAcks).toHaveLength(jobs.length);
    const changes = (await (await callWorker("/events?type=health.bucket_changed")).json<{ events: HealthEvent[] }>()).events;
    expect(changes).toHaveLength(2);
    expect(sent.map((message) => message.body)).toEqual([{ kind: "fan_out" }]);
  });

  it("end to end through the real webhook queue: the upload's bucket change arrives, correctly signed, within seconds", async () => {
    const arrived: Received[] = [];
    receiver = fakeReceiver((request) => {
      arrived.push(request);
      return new Response("ok");
    });
    const webhook = await createWebhook({ event_types: ["health.bucket_changed"] });
    expect((await uploadDays(days("Acme", 0, 39, "healthy"))).status).toBe(200);
    const started = Date.now();
    expect((await uploadDays(days("Acme", 40, 49, "critical"))).status).toBe(200);
    while (arrived.length === 0 && Date.now() - started < 10_000) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(arrived).toHaveLength(1);
    expect(verify(webhook.secret, arrived[0]!)).toMatchObject({
      type: "health.bucket_changed",
      data: { account_name: "Acme", from: "Healthy", to: "Critical" },
    });
  });
});

describe("webhook secrets sealed at rest", () => {
  async function storedSecrets(id: number) {
    return env.DB.prepare("SELECT secret, previous_secret FROM webhooks WHERE id = ?")
      .bind(id)
      .first<{ secret: string; previous_secret: string | null }>();
  }

  async function runCron(extra: Record<string, unknown> = {}) {
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "0 2 * * *" }), { ...env, ...extra } as Env, ctx);
    await waitOnExecutionContext(ctx);
  }

  async function testDelivery(id: number, extra: Record<string, unknown> = {}): Promise<Received> {
    const before = receiver!.received.length;
    const response = await callWorker(`/webhooks/${id}/test`, { method: "POST" }, extra);
    expect(response.status, await response.clone().text()).toBe(200);
    expect(receiver!.received).toHaveLength(before + 1);
    return receiver!.received[before]!;
  }

  it("stores no secret in the clear; deliveries signed from the sealed secret verify with the standardwebhooks package", async () => {
    receiver = fakeReceiver();
    const webhook = await createWebhook();
    const stored = await storedSecrets(webhook.id);
    expect(stored?.secret).toMatch(/^sealed:[0-9a-f]{8}:/);
    expect(JSON.stringify(stored)).not.toContain(webhook.secret.slice("whsec_".length, 30));
    expect(verify(webhook.secret, await testDelivery(webhook.id))).toMatchObject({ type: "webhook.test" });

    const rotated = await (await callWorker(`/webhooks/${webhook.id}/rotate-secret`, { method: "POST" })).json<{ secret: string }>();
    const afterRotation = await storedSecrets(webhook.id);
    expect(afterRotation?.secret).toMatch(/^sealed:/);
    expect(afterRotation?.previous_secret).toBe(stored?.secret);
    expect(JSON.stringify(afterRotation)).not.toContain(rotated.secret.slice("whsec_".length, 30));
    const both = await testDelivery(webhook.id);
    expect(verify(rotated.secret, both)).toMatchObject({ type: "webhook.test" });
    expect(verify(webhook.secret, both)).toMatchObject({ type: "webhook.test" });
  });

  it("keeps deliveries verifying through a rotation of SECRETS_KEY, and the cron seals again under the new key", async () => {
    receiver = fakeReceiver();
    const webhook = await createWebhook();
    const sealedBefore = (await storedSecrets(webhook.id))!.secret;
    const rotation = { SECRETS_KEY: PRODUCTION_SECRETS_KEY, SECRETS_KEY_PREVIOUS: DEVELOPMENT_SECRETS_KEY };
    expect(verify(webhook.secret, await testDelivery(webhook.id, rotation))).toMatchObject({ type: "webhook.test" });

    await runCron(rotation);
    const resealed = (await storedSecrets(webhook.id))!.secret;
    expect(resealed).not.toBe(sealedBefore);
    expect(resealed.split(":")[1]).not.toBe(sealedBefore.split(":")[1]);
    const newKeyOnly = { SECRETS_KEY: PRODUCTION_SECRETS_KEY };
    expect(verify(webhook.secret, await testDelivery(webhook.id, newKeyOnly))).toMatchObject({ type: "webhook.test" });

    const withoutTheKey = await callWorker(`/webhooks/${webhook.id}/test`, { method: "POST" });
    expect(withoutTheKey.status).toBe(503);
    const problem = await withoutTheKey.json<{ detail: string }>();
    expect(problem.detail).toContain("SECRETS_KEY_PREVIOUS");
    expect(problem.detail).not.toContain(webhook.secret);
  });

  it("seals a secret stored in the clear before sealing existed, and it keeps signing", async () => {
    receiver = fakeReceiver();
    const plain = generateSecret();
    const row = await env.DB.prepare("INSERT INTO webhooks (url, secret) VALUES (?, ?) RETURNING id").bind(RECEIVER, plain).first<{ id: number }>();
    expect(verify(plain, await testDelivery(row!.id))).toMatchObject({ type: "webhook.test" });
    await runCron();
    const stored = await storedSecrets(row!.id);
    expect(stored?.secret).toMatch(/^sealed:/);
    expect(JSON.stringify(stored)).not.toContain(plain.slice("whsec_".length));
    expect(verify(plain, await testDelivery(row!.id))).toMatchObject({ type: "webhook.test" });
  });

  it("in production without SECRETS_KEY every webhook route answers 503 misconfigured, and /healthz says which key seals", async () => {
    const key = "ask_admin_key_for_tests_0123456789";
    const production = { ENVIRONMENT: "production", API_KEYS: `admin:ops:${await sha256Hex(key)}` };
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    for (const [path, init] of [
      ["/webhooks", { method: "GET", headers }],
      ["/webhooks", { method: "POST", headers, body: JSON.stringify({ url: "https://hooks.example.com/x" }) }],
      ["/webhooks/1/rotate-secret", { method: "POST", headers }],
    ] as const) {
      const response = await callWorker(path, init, production);
      expect(response.status, path).toBe(503);
      expect(await response.json()).toMatchObject({ title: "Service misconfigured", detail: expect.stringContaining("SECRETS_KEY is not set") });
    }
    const health = async (extra: Record<string, unknown>) => (await callWorker("/healthz", {}, extra)).json<{ secrets_key: string }>();
    expect(await health(production)).toMatchObject({ secrets_key: "missing" });
    expect(await health({ ...production, SECRETS_KEY: PRODUCTION_SECRETS_KEY })).toMatchObject({ secrets_key: "configured" });
    expect(await health({})).toMatchObject({ secrets_key: "development" });
  });
});
