import { z } from "@hono/zod-openapi";
import { SUBSCRIBABLE_EVENT_TYPES } from "../../domain/events";
import type { WebhookRecord } from "../../db/queries/webhooks";
import type { CreatedWebhook, Webhook } from "../../contract/webhooks";
import type { WithSecret } from "./endpoints";

const storedEventTypes = z.array(z.enum(SUBSCRIBABLE_EVENT_TYPES)).nullable();

/** An endpoint as the API shows it: never its secrets. */
export function toWebhook(record: WebhookRecord): Webhook {
  return {
    id: record.id,
    url: record.url,
    event_types: storedEventTypes.parse(record.eventTypes) ?? [...SUBSCRIBABLE_EVENT_TYPES],
    description: record.description,
    enabled: record.enabled,
    disabled_reason: record.disabledReason,
    disabled_at: record.disabledAt,
    consecutive_failures: record.consecutiveFailures,
    include_model_changes: record.includeModelChanges,
    previous_secret_expires_at:
      record.previousSecretExpiresAt !== null && Date.parse(record.previousSecretExpiresAt) > Date.now()
        ? record.previousSecretExpiresAt
        : null,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
  };
}

/** The answer of the creation: the endpoint and, this once, its secret. */
export function toCreatedWebhook(created: WithSecret): CreatedWebhook {
  return { ...toWebhook(created.record), secret: created.secret };
}
