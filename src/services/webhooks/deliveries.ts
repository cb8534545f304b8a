import {
  abandonDelivery,
  countEnabledWebhooks,
  fanOutEvents,
  getDeliveryToSend,
  insertTestDelivery,
  overdueDeliveries,
  recordAttempt,
  type AttemptRecord,
  type DeliveryToSend,
} from "../../db/queries/webhook-deliveries";
import { bumpAfter } from "../../db/queries/data-version";
import { log } from "../../lib/logger";
import type { Database } from "../../lib/types";
import {
  attemptDelivery,
  FAILED_DELIVERIES_TO_DISABLE,
  liveSecrets,
  retryDelaySeconds,
  type AttemptResult,
} from "../../webhooks/delivery";
import { sendWebhookMessages, type WebhookMessage } from "../../webhooks/messages";
import { openSecret, type SealingKeys } from "../../webhooks/sealing";

/**
 * Webhook delivery, off the write path: the fan-out turns new events into deliveries, and each delivery is a queue
 * message whose consumer makes one attempt and schedules the next with the backoff (a new message with a delay).
 */

/** Deliveries one fan-out creates at most (one D1 batch, then 100 messages per sendBatch call). */
const DELIVERIES_PER_FAN_OUT = 5000;
/** Events one fan-out moves the cursor past when no endpoint is enabled (nothing to create: a cheap read). */
const EVENTS_PER_EMPTY_FAN_OUT = 50_000;
/** How late a delivery must be before the cron decides its message was lost and sends another. */
const OVERDUE_MS = 15 * 60 * 1000;
const OVERDUE_PER_SWEEP = 5000;

/**
 * One round of fan-out: deliveries for the events past the cursor (at most DELIVERIES_PER_FAN_OUT), one message each,
 * and another nudge when events remain. A failed send leaves the deliveries pending; the cron sends them.
 */
export async function fanOut(db: Database, queue: Queue<WebhookMessage>): Promise<{ deliveries: number; more: boolean }> {
  const endpoints = await countEnabledWebhooks(db);
  const windowSize = endpoints === 0 ? EVENTS_PER_EMPTY_FAN_OUT : Math.max(1, Math.floor(DELIVERIES_PER_FAN_OUT / endpoints));
  const { deliveryIds, moreEvents } = await fanOutEvents(db, windowSize, new Date().toISOString());
  await sendWebhookMessages(
    queue,
    deliveryIds.map((id) => ({ kind: "deliver", delivery_id: id, attempt: 0 })),
  );
  if (moreEvents) await queue.send({ kind: "fan_out" });
  return { deliveries: deliveryIds.length, more: moreEvents };
}

/** The body every attempt of a delivery sends, byte for byte: Standard Webhooks' `{type, timestamp, data}`. */
/** The secrets that sign the delivery at `now`, opened (webhooks/sealing.ts). */
async function signingSecrets(keys: SealingKeys, delivery: DeliveryToSend, now: Date): Promise<string[]> {
  const open = (stored: string) => openSecret(keys, delivery.webhook_id, stored);
  const previous = delivery.previous_secret === null ? null : await open(delivery.previous_secret);
  return liveSecrets(await open(delivery.secret), previous, delivery.previous_secret_expires_at, now);
}

function messageBody(delivery: DeliveryToSend): string {
  return JSON.stringify({ type: delivery.event_type, timestamp: delivery.occurred_at, data: JSON.parse(delivery.data) });
}

/** What an attempt's result makes of the delivery and its endpoint. Test deliveries get one attempt, and count for nothing. */
function attemptRecord(delivery: DeliveryToSend, result: AttemptResult, now: Date): AttemptRecord {
  const isTest = delivery.event_type === "webhook.test";
  const base = {
    deliveryId: delivery.id,
    webhookId: delivery.webhook_id,
    attempt: delivery.attempts,
    statusCode: result.statusCode,
    error: result.error,
    durationMs: result.durationMs,
    now: now.toISOString(),
  };
  if (result.outcome === "delivered") {
    return { ...base, status: "delivered", retryStep: 0, nextAttemptAt: null, endpoint: isTest ? null : { kind: "delivered" } };
  }
  const retryStep = delivery.retry_step + 1;
  if (result.outcome === "gone") {
    const reason = `The endpoint answered 410 Gone at ${base.now}; it is not sent anything more until it is enabled again.`;
    return { ...base, status: "failed", retryStep, nextAttemptAt: null, endpoint: { kind: "gone", reason } };
  }
  const delay = isTest ? null : retryDelaySeconds(retryStep);
  if (delay !== null) {
    const nextAttemptAt = new Date(now.getTime() + delay * 1000).toISOString();
    return { ...base, status: "retrying", retryStep, nextAttemptAt, endpoint: null };
  }
  const reason =
    `The last ${FAILED_DELIVERIES_TO_DISABLE} deliveries failed, every retry used up (the last: ${result.error ?? "no answer"}); ` +
    "enable it again with PATCH once the receiver works.";
  return {
    ...base,
    status: "failed",
    retryStep,
    nextAttemptAt: null,
    endpoint: isTest ? null : { kind: "failed", disableAfter: FAILED_DELIVERIES_TO_DISABLE, reason },
  };
}

/**
 * One attempt of a delivery, when it is still the attempt `attempt` (a duplicate or superseded message finds the
 * delivery moved on and does nothing): send, record, and schedule the retry on the queue. Answers the record, or
 * null when nothing was sent.
 */
export async function deliverOnce(
  db: Database,
  queue: Queue<WebhookMessage> | null,
  keys: SealingKeys,
  deliveryId: number,
  attempt: number,
): Promise<AttemptRecord | null> {
  const delivery = await getDeliveryToSend(db, deliveryId);
  if (!delivery || delivery.attempts !== attempt || (delivery.status !== "pending" && delivery.status !== "retrying")) {
    return null;
  }
  const now = new Date();
  if (delivery.enabled !== 1) {
    await abandonDelivery(db, delivery.id, attempt, "Not sent: the endpoint is disabled (see GET /webhooks/{id}).", now.toISOString());
    return null;
  }
  const result = await attemptDelivery(
    {
      url: delivery.url,
      messageId: delivery.message_id,
      body: messageBody(delivery),
      secrets: await signingSecrets(keys, delivery, now),
    },
    now,
  );
  const record = attemptRecord(delivery, result, now);
  if (!(await recordAttempt(db, record))) return null;
  const fields = { webhook_id: delivery.webhook_id, delivery_id: delivery.id, attempt: attempt + 1, status_code: result.statusCode };
  if (record.status === "retrying" && queue && record.nextAttemptAt) {
    const delaySeconds = Math.round((Date.parse(record.nextAttemptAt) - now.getTime()) / 1000);
    await sendWebhookMessages(queue, [{ kind: "deliver", delivery_id: delivery.id, attempt: attempt + 1 }], delaySeconds);
    log("warn", "webhook delivery failed; retrying", { ...fields, error: result.error, retry_in_s: delaySeconds });
  } else if (record.status === "failed") {
    log("warn", "webhook delivery failed", { ...fields, error: result.error, endpoint: record.endpoint?.kind ?? null });
  } else {
    log("info", "webhook delivered", { ...fields, duration_ms: result.durationMs });
  }
  return record;
}

/** POST /webhooks/{id}/test: a webhook.test event to this endpoint, tried once now. Answers the delivery's id. */
export async function sendTestEvent(db: Database, keys: SealingKeys, webhookId: number): Promise<number> {
  const now = new Date().toISOString();
  // The event is in GET /events, whose ETag follows the data version.
  const data = { webhook_id: webhookId, message: "A test event from AI Success Insights." };
  const deliveryId = await bumpAfter(db, insertTestDelivery(db, webhookId, data, now));
  // The endpoint's own state is not consulted: a disabled endpoint can be tested before it is enabled again.
  const delivery = await getDeliveryToSend(db, deliveryId);
  if (!delivery) throw new Error(`The test delivery ${deliveryId} vanished`);
  const sendNow = new Date();
  const result = await attemptDelivery(
    {
      url: delivery.url,
      messageId: delivery.message_id,
      body: messageBody(delivery),
      secrets: await signingSecrets(keys, delivery, sendNow),
    },
    sendNow,
  );
  await recordAttempt(db, attemptRecord(delivery, result, sendNow));
  return deliveryId;
}

/** The cron's part: resend the deliveries whose message was lost, and nudge the fan-out in case a nudge was. */
export async function sweepWebhooks(db: Database, queue: Queue<WebhookMessage>): Promise<{ resent: number }> {
  const overdue = await overdueDeliveries(db, new Date(Date.now() - OVERDUE_MS).toISOString(), OVERDUE_PER_SWEEP);
  await sendWebhookMessages(
    queue,
    overdue.map((delivery) => ({ kind: "deliver", delivery_id: delivery.id, attempt: delivery.attempts })),
  );
  await queue.send({ kind: "fan_out" });
  return { resent: overdue.length };
}
