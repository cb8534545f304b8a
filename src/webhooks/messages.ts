import { z } from "@hono/zod-openapi";
import { errorMessage } from "../lib/errors";
import { log } from "../lib/logger";
import { MESSAGES_PER_SEND } from "../lib/queues";

/**
 * The webhook queue's messages (WEBHOOK_QUEUE, which this Worker produces and consumes). `fan_out`: a nudge, sent after
 * a batch that wrote events commits (and by the cron), so a lost one only delays; the consumer turns the events past
 * its cursor into deliveries. `deliver`: one attempt of one delivery; `attempt` is the number of attempts the delivery
 * had when the message was sent, so a duplicate or superseded message finds it moved on and does nothing.
 */
export const webhookMessageSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("fan_out") }),
  z.object({ kind: z.literal("deliver"), delivery_id: z.number().int().positive(), attempt: z.number().int().min(0) }),
]);
export type WebhookMessage = z.infer<typeof webhookMessageSchema>;

export async function sendWebhookMessages(
  queue: Queue<WebhookMessage>,
  messages: readonly WebhookMessage[],
  delaySeconds?: number,
): Promise<void> {
  for (let start = 0; start < messages.length; start += MESSAGES_PER_SEND) {
    await queue.sendBatch(
      messages.slice(start, start + MESSAGES_PER_SEND).map((body) => ({ body })),
      delaySeconds === undefined ? undefined : { delaySeconds },
    );
  }
}

/**
 * Tells the fan-out that events were written. Never throws: the write that caused the events has committed, and
 * a lost nudge only delays the deliveries until the next one (the cron sends one daily).
 */
export async function nudgeFanOut(queue: Queue<WebhookMessage>, fields: Record<string, unknown> = {}): Promise<void> {
  try {
    await queue.send({ kind: "fan_out" });
  } catch (error) {
    log("warn", "webhook fan-out nudge not sent; the next nudge or the cron delivers the events", {
      ...fields,
      error: errorMessage(error),
    });
  }
}
