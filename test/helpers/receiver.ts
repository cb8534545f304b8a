import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { vi } from "vitest";
import worker from "../../src/index";
import { WEBHOOK_QUEUE_NAME } from "../../src/services/webhooks/consumer";
import type { WebhookMessage } from "../../src/webhooks/messages";

/** A fake webhook receiver at the fetch boundary: every request the Worker sends is recorded and answered by `answer`. */

export interface Received {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export function fakeReceiver(answer: (request: Received, index: number) => Response | Promise<Response> = () => new Response("ok")) {
  const received: Received[] = [];
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    const record = { url: request.url, headers: Object.fromEntries(request.headers), body: await request.text() };
    received.push(record);
    return answer(record, received.length - 1);
  });
  return { received, restore: () => spy.mockRestore() };
}

/** Runs the Worker's queue handler on webhook messages, with `queue` as the WEBHOOK_QUEUE it sends to. */
export async function consume(messages: readonly WebhookMessage[], queue: Queue<WebhookMessage>, attempts = 1) {
  const batch = createMessageBatch<WebhookMessage>(
    WEBHOOK_QUEUE_NAME,
    messages.map((body, index) => ({ id: `message-${index}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, WEBHOOK_QUEUE: queue } as Env);
  return getQueueResult(batch, ctx);
}
