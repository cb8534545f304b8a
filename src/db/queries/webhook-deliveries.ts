import { sql } from "drizzle-orm";
import type { EventType } from "../../domain/events";
import type { Database } from "../../lib/types";
import type { Delivery } from "../../contract/webhooks";
import { runBatch } from "../batch";

// A delivery row is the API's Delivery field for field (its JSON columns parsed), so the query answers that shape.

/** Deliveries: the fan-out that creates them from the feed, an attempt's record, and the reads of the routes. */

/** The cursor: the last event the fan-out has turned into deliveries. */
const CURSOR = sql.raw("coalesce((SELECT last_event_id FROM webhook_cursor WHERE id = 1), 0)");

/**
 * The fan-out of the next `windowSize` events past the cursor, in ONE atomic batch: a delivery for each enabled
 * endpoint subscribed to the event's type (and created before it), and the cursor moved past the window. Both
 * statements read the cursor as it was, so they cover the same events; a second fan-out running at the same time
 * finds the cursor moved and creates nothing, and the unique (webhook_id, event_id) index forbids a double anyway.
 * `webhook.test` events are never fanned out: the test route delivers them to their one endpoint.
 */
export async function fanOutEvents(
  db: Database,
  windowSize: number,
  now: string,
): Promise<{ deliveryIds: number[]; eventsCovered: boolean; moreEvents: boolean }> {
  const window = sql`SELECT id, type, data ->> '$.cause' AS cause FROM health_events WHERE id > ${CURSOR} ORDER BY id LIMIT ${windowSize}`;
  const [created, moved, more] = await runBatch(db, [
    db.all<{ id: number }>(sql`
      INSERT INTO webhook_deliveries (webhook_id, event_id, message_id, status, next_attempt_at, created_at, updated_at)
      SELECT w.id, e.id, 'msg_' || lower(hex(randomblob(12))), 'pending', ${now}, ${now}, ${now}
      FROM (${window}) AS e
      JOIN webhooks AS w
        ON w.enabled = 1 AND e.id > w.events_after AND e.type <> 'webhook.test'
       AND (w.event_types IS NULL OR EXISTS (SELECT 1 FROM json_each(w.event_types) AS t WHERE t.value = e.type))
       AND (w.include_model_changes = 1 OR e.cause IS NOT 'model_change')
      WHERE true
      ORDER BY e.id, w.id
      ON CONFLICT (webhook_id, event_id) DO NOTHING
      RETURNING id`),
    db.run(sql`
      INSERT INTO webhook_cursor (id, last_event_id, updated_at)
      SELECT 1, last_id, ${now} FROM (SELECT max(id) AS last_id FROM (${window})) WHERE last_id IS NOT NULL
      ON CONFLICT (id) DO UPDATE SET last_event_id = excluded.last_event_id, updated_at = excluded.updated_at`),
    db.get<{ more: 0 | 1 }>(sql`SELECT EXISTS (SELECT 1 FROM health_events WHERE id > ${CURSOR}) AS more`),
  ]);
  return {
    deliveryIds: created.map((row) => row.id),
    eventsCovered: (moved.meta.changes ?? 0) > 0,
    moreEvents: more?.more === 1,
  };
}

export async function countEnabledWebhooks(db: Database): Promise<number> {
  return (await db.get<{ count: number }>(sql`SELECT count(*) AS count FROM webhooks WHERE enabled = 1`))?.count ?? 0;
}

/** What one attempt needs: the delivery, its endpoint's URL and secrets, and its event. */
export interface DeliveryToSend {
  id: number;
  webhook_id: number;
  message_id: string;
  status: Delivery["status"];
  attempts: number;
  retry_step: number;
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
  enabled: 0 | 1;
  event_type: EventType;
  occurred_at: string;
  data: string;
}

export async function getDeliveryToSend(db: Database, id: number): Promise<DeliveryToSend | null> {
  const row = await db.get<DeliveryToSend>(sql`
    SELECT d.id, d.webhook_id, d.message_id, d.status, d.attempts, d.retry_step,
           w.url, w.secret, w.previous_secret, w.previous_secret_expires_at, w.enabled,
           e.type AS event_type, e.occurred_at, e.data
    FROM webhook_deliveries AS d
    JOIN webhooks AS w ON w.id = d.webhook_id
    JOIN health_events AS e ON e.id = d.event_id
    WHERE d.id = ${id}`);
  return row ?? null;
}

/** How an attempt ended for the delivery, and what it does to its endpoint. */
export interface AttemptRecord {
  deliveryId: number;
  webhookId: number;
  /** The delivery's attempts before this one: the row is updated only if no other attempt got there first. */
  attempt: number;
  status: Delivery["status"];
  retryStep: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  nextAttemptAt: string | null;
  now: string;
  /**
   * `delivered`: the endpoint's failure count restarts. `failed`: one more delivery failed in a row; at
   * `disableAfter` the endpoint is disabled with `reason`. `gone`: disabled now (410). Null: no change (a retry
   * scheduled, or a test delivery).
   */
  endpoint: { kind: "delivered" } | { kind: "failed"; disableAfter: number; reason: string } | { kind: "gone"; reason: string } | null;
}

/** The endpoint's update, only when this attempt's own update of the delivery went through. */
function endpointUpdate(record: AttemptRecord): ReturnType<typeof sql> {
  const { endpoint, webhookId, now } = record;
  const thisAttempt = sql`EXISTS (SELECT 1 FROM webhook_deliveries
    WHERE id = ${record.deliveryId} AND attempts = ${record.attempt + 1} AND updated_at = ${now})`;
  if (endpoint === null) return sql`SELECT 0`;
  if (endpoint.kind === "delivered") {
    // A no-op in the common case, so no row is written.
    return sql`UPDATE webhooks SET consecutive_failures = 0, updated_at = ${now}
      WHERE id = ${webhookId} AND consecutive_failures <> 0 AND ${thisAttempt}`;
  }
  if (endpoint.kind === "gone") {
    return sql`UPDATE webhooks SET enabled = 0, disabled_reason = ${endpoint.reason}, disabled_at = ${now}, updated_at = ${now}
      WHERE id = ${webhookId} AND enabled = 1 AND ${thisAttempt}`;
  }
  const reaches = sql`consecutive_failures + 1 >= ${endpoint.disableAfter}`;
  return sql`UPDATE webhooks
    SET consecutive_failures = consecutive_failures + 1,
        disabled_reason = CASE WHEN enabled = 1 AND ${reaches} THEN ${endpoint.reason} ELSE disabled_reason END,
        disabled_at = CASE WHEN enabled = 1 AND ${reaches} THEN ${now} ELSE disabled_at END,
        enabled = CASE WHEN ${reaches} THEN 0 ELSE enabled END,
        updated_at = ${now}
    WHERE id = ${webhookId} AND ${thisAttempt}`;
}

/** Records an attempt on the delivery and its consequence for the endpoint, atomically; false when superseded. */
export async function recordAttempt(db: Database, record: AttemptRecord): Promise<boolean> {
  const delivered = record.status === "delivered";
  const [updated] = await runBatch(db, [
    db.run(sql`
      UPDATE webhook_deliveries
      SET attempts = attempts + 1, retry_step = ${record.retryStep}, status = ${record.status},
          last_status_code = ${record.statusCode}, last_error = ${record.error}, next_attempt_at = ${record.nextAttemptAt},
          delivered_at = CASE WHEN ${delivered ? 1 : 0} = 1 THEN ${record.now} ELSE delivered_at END,
          duration_ms = ${record.durationMs}, updated_at = ${record.now}
      WHERE id = ${record.deliveryId} AND attempts = ${record.attempt}`),
    db.run(endpointUpdate(record)),
  ]);
  return (updated.meta.changes ?? 0) > 0;
}

/** Ends a delivery without sending it (its endpoint is disabled). */
export async function abandonDelivery(db: Database, id: number, attempt: number, reason: string, now: string): Promise<void> {
  await db.run(sql`
    UPDATE webhook_deliveries SET status = 'failed', last_error = ${reason}, next_attempt_at = NULL, updated_at = ${now}
    WHERE id = ${id} AND attempts = ${attempt} AND status IN ('pending', 'retrying')`);
}

const DELIVERY_COLUMNS = sql.raw(`
  d.id, d.event_id, e.type AS event_type, d.message_id, d.status, d.attempts, d.last_status_code, d.last_error,
  d.next_attempt_at, d.delivered_at, d.duration_ms, d.created_at`);

/** An endpoint's latest deliveries, newest first (in the order of the unique index: one per event). */
export async function listDeliveries(db: Database, webhookId: number, limit: number): Promise<Delivery[]> {
  return db.all<Delivery>(sql`
    SELECT ${DELIVERY_COLUMNS}
    FROM webhook_deliveries AS d JOIN health_events AS e ON e.id = d.event_id
    WHERE d.webhook_id = ${webhookId}
    ORDER BY d.event_id DESC
    LIMIT ${limit}`);
}

export async function getDelivery(db: Database, webhookId: number, deliveryId: number): Promise<Delivery | null> {
  const row = await db.get<Delivery>(sql`
    SELECT ${DELIVERY_COLUMNS}
    FROM webhook_deliveries AS d JOIN health_events AS e ON e.id = d.event_id
    WHERE d.id = ${deliveryId} AND d.webhook_id = ${webhookId}`);
  return row ?? null;
}

/** Makes a delivery due now, with a fresh retry schedule; answers its attempts so far (null: no such delivery). */
export async function restartDelivery(db: Database, webhookId: number, deliveryId: number, now: string): Promise<number | null> {
  const row = await db.get<{ attempts: number }>(sql`
    UPDATE webhook_deliveries SET status = 'pending', retry_step = 0, next_attempt_at = ${now}, updated_at = ${now}
    WHERE id = ${deliveryId} AND webhook_id = ${webhookId}
    RETURNING attempts`);
  return row?.attempts ?? null;
}

/**
 * A webhook.test event and its one delivery, to this endpoint, in one batch (the delivery takes the event just
 * inserted: D1 has a single writer, so within the batch that is the newest event). Answers the delivery's id.
 */
export async function insertTestDelivery(db: Database, webhookId: number, data: unknown, now: string): Promise<number> {
  const [, delivery] = await runBatch(db, [
    db.run(sql`
      INSERT INTO health_events (type, account_id, occurred_at, as_of, data)
      VALUES ('webhook.test', NULL, ${now}, NULL, ${JSON.stringify(data)})`),
    db.get<{ id: number }>(sql`
      INSERT INTO webhook_deliveries (webhook_id, event_id, message_id, status, next_attempt_at, created_at, updated_at)
      SELECT ${webhookId}, max(id), 'msg_' || lower(hex(randomblob(12))), 'pending', ${now}, ${now}, ${now} FROM health_events
      RETURNING id`),
  ]);
  if (!delivery) throw new Error("Inserting the test delivery returned no id");
  return delivery.id;
}

/**
 * Deliveries still waiting well past their due time: their queue message was lost (a failed send after the fan-out
 * committed, say). The cron sends them again; a message that was only late finds them moved on and does nothing.
 */
export async function overdueDeliveries(db: Database, dueBefore: string, limit: number): Promise<{ id: number; attempts: number }[]> {
  return db.all<{ id: number; attempts: number }>(sql`
    SELECT id, attempts FROM webhook_deliveries
    WHERE status IN ('pending', 'retrying') AND next_attempt_at < ${dueBefore}
    ORDER BY id LIMIT ${limit}`);
}
