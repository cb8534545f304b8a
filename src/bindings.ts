import type { RecomputeMessage } from "./scoring/queue-messages";
import type { WebhookMessage } from "./webhooks/messages";

/*
 * The one place the Worker's bindings get the types wrangler's generated Env cannot know: what each queue carries, and
 * that the rate limiter may be missing (a deployment without it runs without a limit).
 */

export interface Queues {
  /** Recomputes too big for one invocation, one message per chunk of accounts. */
  recompute: Queue<RecomputeMessage>;
  /** The webhook fan-out nudges and the deliveries. */
  webhooks: Queue<WebhookMessage>;
}

export function queuesOf(env: Env): Queues {
  return { recompute: env.RECOMPUTE_QUEUE, webhooks: env.WEBHOOK_QUEUE };
}

export function insightsRateLimiterOf(env: Env): RateLimit | undefined {
  return env.INSIGHTS_RATE_LIMITER;
}
