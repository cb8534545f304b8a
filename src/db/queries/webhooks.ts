import { desc, eq, sql } from "drizzle-orm";
import type { SubscribableEventType } from "../../domain/events";
import type { Database } from "../../lib/types";
import { webhooks } from "../schema";

/** Webhook endpoints: their settings, secrets and whether they are enabled. */

export type WebhookRecord = typeof webhooks.$inferSelect;

export interface NewWebhook {
  url: string;
  /** Null: every type. */
  eventTypes: SubscribableEventType[] | null;
  description: string | null;
  secret: string;
  includeModelChanges: boolean;
}

/** Creates an endpoint that receives the events written after this moment. */
export async function insertWebhook(db: Database, webhook: NewWebhook): Promise<WebhookRecord> {
  const [row] = await db
    .insert(webhooks)
    .values({
      ...webhook,
      eventsAfter: sql`(SELECT coalesce(max(id), 0) FROM health_events)`,
    })
    .returning();
  if (!row) throw new Error("Inserting the webhook returned no row");
  return row;
}

export async function listWebhooks(db: Database): Promise<WebhookRecord[]> {
  return db.select().from(webhooks).orderBy(desc(webhooks.id)).all();
}

export async function getWebhook(db: Database, id: number): Promise<WebhookRecord | null> {
  return (await db.select().from(webhooks).where(eq(webhooks.id, id)).get()) ?? null;
}

export interface WebhookChanges {
  url?: string;
  eventTypes?: SubscribableEventType[] | null;
  description?: string | null;
  enabled?: boolean;
  includeModelChanges?: boolean;
}

/** Applies the changes given; enabling clears the disabled reason and the failure count. Null: no such webhook. */
export async function updateWebhook(db: Database, id: number, changes: WebhookChanges, now: string): Promise<WebhookRecord | null> {
  const reEnabled = changes.enabled === true ? { disabledReason: null, disabledAt: null, consecutiveFailures: 0 } : {};
  const disabled = changes.enabled === false ? { disabledReason: "Disabled by PATCH /webhooks/{id}.", disabledAt: now } : {};
  const [row] = await db
    .update(webhooks)
    .set({ ...changes, ...reEnabled, ...disabled, updatedAt: now })
    .where(eq(webhooks.id, id))
    .returning();
  return row ?? null;
}

/** Deletes the endpoint and (cascade) its deliveries; false when there was none. */
export async function deleteWebhook(db: Database, id: number): Promise<boolean> {
  const rows = await db.delete(webhooks).where(eq(webhooks.id, id)).returning({ id: webhooks.id });
  return rows.length > 0;
}

/** Makes `secret` the signing secret; the current one keeps signing beside it until `previousExpiresAt`. */
export async function rotateWebhookSecret(
  db: Database,
  id: number,
  secret: string,
  previousExpiresAt: string,
  now: string,
): Promise<WebhookRecord | null> {
  const [row] = await db
    .update(webhooks)
    .set({ previousSecret: sql`${webhooks.secret}`, previousSecretExpiresAt: previousExpiresAt, secret, updatedAt: now })
    .where(eq(webhooks.id, id))
    .returning();
  return row ?? null;
}

/** The stored secrets of the endpoints whose secrets are not all sealed under the key version `version`. */
export async function webhooksToReseal(
  db: Database,
  version: string,
): Promise<{ id: number; secret: string; previous_secret: string | null }[]> {
  const sealedNow = `sealed:${version}:%`;
  return db.all(sql`
    SELECT id, secret, previous_secret FROM webhooks
    WHERE secret NOT LIKE ${sealedNow} OR (previous_secret IS NOT NULL AND previous_secret NOT LIKE ${sealedNow})`);
}

/** Stores the endpoint's secrets as given (sealed), when they are still `expected`: a rotation in between wins. */
export async function replaceWebhookSecrets(
  db: Database,
  id: number,
  expected: { secret: string; previousSecret: string | null },
  sealed: { secret: string; previousSecret: string | null },
): Promise<boolean> {
  const result = await db.run(sql`
    UPDATE webhooks SET secret = ${sealed.secret}, previous_secret = ${sealed.previousSecret}
    WHERE id = ${id} AND secret = ${expected.secret} AND previous_secret IS ${expected.previousSecret}`);
  return (result.meta.changes ?? 0) > 0;
}
