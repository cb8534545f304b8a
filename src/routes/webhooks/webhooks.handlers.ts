import type { RouteHandler } from "@hono/zod-openapi";
import { queuesOf } from "../../bindings";
import { getDelivery, listDeliveries, restartDelivery } from "../../db/queries/webhook-deliveries";
import { deleteWebhook, getWebhook, listWebhooks } from "../../db/queries/webhooks";
import { recordAudit } from "../../db/queries/audit";
import { ApiError } from "../../lib/errors";
import type { AppEnv } from "../../lib/types";
import { sendTestEvent } from "../../services/webhooks/deliveries";
import { changeWebhook, createWebhook, rotateSecret } from "../../services/webhooks/endpoints";
import { webhookSealingKeys } from "../../services/webhooks/secrets";
import { sendWebhookMessages } from "../../webhooks/messages";
import { SealedSecretError } from "../../webhooks/sealing";
import type * as routes from "./webhooks.routes";
import { toCreatedWebhook, toWebhook } from "./webhooks.mappers";

const isProduction = (environment: string) => environment === "production";

function notFound(id: number): ApiError {
  return new ApiError("not_found", `No webhook has id ${id}.`);
}

export const create: RouteHandler<routes.CreateWebhookRoute, AppEnv> = async (c) => {
  const config = c.get("config");
  const keys = await webhookSealingKeys(config.secrets);
  const created = await createWebhook(c.get("db"), keys, c.req.valid("json"), isProduction(config.environment));
  await recordAudit(c.get("db"), {
    actor: c.get("apiKeyName") ?? null,
    action: "webhook.created",
    subjectId: created.record.id,
    detail: { url: created.record.url },
  });
  return c.json(toCreatedWebhook(created), 201);
};

export const list: RouteHandler<routes.ListWebhooksRoute, AppEnv> = async (c) => {
  return c.json((await listWebhooks(c.get("db"))).map(toWebhook), 200);
};

export const getOne: RouteHandler<routes.GetWebhookRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const record = await getWebhook(c.get("db"), id);
  if (!record) throw notFound(id);
  return c.json(toWebhook(record), 200);
};

export const update: RouteHandler<routes.UpdateWebhookRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const record = await changeWebhook(c.get("db"), id, c.req.valid("json"), isProduction(c.get("config").environment));
  if (!record) throw notFound(id);
  return c.json(toWebhook(record), 200);
};

export const remove: RouteHandler<routes.DeleteWebhookRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const before = await getWebhook(c.get("db"), id);
  if (!before || !(await deleteWebhook(c.get("db"), id))) throw notFound(id);
  await recordAudit(c.get("db"), { actor: c.get("apiKeyName") ?? null, action: "webhook.deleted", subjectId: id, detail: { url: before.url } });
  return c.body(null, 204);
};

export const rotate: RouteHandler<routes.RotateWebhookSecretRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const rotated = await rotateSecret(c.get("db"), await webhookSealingKeys(c.get("config").secrets), id);
  const expiresAt = rotated?.record.previousSecretExpiresAt;
  if (!rotated || !expiresAt) throw notFound(id);
  await recordAudit(c.get("db"), {
    actor: c.get("apiKeyName") ?? null,
    action: "webhook.secret_rotated",
    subjectId: id,
    detail: { previous_secret_expires_at: expiresAt },
  });
  return c.json({ id: rotated.record.id, secret: rotated.secret, previous_secret_expires_at: expiresAt }, 200);
};

export const test: RouteHandler<routes.TestWebhookRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const db = c.get("db");
  if (!(await getWebhook(db, id))) throw notFound(id);
  const deliveryId = await sendTestEvent(db, await webhookSealingKeys(c.get("config").secrets), id).catch((error: unknown) => {
    // A secret no configured key opens is the operator's to fix (SECRETS_KEY, SECRETS_KEY_PREVIOUS), not a fault here.
    throw error instanceof SealedSecretError ? new ApiError("misconfigured", error.message) : error;
  });
  const delivery = await getDelivery(db, id, deliveryId);
  if (!delivery) throw notFound(id);
  return c.json(delivery, 200);
};

export const listDeliveriesOf: RouteHandler<routes.ListWebhookDeliveriesRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const db = c.get("db");
  if (!(await getWebhook(db, id))) throw notFound(id);
  return c.json(await listDeliveries(db, id, c.req.valid("query").limit), 200);
};

export const retry: RouteHandler<routes.RetryWebhookDeliveryRoute, AppEnv> = async (c) => {
  const { id, delivery_id: deliveryId } = c.req.valid("param");
  const db = c.get("db");
  const webhook = await getWebhook(db, id);
  if (!webhook) throw notFound(id);
  if (!webhook.enabled) {
    throw new ApiError("conflict", `Webhook ${id} is disabled (${webhook.disabledReason ?? "no reason recorded"}); enable it with PATCH first.`);
  }
  const attempts = await restartDelivery(db, id, deliveryId, new Date().toISOString());
  if (attempts === null) throw new ApiError("not_found", `Webhook ${id} has no delivery ${deliveryId}.`);
  await sendWebhookMessages(queuesOf(c.env).webhooks, [{ kind: "deliver", delivery_id: deliveryId, attempt: attempts }]);
  const delivery = await getDelivery(db, id, deliveryId);
  if (!delivery) throw new ApiError("not_found", `Webhook ${id} has no delivery ${deliveryId}.`);
  return c.json(delivery, 202);
};
