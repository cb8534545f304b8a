/** The change feed's vocabulary: plain constants, no Hono, no D1. */

/** Every event type the feed holds. */
export const EVENT_TYPES = [
  "health.bucket_changed",
  "health.score_dropped",
  "health.score_recovered",
  "health.model_activated",
  "ingest.completed",
  "account.merged",
  "account.deleted",
  "webhook.test",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * The types a webhook can subscribe to. `webhook.test` is not one: the test route sends it to its one endpoint, and
 * the fan-out never sends it anywhere else.
 */
export const SUBSCRIBABLE_EVENT_TYPES = [
  "health.bucket_changed",
  "health.score_dropped",
  "health.score_recovered",
  "health.model_activated",
  "ingest.completed",
  "account.merged",
  "account.deleted",
] as const satisfies readonly EventType[];
export type SubscribableEventType = (typeof SUBSCRIBABLE_EVENT_TYPES)[number];

/** Points the 30-day score change must fall to (as a negative number) for `health.score_dropped`, by default. */
export const DEFAULT_ALERT_SCORE_DROP = 10;
