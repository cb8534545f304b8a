import { z } from "@hono/zod-openapi";

export const recomputeJobSchema = z
  .object({
    id: z.number().int().openapi({ example: 12 }),
    trigger: z.enum(["api", "cron", "ingest"]).openapi({ description: "What started it", example: "api" }),
    status: z.enum(["queued", "running", "completed", "failed"]).openapi({ example: "running" }),
    accounts_total: z.number().int().openapi({ example: 100000 }),
    chunks_total: z.number().int().openapi({ description: "Queue messages, 1,000 accounts each", example: 100 }),
    chunks_done: z.number().int().openapi({ example: 37 }),
    accounts_updated: z.number().int().openapi({ description: "Accounts rescored so far", example: 37000 }),
    scores_written: z.number().int().openapi({ description: "Dated scores written so far", example: 1110000 }),
    error: z.string().nullable().openapi({ description: "Why it failed, when it did", example: null }),
    created_at: z.string().openapi({ example: "2026-11-25T02:00:00.120Z" }),
    finished_at: z.string().nullable().openapi({ example: null }),
  })
  .openapi("RecomputeJob", { description: "A recompute running as chunks on the recompute queue" });

export const recomputeResultSchema = z
  .object({
    message: z.string().openapi({
      description: "A readable summary",
      example: "Recomputed health scores for 42 accounts (3780 dated scores) in 0.412 s.",
    }),
    accounts_updated: z
      .number()
      .int()
      .openapi({ description: "Accounts whose current health and trends were refreshed", example: 42 }),
    computation_time_seconds: z
      .number()
      .openapi({ description: "Wall time of the recompute, in seconds (3 decimals)", example: 0.412 }),
    scores_written: z
      .number()
      .int()
      .openapi({ description: "Dated scores written to the history (one per account and metric date)", example: 3780 }),
    duration_ms: z.number().int().openapi({ description: "Wall time of the recompute, in milliseconds", example: 412 }),
    started_at: z.string().openapi({ description: "When the recompute started (ISO 8601, UTC)", example: "2026-11-24T06:00:00.000Z" }),
    finished_at: z.string().openapi({ description: "When the recompute finished (ISO 8601, UTC)", example: "2026-11-24T06:00:00.412Z" }),
    mode: z.enum(["inline", "queued"]).openapi({
      description: "`inline`: done in this request; `queued`: the counts are 0 and `job` tracks the work",
      example: "inline",
    }),
    job: recomputeJobSchema.nullable().openapi({ description: "The job started, when queued" }),
  })
  .openapi("RecomputeResult");

export type RecomputeJob = z.infer<typeof recomputeJobSchema>;
export type RecomputeResultBody = z.infer<typeof recomputeResultSchema>;
