import { insertWebhook, rotateWebhookSecret, updateWebhook, type WebhookRecord } from "../../db/queries/webhooks";
import { ApiError } from "../../lib/errors";
import type { Database } from "../../lib/types";
import type { CreateWebhookBody, UpdateWebhookBody } from "../../contract/webhooks";
import { SECRET_OVERLAP_MS } from "../../webhooks/delivery";
import { generateSecret } from "../../webhooks/signing";
import { checkWebhookUrl } from "../../webhooks/url-rules";

/** Creating and changing webhook endpoints: the URL rules, the secret shown once, the rotation's overlap. */

/** The URL, normalised, or a 400 that names the rule it breaks. */
function acceptedUrl(url: string, production: boolean): string {
  const check = checkWebhookUrl(url, production);
  if (check.ok) return check.url;
  throw new ApiError("validation_error", `Body field 'url' is invalid: the URL ${check.rule}.`, [
    { field: "url", message: `The URL ${check.rule}` },
  ]);
}

export async function createWebhook(db: Database, body: CreateWebhookBody, production: boolean): Promise<WebhookRecord> {
  return insertWebhook(db, {
    url: acceptedUrl(body.url, production),
    eventTypes: body.event_types ?? null,
    description: body.description ?? null,
    secret: generateSecret(),
    includeModelChanges: body.include_model_changes ?? false,
  });
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
export async function rotateSecret(db: Database, id: number): Promise<WebhookRecord | null> {
  const now = new Date();
  const expires = new Date(now.getTime() + SECRET_OVERLAP_MS).toISOString();
  return rotateWebhookSecret(db, id, generateSecret(), expires, now.toISOString());
}
