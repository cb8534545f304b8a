import type { RouteHandler } from "@hono/zod-openapi";
import { queuesOf } from "../../bindings";
import type { AppEnv } from "../../lib/types";
import {
  changeEndpoint,
  createEndpoint,
  deleteEndpoint,
  endpointDeliveries,
  getEndpoint,
  listEndpoints,
  retryEndpointDelivery,
  rotateEndpointSecret,
  testEndpoint,
} from "../../services/webhooks/manage";
import type * as routes from "./webhooks.routes";

export const create: RouteHandler<routes.CreateWebhookRoute, AppEnv> = async (c) => {
  return c.json(await createEndpoint(c.get("db"), c.get("config"), c.req.valid("json"), c.get("apiKeyName") ?? null), 201);
};

export const list: RouteHandler<routes.ListWebhooksRoute, AppEnv> = async (c) => {
  return c.json(await listEndpoints(c.get("db")), 200);
};

export const getOne: RouteHandler<routes.GetWebhookRoute, AppEnv> = async (c) => {
  return c.json(await getEndpoint(c.get("db"), c.req.valid("param").id), 200);
};

export const update: RouteHandler<routes.UpdateWebhookRoute, AppEnv> = async (c) => {
  return c.json(await changeEndpoint(c.get("db"), c.get("config"), c.req.valid("param").id, c.req.valid("json")), 200);
};

export const remove: RouteHandler<routes.DeleteWebhookRoute, AppEnv> = async (c) => {
  await deleteEndpoint(c.get("db"), c.req.valid("param").id, c.get("apiKeyName") ?? null);
  return c.body(null, 204);
};

export const rotate: RouteHandler<routes.RotateWebhookSecretRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(await rotateEndpointSecret(c.get("db"), c.get("config").secrets, id, c.get("apiKeyName") ?? null), 200);
};

export const test: RouteHandler<routes.TestWebhookRoute, AppEnv> = async (c) => {
  return c.json(await testEndpoint(c.get("db"), c.get("config").secrets, c.req.valid("param").id), 200);
};

export const listDeliveriesOf: RouteHandler<routes.ListWebhookDeliveriesRoute, AppEnv> = async (c) => {
  return c.json(await endpointDeliveries(c.get("db"), c.req.valid("param").id, c.req.valid("query").limit), 200);
};

export const retry: RouteHandler<routes.RetryWebhookDeliveryRoute, AppEnv> = async (c) => {
  const { id, delivery_id: deliveryId } = c.req.valid("param");
  return c.json(await retryEndpointDelivery(c.get("db"), queuesOf(c.env).webhooks, id, deliveryId), 202);
};
