import { queuesOf } from "../../bindings";
import { createDb } from "../../db/client";
import { getConfig } from "../../lib/config";
import { describeError } from "../../lib/errors";
import { log } from "../../lib/logger";
import { webhookMessageSchema, type WebhookMessage } from "../../webhooks/messages";
import { deliverOnce, fanOut } from "./deliveries";
import { resealWebhookSecrets, webhookSealingKeys } from "./secrets";
import type { Database } from "../../lib/types";
import type { SealingKeys } from "../../webhooks/sealing";

/** The queue that carries the webhook messages (wrangler.toml); the `queue` handler dispatches on it. */
export const WEBHOOK_QUEUE_NAME = "ai-success-insights-webhooks";

/** Seals the secrets not yet sealed under the current key (webhooks stored before sealing, or before a key rotation). */
async function resealOnNudge(db: Database, keys: Promise<SealingKeys>): Promise<void> {
  try {
    const resealed = await resealWebhookSecrets(db, await keys);
    if (resealed > 0) log("info", "webhook secrets sealed under the current SECRETS_KEY", { webhooks: resealed });
  } catch (error) {
    log("error", "webhook secrets could not be sealed", { error: describeError(error) });
  }
}

/**
 * The webhook queue's consumer. The fan-out nudges of a batch run once (one round covers every event past the
 * cursor, up to its size); the deliveries run side by side, so one slow receiver (up to the 10 s timeout) does not hold
 * up the others. A message that throws (D1 unavailable, say) is retried by Queues; a delivery's own failures are
 * answers, recorded and retried on the schedule, never thrown.
 */
export async function consumeWebhookMessages(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = createDb(env.DB);
  const queue = queuesOf(env).webhooks;
  // Without a key (production without SECRETS_KEY) no delivery can be signed: each is retried until one is set.
  const keys = Promise.resolve().then(() => webhookSealingKeys(getConfig(env).secrets));
  keys.catch(() => undefined);
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
    work.push(resealOnNudge(db, keys));
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
      keys.then((opened) => deliverOnce(db, queue, opened, body.delivery_id, body.attempt)).then(
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
