import { createApp } from "./app";
import type { RecomputeMessage } from "./jobs/recompute-queue";
import { consumeRecomputeChunks, recomputeOnSchedule } from "./services/scheduled";

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled(controller, env, ctx) {
    ctx.waitUntil(recomputeOnSchedule(controller, env));
  },
  queue(batch, env) {
    return consumeRecomputeChunks(batch as MessageBatch<RecomputeMessage>, env);
  },
} satisfies ExportedHandler<Env, RecomputeMessage>;
