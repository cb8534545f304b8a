import { z } from "@hono/zod-openapi";
import { EVENT_TYPES } from "../domain/events";
import { modelActivatedDataSchema } from "./model-figures";
import { BUCKETS } from "../domain/types";
import { oneOf, pageSize, positiveId, wholeNumber } from "./params";

/** The change feed's shapes: one schema per event type, told apart by `type` (the same body webhooks deliver). */

export const MAX_EVENTS_PAGE = 500;

const bucket = z.enum(BUCKETS).openapi({ description: "Health bucket", example: "Critical" });

/** Present only on the events a model change caused (an activation, or new settings of model 1). */
const causeFields = {
  cause: z.literal("model_change").optional().openapi({
    description: "Present when a model change caused it: the account's customer did nothing (see include_model_changes)",
  }),
  model_id: z.number().int().optional().openapi({ description: "With `cause`: the model now active", example: 2 }),
};

const componentsChange = z
  .object({
    daily_active_users: z.number().optional().openapi({ example: -12.5 }),
    feature_adoption: z.number().optional().openapi({ example: -8.25 }),
    support_tickets: z.number().optional().openapi({ example: -6 }),
    nps: z.number().nullable().optional().openapi({ description: "Null unless both states have an NPS component", example: -3.75 }),
    login_frequency: z.number().optional().openapi({ example: -4.5 }),
  })
  .catchall(z.number().nullable())
  .openapi("HealthComponentsDelta", {
    description: "Component points after the rescore minus before it, by component key (model 1's five below); null where either has no value",
  });

export const bucketChangedDataSchema = z
  .object({
    account_id: z.number().int().openapi({ example: 7 }),
    account_name: z.string().openapi({ example: "Acme Corp" }),
    from: bucket.openapi({ description: "The bucket before the rescore", example: "Healthy" }),
    to: bucket.openapi({ description: "The bucket after it", example: "Critical" }),
    score_before: z.number().openapi({ example: 72.4 }),
    score_after: z.number().openapi({ example: 38.9 }),
    as_of: z.string().openapi({ description: "The account's latest metric date, which the new score is of", example: "2026-11-02" }),
    health_components_change: componentsChange,
    ...causeFields,
  })
  .openapi("BucketChangedData");

export const scoreChangeDataSchema = z
  .object({
    account_id: z.number().int().openapi({ example: 7 }),
    account_name: z.string().openapi({ example: "Acme Corp" }),
    as_of: z.string().openapi({ example: "2026-11-02" }),
    health_score: z.number().openapi({ description: "The score after the rescore", example: 58.1 }),
    health_bucket: bucket,
    health_score_change_30d: z
      .number()
      .nullable()
      .openapi({ description: "`trend_30d.health_score_change` after the rescore", example: -12.3 }),
    previous_health_score_change_30d: z
      .number()
      .nullable()
      .openapi({ description: "The same before the rescore", example: -4.1 }),
    threshold: z.number().openapi({ description: "−ALERT_SCORE_DROP: the line the change crossed", example: -10 }),
    ...causeFields,
  })
  .openapi("ScoreChangeData");

export const ingestCompletedDataSchema = z
  .object({
    ingest_run_id: z.number().int().openapi({ example: 42 }),
    file_name: z.string().nullable().openapi({ example: "metrics-2026-11-02.csv" }),
    rows_total: z.number().int().openapi({ example: 10000 }),
    rows_rejected: z.number().int().openapi({ example: 3 }),
    accounts_created: z.number().int().openapi({ example: 0 }),
    accounts_updated: z.number().int().openapi({ example: 9997 }),
    metrics_created: z.number().int().openapi({ example: 9997 }),
    metrics_updated: z.number().int().openapi({ example: 0 }),
    rescore: z.enum(["inline", "queued", "failed"]).openapi({
      description:
        "`inline`: rescored before the upload answered, `events_caused` counts its events; `queued`: rescored by the " +
        "recompute job `rescore_job_id`, whose chunks write their events as they go; `failed`: see the ingest run",
      example: "inline",
    }),
    rescore_job_id: z.number().int().nullable().openapi({ example: null }),
    events_caused: z.number().int().nullable().openapi({
      description: "Account events the upload's inline rescore wrote; null when it was queued or failed",
      example: 12,
    }),
  })
  .openapi("IngestCompletedData");

export const webhookTestDataSchema = z
  .object({
    webhook_id: z.number().int().openapi({ example: 3 }),
    message: z.string().openapi({ example: "A test event from AI Success Insights." }),
  })
  .openapi("WebhookTestData");

export const accountMergedDataSchema = z
  .object({
    account_id: z.number().int().openapi({ description: "The account that remains", example: 7 }),
    from_account_id: z.number().int().openapi({ description: "The account merged into it, now deleted", example: 12 }),
    metrics_moved: z.number().int().openapi({ description: "Its metric rows moved over", example: 85 }),
    conflicts: z.number().int().openapi({ description: "Its dates the remaining account already had (its rows kept)", example: 5 }),
  })
  .openapi("AccountMergedData");

export const accountDeletedDataSchema = z
  .object({ account_id: z.number().int().openapi({ description: "The erased account's id; nothing else names it", example: 7 }) })
  .openapi("AccountDeletedData");

const common = {
  id: z.number().int().openapi({ description: "Increasing: follow the feed with `after`", example: 1042 }),
  occurred_at: z.string().openapi({ description: "When it was recorded (ISO 8601, UTC)", example: "2026-11-02T06:00:01.250Z" }),
  as_of: z.string().nullable().openapi({ description: "The metric date it is about; null when none applies", example: "2026-11-02" }),
  account_id: z.number().int().nullable().openapi({ description: "Null for book-level events", example: 7 }),
};

export const healthEventSchema = z
  .discriminatedUnion("type", [
    z.object({ ...common, type: z.literal("health.bucket_changed"), data: bucketChangedDataSchema }).openapi("BucketChangedEvent", {
      description: "An account's current bucket changed (never for its first score)",
    }),
    z.object({ ...common, type: z.literal("health.score_dropped"), data: scoreChangeDataSchema }).openapi("ScoreDroppedEvent", {
      description: "The 30-day score change fell to −ALERT_SCORE_DROP or below; once, when the drop starts",
    }),
    z.object({ ...common, type: z.literal("health.score_recovered"), data: scoreChangeDataSchema }).openapi("ScoreRecoveredEvent", {
      description: "The 30-day score change is back above −ALERT_SCORE_DROP",
    }),
    z.object({ ...common, type: z.literal("ingest.completed"), data: ingestCompletedDataSchema }).openapi("IngestCompletedEvent", {
      description: "An upload finished storing its rows (one per upload)",
    }),
    z.object({ ...common, type: z.literal("health.model_activated"), data: modelActivatedDataSchema }).openapi("ModelActivatedEvent", {
      description: "A health model was activated; every account is rescored under it",
    }),
    z.object({ ...common, type: z.literal("account.merged"), data: accountMergedDataSchema }).openapi("AccountMergedEvent", {
      description: "Another account was merged into this one (POST /accounts/{id}/merge) and deleted",
    }),
    z.object({ ...common, type: z.literal("account.deleted"), data: accountDeletedDataSchema }).openapi("AccountDeletedEvent", {
      description:
        "The account was erased (DELETE /accounts/{id}): its metrics, scores, events and aliases are gone, and this is all " +
        "that remains of it",
    }),
    z.object({ ...common, type: z.literal("webhook.test"), data: webhookTestDataSchema }).openapi("WebhookTestEvent", {
      description: "Sent by POST /webhooks/{id}/test to that endpoint only",
    }),
  ])
  .openapi("HealthEvent");

export const eventListSchema = z
  .object({
    events: z.array(healthEventSchema).openapi({ description: "Oldest first" }),
    next_after: z.number().int().openapi({
      description: "Pass as `after` for the next page: the last event's id, or `after` itself when there was none",
      example: 1042,
    }),
  })
  .openapi("EventList");

export const listEventsQuerySchema = z.object({
  after: wholeNumber(0, Number.MAX_SAFE_INTEGER)
    .default(0)
    .openapi({ description: "Only events with a larger id (0: from the start)", example: 0 }),
  limit: pageSize("Events per page", MAX_EVENTS_PAGE, 100),
  type: oneOf(EVENT_TYPES).optional().openapi({ description: "Only this type", example: "health.bucket_changed" }),
  account_id: positiveId().optional().openapi({ description: "Only this account's events", example: 7 }),
});

export type HealthEvent = z.infer<typeof healthEventSchema>;
export type EventList = z.infer<typeof eventListSchema>;
export type ListEventsQuery = z.infer<typeof listEventsQuerySchema>;
export type IngestCompletedData = z.infer<typeof ingestCompletedDataSchema>;
