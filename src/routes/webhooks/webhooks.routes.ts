import { createRoute, z } from "@hono/zod-openapi";
import { accessWith, ADMIN_ACCESS } from "../../lib/auth";
import { jsonBodyLimit } from "../../lib/body-limit";
import { jsonContent, problemResponses } from "../../lib/openapi";
import {
  createdWebhookSchema,
  createWebhookBodySchema,
  deliveryParamsSchema,
  deliverySchema,
  listDeliveriesQuerySchema,
  rotatedSecretSchema,
  updateWebhookBodySchema,
  webhookIdParamsSchema,
  webhookSchema,
} from "../../contract/webhooks";

const TAGS = ["Webhooks"];
const WITH_BODY = accessWith(ADMIN_ACCESS, jsonBodyLimit);

const DELIVERY = `**Delivery** follows Standard Webhooks 1.0: a POST with \`content-type: application/json\`, the body
\`{type, timestamp, data}\` (\`data\` as in \`GET /events\`), and the headers \`webhook-id\` (one per delivery, the same on
every retry), \`webhook-timestamp\` (unix seconds) and \`webhook-signature\`: \`v1,\` + base64 of HMAC-SHA256 over
\`{webhook-id}.{webhook-timestamp}.{body}\`, keyed with the base64-decoded bytes after \`whsec_\` (two signatures,
space-separated, for 24 hours after a rotation). Deliveries run on a queue of their own, never inside the upload or
recompute that caused them: a 2xx within 10 s is delivered; 410 disables the endpoint; anything else is retried after
30 s, 2 min, 10 min, 1 h and 6 h, then failed; 5 deliveries failed in a row disable the endpoint (\`enabled: false\`,
\`disabled_reason\`).`;

const URL_RULES = `**URL rules** (a 400 names the one broken): \`https://\` only, outside production also
\`http://localhost\` and \`http://127.0.0.1\` (any port); no credentials in the URL; in production no IP address in a
loopback, private, link-local or unique-local range, nor \`localhost\`.`;

export const createWebhook = createRoute({
  method: "post",
  path: "/webhooks",
  operationId: "createWebhook",
  tags: TAGS,
  ...WITH_BODY,
  summary: "Create a webhook endpoint",
  description: `Registers an endpoint for the events written from now on (all types unless \`event_types\` says which).
The answer holds the signing \`secret\`, shown this once.

${URL_RULES}

${DELIVERY}`,
  request: { body: { required: true, content: { "application/json": { schema: createWebhookBodySchema } } } },
  responses: {
    201: jsonContent(createdWebhookSchema, "The endpoint, with its secret"),
    ...problemResponses("validation_error", "bad_request", "unauthorized", "payload_too_large", "service_unavailable"),
  },
});
export type CreateWebhookRoute = typeof createWebhook;

export const listWebhooks = createRoute({
  method: "get",
  path: "/webhooks",
  operationId: "listWebhooks",
  tags: TAGS,
  ...ADMIN_ACCESS,
  summary: "List the webhook endpoints",
  description: "Every endpoint, newest first, with whether it is enabled (and why not). Never the secrets.",
  responses: {
    200: jsonContent(z.array(webhookSchema), "The endpoints"),
    ...problemResponses("unauthorized", "service_unavailable"),
  },
});
export type ListWebhooksRoute = typeof listWebhooks;

export const getWebhook = createRoute({
  method: "get",
  path: "/webhooks/{id}",
  operationId: "getWebhook",
  tags: TAGS,
  ...ADMIN_ACCESS,
  summary: "One webhook endpoint",
  description:
    "The endpoint's settings and state: `enabled`, and when it was disabled (a 410, 5 failed deliveries in a row, or " +
    "PATCH) why, in `disabled_reason`; `consecutive_failures`. Never the secret.",
  request: { params: webhookIdParamsSchema },
  responses: {
    200: jsonContent(webhookSchema, "The endpoint"),
    ...problemResponses("validation_error", "not_found", "unauthorized", "service_unavailable"),
  },
});
export type GetWebhookRoute = typeof getWebhook;

export const updateWebhook = createRoute({
  method: "patch",
  path: "/webhooks/{id}",
  operationId: "updateWebhook",
  tags: TAGS,
  ...WITH_BODY,
  summary: "Change a webhook endpoint",
  description: `Changes the fields given. \`enabled: true\` re-enables a disabled endpoint and resets its failure
count; deliveries that ended failed meanwhile can be sent again with the retry route.

${URL_RULES}`,
  request: {
    params: webhookIdParamsSchema,
    body: { required: true, content: { "application/json": { schema: updateWebhookBodySchema } } },
  },
  responses: {
    200: jsonContent(webhookSchema, "The endpoint as changed"),
    ...problemResponses("validation_error", "bad_request", "not_found", "unauthorized", "payload_too_large", "service_unavailable"),
  },
});
export type UpdateWebhookRoute = typeof updateWebhook;

export const deleteWebhook = createRoute({
  method: "delete",
  path: "/webhooks/{id}",
  operationId: "deleteWebhook",
  tags: TAGS,
  ...ADMIN_ACCESS,
  summary: "Delete a webhook endpoint",
  description: "Deletes the endpoint and its deliveries; deliveries still queued are dropped. The events stay in the feed.",
  request: { params: webhookIdParamsSchema },
  responses: {
    204: { description: "Deleted" },
    ...problemResponses("validation_error", "not_found", "unauthorized", "service_unavailable"),
  },
});
export type DeleteWebhookRoute = typeof deleteWebhook;

export const rotateWebhookSecret = createRoute({
  method: "post",
  path: "/webhooks/{id}/rotate-secret",
  operationId: "rotateWebhookSecret",
  tags: TAGS,
  ...ADMIN_ACCESS,
  summary: "Rotate a webhook endpoint's secret",
  description:
    "Answers a new secret (shown this once). For 24 hours every delivery is signed with both the new and the previous " +
    "secret (two `v1,` signatures in `webhook-signature`), so the receiver can switch without losing a delivery; then " +
    "only the new one signs. A second rotation within the 24 hours retires the oldest secret at once.",
  request: { params: webhookIdParamsSchema },
  responses: {
    200: jsonContent(rotatedSecretSchema, "The new secret"),
    ...problemResponses("validation_error", "not_found", "unauthorized", "service_unavailable"),
  },
});
export type RotateWebhookSecretRoute = typeof rotateWebhookSecret;

export const testWebhook = createRoute({
  method: "post",
  path: "/webhooks/{id}/test",
  operationId: "testWebhook",
  tags: TAGS,
  ...ADMIN_ACCESS,
  summary: "Send a test event to a webhook endpoint now",
  description:
    "Writes a `webhook.test` event and delivers it to this endpoint (only), once, during the request (up to the 10 s " +
    "timeout), signed like every delivery; answers the delivery's result (`status` delivered or failed, " +
    "`last_status_code`, `last_error`, `duration_ms`). Works on a disabled endpoint, so a fix can be checked before " +
    "enabling it again; a test is not retried and does not count towards disabling, but a 410 disables the endpoint.",
  request: { params: webhookIdParamsSchema },
  responses: {
    200: jsonContent(deliverySchema, "The test delivery, after its attempt"),
    ...problemResponses("validation_error", "not_found", "unauthorized", "service_unavailable"),
  },
});
export type TestWebhookRoute = typeof testWebhook;

export const listWebhookDeliveries = createRoute({
  method: "get",
  path: "/webhooks/{id}/deliveries",
  operationId: "listWebhookDeliveries",
  tags: TAGS,
  ...ADMIN_ACCESS,
  summary: "A webhook endpoint's latest deliveries",
  description: "Newest first: each delivery's status, attempts, the receiver's last answer and the next attempt.",
  request: { params: webhookIdParamsSchema, query: listDeliveriesQuerySchema },
  responses: {
    200: jsonContent(z.array(deliverySchema), "The deliveries"),
    ...problemResponses("validation_error", "not_found", "unauthorized", "service_unavailable"),
  },
});
export type ListWebhookDeliveriesRoute = typeof listWebhookDeliveries;

export const retryWebhookDelivery = createRoute({
  method: "post",
  path: "/webhooks/{id}/deliveries/{delivery_id}/retry",
  operationId: "retryWebhookDelivery",
  tags: TAGS,
  ...ADMIN_ACCESS,
  summary: "Send a delivery again",
  description:
    "Queues the delivery now with a fresh retry schedule, whatever its status (a delivered one is sent again); the " +
    "same `webhook-id` as before, so a receiver that already has it can drop it. 409 while the endpoint is disabled.",
  request: { params: deliveryParamsSchema },
  responses: {
    202: jsonContent(deliverySchema, "The delivery, queued"),
    ...problemResponses("validation_error", "not_found", "conflict", "unauthorized", "service_unavailable"),
  },
});
export type RetryWebhookDeliveryRoute = typeof retryWebhookDelivery;
