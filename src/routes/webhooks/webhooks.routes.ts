import { accessWith, ADMIN_ACCESS } from "../../lib/auth";
import { jsonBodyLimit } from "../../lib/body-limit";
import { defineRoute, jsonBody } from "../../lib/openapi";
import { jsonContent } from "../../contract/problems";
import {
  createdWebhookSchema,
  createWebhookBodySchema,
  deliveryListSchema,
  deliveryParamsSchema,
  deliverySchema,
  listDeliveriesQuerySchema,
  rotatedSecretSchema,
  updateWebhookBodySchema,
  webhookIdParamsSchema,
  webhookListSchema,
  webhookSchema,
} from "../../contract/webhooks";

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

export const createWebhook = defineRoute({
  method: "post",
  path: "/webhooks",
  operationId: "createWebhook",
  tag: "Webhooks",
  access: WITH_BODY,
  summary: "Create a webhook endpoint",
  errors: ["validation_error", "bad_request", "payload_too_large"],
  request: {
    body: jsonBody(createWebhookBodySchema),
  },
  responses: {
    201: jsonContent(createdWebhookSchema, "The endpoint, with its secret"),
  },
  description: `Registers an endpoint for the events written from now on (all types unless \`event_types\` says which).
The answer holds the signing \`secret\`, shown this once.

${URL_RULES}

${DELIVERY}`,
});

export const listWebhooks = defineRoute({
  method: "get",
  path: "/webhooks",
  operationId: "listWebhooks",
  tag: "Webhooks",
  access: ADMIN_ACCESS,
  summary: "List the webhook endpoints",
  responses: {
    200: jsonContent(webhookListSchema, "The endpoints"),
  },
  description: "Every endpoint, newest first, with whether it is enabled (and why not). Never the secrets.",
});

export const getWebhook = defineRoute({
  method: "get",
  path: "/webhooks/{id}",
  operationId: "getWebhook",
  tag: "Webhooks",
  access: ADMIN_ACCESS,
  summary: "One webhook endpoint",
  errors: ["validation_error", "not_found"],
  request: {
    params: webhookIdParamsSchema,
  },
  responses: {
    200: jsonContent(webhookSchema, "The endpoint"),
  },
  description:
    "The endpoint's settings and state: `enabled`, and when it was disabled (a 410, 5 failed deliveries in a row, or " +
    "PATCH) why, in `disabled_reason`; `consecutive_failures`. Never the secret.",
});

export const updateWebhook = defineRoute({
  method: "patch",
  path: "/webhooks/{id}",
  operationId: "updateWebhook",
  tag: "Webhooks",
  access: WITH_BODY,
  summary: "Change a webhook endpoint",
  errors: ["validation_error", "bad_request", "not_found", "payload_too_large"],
  request: {
    params: webhookIdParamsSchema,
    body: jsonBody(updateWebhookBodySchema),
  },
  responses: {
    200: jsonContent(webhookSchema, "The endpoint as changed"),
  },
  description: `Changes the fields given. \`enabled: true\` re-enables a disabled endpoint and resets its failure
count; deliveries that ended failed meanwhile can be sent again with the retry route.

${URL_RULES}`,
});

export const deleteWebhook = defineRoute({
  method: "delete",
  path: "/webhooks/{id}",
  operationId: "deleteWebhook",
  tag: "Webhooks",
  access: ADMIN_ACCESS,
  summary: "Delete a webhook endpoint",
  errors: ["validation_error", "not_found"],
  request: {
    params: webhookIdParamsSchema,
  },
  responses: {
    204: { description: "Deleted" },
  },
  description: "Deletes the endpoint and its deliveries; deliveries still queued are dropped. The events stay in the feed.",
});

export const rotateWebhookSecret = defineRoute({
  method: "post",
  path: "/webhooks/{id}/rotate-secret",
  operationId: "rotateWebhookSecret",
  tag: "Webhooks",
  access: ADMIN_ACCESS,
  summary: "Rotate a webhook endpoint's secret",
  errors: ["validation_error", "not_found"],
  request: {
    params: webhookIdParamsSchema,
  },
  responses: {
    200: jsonContent(rotatedSecretSchema, "The new secret"),
  },
  description:
    "Answers a new secret (shown this once). For 24 hours every delivery is signed with both the new and the previous " +
    "secret (two `v1,` signatures in `webhook-signature`), so the receiver can switch without losing a delivery; then " +
    "only the new one signs. A second rotation within the 24 hours retires the oldest secret at once.",
});

export const testWebhook = defineRoute({
  method: "post",
  path: "/webhooks/{id}/test",
  operationId: "testWebhook",
  tag: "Webhooks",
  access: ADMIN_ACCESS,
  summary: "Send a test event to a webhook endpoint now",
  errors: ["validation_error", "not_found"],
  request: {
    params: webhookIdParamsSchema,
  },
  responses: {
    200: jsonContent(deliverySchema, "The test delivery, after its attempt"),
  },
  description:
    "Writes a `webhook.test` event and delivers it to this endpoint (only), once, during the request (up to the 10 s " +
    "timeout), signed like every delivery; answers the delivery's result (`status` delivered or failed, " +
    "`last_status_code`, `last_error`, `duration_ms`). Works on a disabled endpoint, so a fix can be checked before " +
    "enabling it again; a test is not retried and does not count towards disabling, but a 410 disables the endpoint.",
});

export const listWebhookDeliveries = defineRoute({
  method: "get",
  path: "/webhooks/{id}/deliveries",
  operationId: "listWebhookDeliveries",
  tag: "Webhooks",
  access: ADMIN_ACCESS,
  summary: "A webhook endpoint's latest deliveries",
  errors: ["validation_error", "not_found"],
  request: {
    params: webhookIdParamsSchema,
    query: listDeliveriesQuerySchema,
  },
  responses: {
    200: jsonContent(deliveryListSchema, "The deliveries"),
  },
  description: "Newest first: each delivery's status, attempts, the receiver's last answer and the next attempt.",
});

export const retryWebhookDelivery = defineRoute({
  method: "post",
  path: "/webhooks/{id}/deliveries/{delivery_id}/retry",
  operationId: "retryWebhookDelivery",
  tag: "Webhooks",
  access: ADMIN_ACCESS,
  summary: "Send a delivery again",
  errors: ["validation_error", "not_found", "conflict"],
  request: {
    params: deliveryParamsSchema,
  },
  responses: {
    202: jsonContent(deliverySchema, "The delivery, queued"),
  },
  description:
    "Queues the delivery now with a fresh retry schedule, whatever its status (a delivered one is sent again); the " +
    "same `webhook-id` as before, so a receiver that already has it can drop it. 409 while the endpoint is disabled.",
});

export type CreateWebhookRoute = typeof createWebhook;
export type ListWebhooksRoute = typeof listWebhooks;
export type GetWebhookRoute = typeof getWebhook;
export type UpdateWebhookRoute = typeof updateWebhook;
export type DeleteWebhookRoute = typeof deleteWebhook;
export type RotateWebhookSecretRoute = typeof rotateWebhookSecret;
export type TestWebhookRoute = typeof testWebhook;
export type ListWebhookDeliveriesRoute = typeof listWebhookDeliveries;
export type RetryWebhookDeliveryRoute = typeof retryWebhookDelivery;
