import { queuesOf } from "../../bindings";
import { createDb } from "../../db/client";
import { describeError } from "../../lib/errors";
import { log } from "../../lib/logger";
import { webhookMessageSchema, type WebhookMessage } from "../../webhooks/messages";
import { deliverOnce, fanOut } from "./deliveries";

/** The queue that carries the webhook messages (wrangler.toml); the `queue` handler dispatches on it. */
export const WEBHOOK_QUEUE_NAME = "ai-success-insights-webhooks";

/**
 * The webhook queue's consumer. The fan-out nudges of a batch run once (one round covers every event past the
 * cursor, up to its size); the deliveries run side by side, so one slow receiver (up to the 10 s timeout) does not hold
 * up the others. A message that throws (D1 unavailable, say) is retried by Queues; a delivery's own failures are
 * answers, recorded and retried on the schedule, never thrown.
 */
export async function consumeWebhookMessages(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = createDb(env.DB);
  const queue = queuesOf(env).webhooks;
  const nudges: Message<unknown>[] = [];
  const deliveries: { message: Message<unknown>; body: Extract<WebhookMessage, { kind: "deliver" }> }[] = [];
  for (const message of batch.messages) {
    const parsed = webhookMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      log("error", "webhook queue message not understood; dropped", { message_id: message.id });
      message.ack();
    } else if (parsed.data.kind === "fan_out") nudges.push(message);
    else deliveries.push({ message, body: parsed.data });
  }

  const work: Promise<void>[] = [];
  if (nudges.length > 0) {
    work.push(
      fanOut(db, queue).then(
        (result) => {
          if (result.deliveries > 0) log("info", "webhook fan-out", { deliveries: result.deliveries, more: result.more });
          for (const message of nudges) message.ack();
        },
        (error: unknown) => {
          log("error", "webhook fan-out failed; retrying", { error: describeError(error) });
          for (const message of nudges) message.retry();
        },
      ),
    );
  }
  for (const { message, body } of deliveries) {
    work.push(
      deliverOnce(db, queue, body.delivery_id, body.attempt).then(
        () => message.ack(),
        (error: unknown) => {
          log("error", "webhook delivery could not run; retrying", { delivery_id: body.delivery_id, error: describeError(error) });
          message.retry();
        },
      ),
    );
  }
  await Promise.all(work);
}
