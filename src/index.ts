import { createApp } from "./app";
import { createConsole } from "./console";
import { consumeRecomputeChunks } from "./scoring";
import { recomputeOnSchedule } from "./services/scheduled";
import { consumeWebhookMessages, WEBHOOK_QUEUE_NAME } from "./services/webhooks/consumer";

// The console's pages (JSX) are mounted here, not in createApp: the OpenAPI document is built by Node from createApp
// (scripts/openapi-document.ts), which strips types but does not compile JSX, and the console is not part of the API.
const app = createApp();
app.route("/", createConsole());

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
