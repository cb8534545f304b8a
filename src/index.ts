import { createApp } from "./app";
import { consumeRecomputeChunks } from "./scoring";
import { recomputeOnSchedule } from "./services/scheduled";
import { consumeWebhookMessages, WEBHOOK_QUEUE_NAME } from "./services/webhooks/consumer";

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled(controller, env, ctx) {
    ctx.waitUntil(recomputeOnSchedule(controller, env));
  },
  // Two queues, one consumer: each queue's consumer validates its messages.
  queue(batch, env) {
    if (batch.queue === WEBHOOK_QUEUE_NAME) return consumeWebhookMessages(batch, env);
    return consumeRecomputeChunks(batch, env);
  },
} satisfies ExportedHandler<Env, unknown>;
