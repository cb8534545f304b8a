import { createRouter } from "../../lib/create-router";
import * as handlers from "./webhooks.handlers";
import * as routes from "./webhooks.routes";

export const webhooksRouter = createRouter()
  .openapi(routes.createWebhook, handlers.create)
  .openapi(routes.listWebhooks, handlers.list)
  .openapi(routes.getWebhook, handlers.getOne)
  .openapi(routes.updateWebhook, handlers.update)
  .openapi(routes.deleteWebhook, handlers.remove)
  .openapi(routes.rotateWebhookSecret, handlers.rotate)
  .openapi(routes.testWebhook, handlers.test)
  .openapi(routes.listWebhookDeliveries, handlers.listDeliveriesOf)
  .openapi(routes.retryWebhookDelivery, handlers.retry);
