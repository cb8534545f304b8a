import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index";
import { CSV_HEADER_ORDER } from "../../src/ingest/csv-header";
import type { HealthEvent } from "../../src/contract/events";
import type { WebhookMessage } from "../../src/webhooks/messages";
import { addDays } from "./factories";

/**
 * Uploads whose metrics put accounts in a known state (Healthy, a drop of ~11.5 points that stays Healthy, Critical),
 * the change feed as GET /events answers it, and a queue that records what the Worker sends to the webhook queue.
 */

export const EVENTS_START = "2025-03-01";
const HEADER = CSV_HEADER_ORDER.join(",");

/** Mid-Market (DAU benchmark 75). healthy ≈ 87.8 points; dipped ≈ 76.3 (Healthy, 11.5 lower); critical ≈ 9.2. */
const LEVELS = {
  healthy: { dau: 120, adoption: 0.8, tickets: 1, nps: 50, login: 0.9 },
  dipped: { dau: 120, adoption: 0.5, tickets: 3, nps: 50, login: 0.9 },
  critical: { dau: 5, adoption: 0.1, tickets: 9, nps: -80, login: 0.1 },
} as const;
export type Level = keyof typeof LEVELS;

export interface Day {
  name: string;
  day: number;
  level: Level;
}

export function days(name: string, from: number, to: number, level: Level): Day[] {
  return Array.from({ length: to - from + 1 }, (_, index) => ({ name, day: from + index, level }));
}

export function eventsCsv(rows: readonly Day[]): string {
  const lines = rows.map(({ name, day, level }) => {
    const m = LEVELS[level];
    return [name, "Mid-Market", "EMEA", 90_000, addDays(EVENTS_START, day), m.dau, m.adoption, m.tickets, m.nps, m.login].join(",");
  });
  return [HEADER, ...lines].join("\n");
}

/** Calls the Worker with extra vars or bindings (e.g. a recording WEBHOOK_QUEUE). */
export async function callWorker(path: string, init: RequestInit = {}, extra: Record<string, unknown> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const request = new Request(`http://example.com${path}`, init) as Parameters<typeof worker.fetch>[0];
  const response = await worker.fetch(request, { ...env, ...extra } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

export async function uploadDays(rows: readonly Day[], extra: Record<string, unknown> = {}): Promise<Response> {
  return callWorker("/ingest/csv", { method: "POST", headers: { "content-type": "text/csv" }, body: eventsCsv(rows) }, extra);
}

/** Every event of the feed, oldest first (following `next_after` page by page). */
export async function allEvents(query = ""): Promise<HealthEvent[]> {
  const events: HealthEvent[] = [];
  let after = 0;
  for (;;) {
    const response = await callWorker(`/events?after=${after}&limit=500${query}`);
    if (response.status !== 200) throw new Error(`GET /events: ${response.status} ${await response.text()}`);
    const page = await response.json<{ events: HealthEvent[]; next_after: number }>();
    events.push(...page.events);
    if (page.events.length === 0) return events;
    after = page.next_after;
  }
}

/** A webhook queue that records what is sent (with the delay), delivering nothing. */
export function recordingQueue() {
  const sent: { body: WebhookMessage; delaySeconds: number | undefined }[] = [];
  const queue = {
    async send(body: WebhookMessage, options?: QueueSendOptions) {
      sent.push({ body, delaySeconds: options?.delaySeconds });
    },
    async sendBatch(messages: Iterable<MessageSendRequest<WebhookMessage>>, options?: QueueSendBatchOptions) {
      for (const message of messages) sent.push({ body: message.body, delaySeconds: message.delaySeconds ?? options?.delaySeconds });
    },
  };
  return { queue: queue as unknown as Queue<WebhookMessage>, sent };
}
