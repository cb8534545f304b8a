import { sql } from "drizzle-orm";
import type { EventType } from "../../domain/events";
import type { Database } from "../../lib/types";
import { healthEventSchema, type EventList, type HealthEvent, type ListEventsQuery } from "../../contract/events";
import { healthEvents } from "../schema";

// Events are stored as the feed serves them (type and data JSON); healthEventSchema reads a stored row, so the feed,
// the account detail and the webhook deliveries share one reading of it.

/** The change feed's reads, and the book-level events (the account events are written by the rescore's batches). */

/** A stored event: its data as the JSON text the table holds. */
interface EventRow {
  id: number;
  type: EventType;
  account_id: number | null;
  occurred_at: string;
  as_of: string | null;
  data: string;
}

const EVENT_COLUMNS = sql.raw("id, type, account_id, occurred_at, as_of, data");

/** A row as the API shape, parsed against its type's schema (the table's JSON is ours, so this only ever passes). */
function toEvent(row: EventRow): HealthEvent {
  return healthEventSchema.parse({ ...row, data: JSON.parse(row.data) });
}

/** Events after an id, oldest first, of one type and/or one account. */
async function listEvents(db: Database, query: ListEventsQuery): Promise<HealthEvent[]> {
  const rows = await db.all<EventRow>(sql`
    SELECT ${EVENT_COLUMNS} FROM health_events
    WHERE id > ${query.after}
      ${query.type === undefined ? sql`` : sql`AND type = ${query.type}`}
      ${query.account_id === undefined ? sql`` : sql`AND account_id = ${query.account_id}`}
    ORDER BY id
    LIMIT ${query.limit}`);
  return rows.map(toEvent);
}

/** A page of the feed (GET /events, the console's events page) and the cursor of the next: its last id, else `after`. */
export async function eventPage(db: Database, query: ListEventsQuery): Promise<EventList> {
  const events = await listEvents(db, query);
  return { events, next_after: events.at(-1)?.id ?? query.after };
}

/** An account's latest events, newest first (the account_id index holds them in id order). */
export function recentAccountEvents(db: Database, accountId: number, limit: number) {
  return db.all<EventRow>(sql`
    SELECT ${EVENT_COLUMNS} FROM health_events WHERE account_id = ${accountId} ORDER BY id DESC LIMIT ${limit}`);
}

export function toEvents(rows: readonly EventRow[]): HealthEvent[] {
  return rows.map(toEvent);
}

/** The insert of a book-level event, to run in the batch of the write it reports. */
export function insertBookEvent(
  db: Database,
  event: { type: Extract<EventType, "ingest.completed" | "webhook.test">; occurredAt: string; asOf: string | null; data: unknown },
) {
  return db
    .insert(healthEvents)
    .values({ type: event.type, accountId: null, occurredAt: event.occurredAt, asOf: event.asOf, data: event.data })
    .returning({ id: healthEvents.id });
}

/** insertBookEvent as a raw statement, for a runBatch with other raw statements. */
export function insertBookEventStatement(
  db: Database,
  event: { type: Extract<EventType, "health.model_activated">; occurredAt: string; asOf: string | null; data: unknown },
) {
  return db.run(sql`
    INSERT INTO health_events (type, account_id, occurred_at, as_of, data)
    VALUES (${event.type}, NULL, ${event.occurredAt}, ${event.asOf}, ${JSON.stringify(event.data)})`);
}

/** The newest events of the feed, newest first (the console's portfolio page). */
export async function latestEvents(db: Database, limit: number): Promise<HealthEvent[]> {
  const rows = await db.all<EventRow>(sql`SELECT ${EVENT_COLUMNS} FROM health_events ORDER BY id DESC LIMIT ${limit}`);
  return rows.map(toEvent);
}
