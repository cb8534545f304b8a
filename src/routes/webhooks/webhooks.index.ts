import type { MiddlewareHandler } from "hono";
import { createRouter } from "../../lib/create-router";
import type { AppEnv } from "../../lib/types";
import { requireSecretsKey } from "../../services/webhooks/secrets";
import * as handlers from "./webhooks.handlers";
import * as routes from "./webhooks.routes";

/** Webhooks exist only with their secrets sealed: without SECRETS_KEY in production, every webhook route answers 503. */
const secretsKeyConfigured: MiddlewareHandler<AppEnv> = async (c, next) => {
  requireSecretsKey(c.get("config").secrets);
  await next();
};

const router = createRouter();
router.use("/webhooks", secretsKeyConfigured);
router.use("/webhooks/*", secretsKeyConfigured);

export const webhooksRouter = router
  .openapi(routes.createWebhook, handlers.create)
  .openapi(routes.listWebhooks, handlers.list)
  .openapi(routes.getWebhook, handlers.getOne)
  .openapi(routes.updateWebhook, handlers.update)
  .openapi(routes.deleteWebhook, handlers.remove)
  .openapi(routes.rotateWebhookSecret, handlers.rotate)
  .openapi(routes.testWebhook, handlers.test)
  .openapi(routes.listWebhookDeliveries, handlers.listDeliveriesOf)
  .openapi(routes.retryWebhookDelivery, handlers.retry);
