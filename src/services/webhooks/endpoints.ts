import {
  deleteWebhook,
  insertWebhook,
  replaceWebhookSecrets,
  rotateWebhookSecret,
  updateWebhook,
  type WebhookRecord,
} from "../../db/queries/webhooks";
import { ApiError } from "../../lib/errors";
import type { Database } from "../../lib/types";
import type { CreateWebhookBody, UpdateWebhookBody } from "../../contract/webhooks";
import { SECRET_OVERLAP_MS } from "../../webhooks/delivery";
import { sealSecret, type SealingKeys } from "../../webhooks/sealing";
import { generateSecret } from "../../webhooks/signing";
import { checkWebhookUrl } from "../../webhooks/url-rules";

/**
 * Creating and changing webhook endpoints: the URL rules, the secret shown once and stored sealed (webhooks/sealing.ts),
 * the rotation's overlap.
 */

/** An endpoint as stored, and its new secret in the clear: for the one answer that shows it. */
export interface WithSecret {
  record: WebhookRecord;
  secret: string;
}

/** Stands in for the secret between the insert that gives the endpoint its id and the seal that needs the id. */
const SEALING = "sealing";

/** The URL, normalised, or a 400 that names the rule it breaks. */
function acceptedUrl(url: string, production: boolean): string {
  const check = checkWebhookUrl(url, production);
  if (check.ok) return check.url;
  throw new ApiError("validation_error", `Body field 'url' is invalid: the URL ${check.rule}.`, [
    { field: "url", message: `The URL ${check.rule}` },
  ]);
}

export async function createWebhook(
  db: Database,
  keys: SealingKeys,
  body: CreateWebhookBody,
  production: boolean,
): Promise<WithSecret> {
  const url = acceptedUrl(body.url, production);
  const record = await insertWebhook(db, {
    url,
    eventTypes: body.event_types ?? null,
    description: body.description ?? null,
    secret: SEALING,
    includeModelChanges: body.include_model_changes ?? false,
  });
  const secret = generateSecret();
  try {
    const sealed = await sealSecret(keys, record.id, secret);
    await replaceWebhookSecrets(db, record.id, { secret: SEALING, previousSecret: null }, { secret: sealed, previousSecret: null });
    return { record: { ...record, secret: sealed }, secret };
  } catch (error) {
    await deleteWebhook(db, record.id).catch(() => undefined);
    throw error;
  }
}

export async function changeWebhook(
  db: Database,
  id: number,
  body: UpdateWebhookBody,
  production: boolean,
): Promise<WebhookRecord | null> {
  return updateWebhook(
    db,
    id,
    {
      ...(body.url === undefined ? {} : { url: acceptedUrl(body.url, production) }),
      ...(body.event_types === undefined ? {} : { eventTypes: body.event_types }),
      ...(body.description === undefined ? {} : { description: body.description }),
      ...(body.enabled === undefined ? {} : { enabled: body.enabled }),
      ...(body.include_model_changes === undefined ? {} : { includeModelChanges: body.include_model_changes }),
    },
    new Date().toISOString(),
  );
}

/** A new secret; the current one keeps signing beside it for SECRET_OVERLAP_MS. */
export async function rotateSecret(db: Database, keys: SealingKeys, id: number): Promise<WithSecret | null> {
  const now = new Date();
  const expires = new Date(now.getTime() + SECRET_OVERLAP_MS).toISOString();
  const secret = generateSecret();
  const record = await rotateWebhookSecret(db, id, await sealSecret(keys, id, secret), expires, now.toISOString());
  return record ? { record, secret } : null;
}
