import { recordAudit } from "../../db/queries/audit";
import { getDelivery, listDeliveries, restartDelivery } from "../../db/queries/webhook-deliveries";
import { deleteWebhook, getWebhook, listWebhooks } from "../../db/queries/webhooks";
import type { AppConfig, SecretsConfig } from "../../lib/config";
import { ApiError } from "../../lib/errors";
import type { Database } from "../../lib/types";
import type {
  CreateWebhookBody,
  CreatedWebhook,
  Delivery,
  RotatedSecret,
  UpdateWebhookBody,
  Webhook,
} from "../../contract/webhooks";
import { sendWebhookMessages, type WebhookMessage } from "../../webhooks/messages";
import { SealedSecretError } from "../../webhooks/sealing";
import { sendTestEvent } from "./deliveries";
import { changeWebhook, createWebhook, rotateSecret } from "./endpoints";
import { toCreatedWebhook, toWebhook } from "./mappers";
import { webhookSealingKeys } from "./secrets";

/**
 * What an admin does with webhook endpoints, as the API's routes and the console's pages both do it: the same checks,
 * the same answers, and the same audit records (with the caller's key name as the actor).
 */

/** Who asked: the key's name from API_KEYS (or the session's), null when no keys are configured. */
type Actor = string | null;

function notFound(id: number): ApiError {
  return new ApiError("not_found", `No webhook has id ${id}.`);
}

function noDelivery(id: number, deliveryId: number): ApiError {
  return new ApiError("not_found", `Webhook ${id} has no delivery ${deliveryId}.`);
}

/** The URL rules are stricter in production (webhooks/url-rules.ts). */
function inProduction(config: AppConfig): boolean {
  return config.environment === "production";
}

export async function createEndpoint(db: Database, config: AppConfig, body: CreateWebhookBody, actor: Actor): Promise<CreatedWebhook> {
  const created = await createWebhook(db, await webhookSealingKeys(config.secrets), body, inProduction(config));
  await recordAudit(db, { actor, action: "webhook.created", subjectId: created.record.id, detail: { url: created.record.url } });
  return toCreatedWebhook(created);
}

export async function listEndpoints(db: Database): Promise<Webhook[]> {
  return (await listWebhooks(db)).map(toWebhook);
}

export async function getEndpoint(db: Database, id: number): Promise<Webhook> {
  const record = await getWebhook(db, id);
  if (!record) throw notFound(id);
  return toWebhook(record);
}

export async function changeEndpoint(db: Database, config: AppConfig, id: number, body: UpdateWebhookBody): Promise<Webhook> {
  const record = await changeWebhook(db, id, body, inProduction(config));
  if (!record) throw notFound(id);
  return toWebhook(record);
}

export async function deleteEndpoint(db: Database, id: number, actor: Actor): Promise<void> {
  const before = await getWebhook(db, id);
  if (!before || !(await deleteWebhook(db, id))) throw notFound(id);
  await recordAudit(db, { actor, action: "webhook.deleted", subjectId: id, detail: { url: before.url } });
}

export async function rotateEndpointSecret(db: Database, secrets: SecretsConfig, id: number, actor: Actor): Promise<RotatedSecret> {
  const rotated = await rotateSecret(db, await webhookSealingKeys(secrets), id);
  const expiresAt = rotated?.record.previousSecretExpiresAt;
  if (!rotated || !expiresAt) throw notFound(id);
  await recordAudit(db, {
    actor,
    action: "webhook.secret_rotated",
    subjectId: id,
    detail: { previous_secret_expires_at: expiresAt },
  });
  return { id: rotated.record.id, secret: rotated.secret, previous_secret_expires_at: expiresAt };
}

/** A webhook.test event delivered to this endpoint now; answers the delivery after its one attempt. */
export async function testEndpoint(db: Database, secrets: SecretsConfig, id: number): Promise<Delivery> {
  if (!(await getWebhook(db, id))) throw notFound(id);
  const deliveryId = await sendTestEvent(db, await webhookSealingKeys(secrets), id).catch((error: unknown) => {
    // A secret no configured key opens is the operator's to fix (SECRETS_KEY, SECRETS_KEY_PREVIOUS), not a fault here.
    throw error instanceof SealedSecretError ? new ApiError("misconfigured", error.message) : error;
  });
  const delivery = await getDelivery(db, id, deliveryId);
  if (!delivery) throw notFound(id);
  return delivery;
}

export async function endpointDeliveries(db: Database, id: number, limit: number): Promise<Delivery[]> {
  if (!(await getWebhook(db, id))) throw notFound(id);
  return listDeliveries(db, id, limit);
}

/** Queues the delivery again now with a fresh retry schedule; a 409 while its endpoint is disabled. */
export async function retryEndpointDelivery(db: Database, queue: Queue<WebhookMessage>, id: number, deliveryId: number): Promise<Delivery> {
  const webhook = await getWebhook(db, id);
  if (!webhook) throw notFound(id);
  if (!webhook.enabled) {
    throw new ApiError("conflict", `Webhook ${id} is disabled (${webhook.disabledReason ?? "no reason recorded"}); enable it with PATCH first.`);
  }
  const attempts = await restartDelivery(db, id, deliveryId, new Date().toISOString());
  if (attempts === null) throw noDelivery(id, deliveryId);
  await sendWebhookMessages(queue, [{ kind: "deliver", delivery_id: deliveryId, attempt: attempts }]);
  const delivery = await getDelivery(db, id, deliveryId);
  if (!delivery) throw noDelivery(id, deliveryId);
  return delivery;
}
