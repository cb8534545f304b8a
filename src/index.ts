import { createApp } from "./app";
import type { RecomputeMessage } from "./jobs/recompute-queue";
import { consumeRecomputeChunks, recomputeOnSchedule } from "./services/scheduled";
import { consumeWebhookMessages, WEBHOOK_QUEUE_NAME } from "./services/webhooks/consumer";
import type { WebhookMessage } from "./webhooks/messages";

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled(controller, env, ctx) {
    ctx.waitUntil(recomputeOnSchedule(controller, env));
  },
  // Two queues, one consumer: the webhook queue's messages are validated by its consumer.
  queue(batch, env) {
    if (batch.queue === WEBHOOK_QUEUE_NAME) return consumeWebhookMessages(batch, env);
    return consumeRecomputeChunks(batch as MessageBatch<RecomputeMessage>, env);
  },
} satisfies ExportedHandler<Env, RecomputeMessage | WebhookMessage>;
