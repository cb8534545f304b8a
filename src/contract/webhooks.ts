import { z } from "@hono/zod-openapi";
import { EVENT_TYPES, SUBSCRIBABLE_EVENT_TYPES } from "../domain/events";
import { count } from "./fields";
import { pageSize, positiveId } from "./params";

export const MAX_DELIVERIES_PAGE = 100;
const MAX_DESCRIPTION_CHARS = 500;

const subscribableType = z.enum(SUBSCRIBABLE_EVENT_TYPES, {
  error: (issue) => `Expected one of ${SUBSCRIBABLE_EVENT_TYPES.join(", ")}, not ${JSON.stringify(issue.input)}`,
});

const eventTypesInput = z
  .array(subscribableType)
  .min(1, { error: "Expected at least one event type (leave the field out for every type)" })
  .max(SUBSCRIBABLE_EVENT_TYPES.length * 2)
  .transform((types) => [...new Set(types)]);

const url = z.string().openapi({
  description:
    "Where the events are POSTed: `https://` (outside production also `http://localhost` and `http://127.0.0.1`, any " +
    "port); no credentials in it; in production not an IP address in a loopback, private, link-local or unique-local range",
  example: "https://hooks.example.com/ai-success",
});

const description = z
  .string()
  .trim()
  .max(MAX_DESCRIPTION_CHARS, { error: `Expected at most ${MAX_DESCRIPTION_CHARS} characters` })
  .nullable()
  .openapi({ description: "A note for people (what the endpoint is for)", example: "CS team Slack bridge" });

const includeModelChanges = z.boolean().openapi({
  description:
    "Whether the endpoint receives the account events a change of the health model caused (their `data.cause` is " +
    "`model_change`): a new model moves many scores at once while no customer did anything, so they are left out " +
    "unless asked for",
  example: false,
});

export const webhookSchema = z
  .object({
    id: z.number().int().openapi({ example: 3 }),
    url,
    event_types: z.array(z.enum(SUBSCRIBABLE_EVENT_TYPES)).openapi({
      description: "The types it receives (every type when created without a list)",
      example: ["health.bucket_changed", "health.score_dropped"],
    }),
    description,
    enabled: z.boolean().openapi({ description: "False once disabled (by PATCH, a 410 answer, or 5 failed deliveries in a row)", example: true }),
    disabled_reason: z.string().nullable().openapi({
      description: "Why it was disabled; null while enabled",
      example: null,
    }),
    disabled_at: z.string().nullable().openapi({ example: null }),
    consecutive_failures: count(
      "Deliveries in a row that ended failed (every retry used up); at 5 the endpoint is disabled",
      0,
    ),
    include_model_changes: includeModelChanges,
    previous_secret_expires_at: z.string().nullable().openapi({
      description: "After a rotation: until when the previous secret still signs every delivery beside the new one",
      example: null,
    }),
    created_at: z.string().openapi({ example: "2026-11-02T06:00:00.000Z" }),
    updated_at: z.string().openapi({ example: "2026-11-02T06:00:00.000Z" }),
  })
  .openapi("Webhook", { description: "A webhook endpoint; its secret is answered only on creation and rotation" });

export const webhookListSchema = z.array(webhookSchema);

const secret = z.string().openapi({
  description:
    "The signing secret: `whsec_` + base64 of 32 random bytes. Shown only in this answer: store it where the receiver " +
    "can read it",
  example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw5nUpIfEasIo=",
});

export const createdWebhookSchema = webhookSchema.extend({ secret }).openapi("CreatedWebhook");

export const rotatedSecretSchema = z
  .object({
    id: z.number().int().openapi({ example: 3 }),
    secret,
    previous_secret_expires_at: z.string().openapi({
      description: "Until then each delivery is signed with both secrets (two `v1,` signatures)",
      example: "2026-11-03T06:00:00.000Z",
    }),
  })
  .openapi("RotatedWebhookSecret");

export const createWebhookBodySchema = z
  .object({
    url,
    event_types: eventTypesInput.optional().openapi({
      description: "The types to receive; every type (also those added later) when left out",
      example: ["health.bucket_changed"],
    }),
    description: description.optional(),
    include_model_changes: includeModelChanges.optional().openapi({ description: "Default false: see Webhook.include_model_changes" }),
  })
  .openapi("CreateWebhook");

export const updateWebhookBodySchema = z
  .object({
    url: url.optional(),
    event_types: eventTypesInput.nullable().optional().openapi({
      description: "The types to receive; null for every type",
      example: ["health.bucket_changed", "health.score_dropped"],
    }),
    description: description.optional(),
    enabled: z.boolean().optional().openapi({
      description: "False pauses deliveries; true re-enables a disabled endpoint (and resets its failure count)",
      example: true,
    }),
    include_model_changes: includeModelChanges.optional(),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    error: "Expected at least one of url, event_types, description, enabled, include_model_changes",
  })
  .openapi("UpdateWebhook");

export const deliverySchema = z
  .object({
    id: z.number().int().openapi({ example: 981 }),
    event_id: z.number().int().openapi({ example: 1042 }),
    event_type: z.enum(EVENT_TYPES).openapi({ example: "health.bucket_changed" }),
    message_id: z.string().openapi({
      description: "The `webhook-id` header: the same on every attempt and retry of this delivery",
      example: "msg_2b8f0c6f4f8a4d3e9c1a7b5d",
    }),
    status: z.enum(["pending", "delivered", "retrying", "failed"]).openapi({
      description:
        "`pending`: not tried yet; `retrying`: failed, tried again at `next_attempt_at`; `delivered`: a 2xx; `failed`: " +
        "every retry used up, a 410, or the endpoint was disabled",
      example: "delivered",
    }),
    attempts: z.number().int().openapi({ example: 1 }),
    last_status_code: z.number().int().nullable().openapi({ description: "The receiver's last HTTP status; null when it did not answer", example: 200 }),
    last_error: z.string().nullable().openapi({ example: null }),
    next_attempt_at: z.string().nullable().openapi({ description: "When it is tried next; null once delivered or failed", example: null }),
    delivered_at: z.string().nullable().openapi({ example: "2026-11-02T06:00:01.412Z" }),
    duration_ms: z.number().int().nullable().openapi({ description: "How long the last attempt took", example: 84 }),
    created_at: z.string().openapi({ example: "2026-11-02T06:00:01.300Z" }),
  })
  .openapi("WebhookDelivery");

export const deliveryListSchema = z.array(deliverySchema);

export const webhookIdParamsSchema = z.object({
  id: positiveId().openapi({ param: { name: "id", in: "path" }, description: "Webhook id", example: 3 }),
});

export const deliveryParamsSchema = webhookIdParamsSchema.extend({
  delivery_id: positiveId().openapi({ param: { name: "delivery_id", in: "path" }, description: "Delivery id", example: 981 }),
});

export const listDeliveriesQuerySchema = z.object({
  limit: pageSize("Deliveries to answer, newest first", MAX_DELIVERIES_PAGE, 20),
});

export type Webhook = z.infer<typeof webhookSchema>;
export type CreatedWebhook = z.infer<typeof createdWebhookSchema>;
export type RotatedSecret = z.infer<typeof rotatedSecretSchema>;
export type CreateWebhookBody = z.infer<typeof createWebhookBodySchema>;
export type UpdateWebhookBody = z.infer<typeof updateWebhookBodySchema>;
export type Delivery = z.infer<typeof deliverySchema>;
