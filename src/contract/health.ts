import { z } from "@hono/zod-openapi";
import { count, summaryMessage } from "./fields";

export const recomputeJobSchema = z
  .object({
    id: z.number().int().openapi({ example: 12 }),
    trigger: z.enum(["api", "cron", "ingest"]).openapi({ description: "What started it", example: "api" }),
    status: z.enum(["queued", "running", "completed", "failed"]).openapi({ example: "running" }),
    accounts_total: z.number().int().openapi({ example: 100000 }),
    chunks_total: count("Queue messages, 1,000 accounts each", 100),
    chunks_done: z.number().int().openapi({ example: 37 }),
    accounts_updated: count("Accounts rescored so far", 37000),
    scores_written: count("Dated scores written so far", 1110000),
    error: z.string().nullable().openapi({ description: "Why it failed, when it did", example: null }),
    created_at: z.string().openapi({ example: "2026-11-25T02:00:00.120Z" }),
    finished_at: z.string().nullable().openapi({ example: null }),
  })
  .openapi("RecomputeJob", { description: "A recompute running as chunks on the recompute queue" });

export const recomputeResultSchema = z
  .object({
    message: summaryMessage("Recomputed health scores for 42 accounts (3780 dated scores) in 0.412 s."),
    accounts_updated: count("Accounts whose current health and trends were refreshed", 42),
    computation_time_seconds: z
      .number()
      .openapi({ description: "Wall time of the recompute, in seconds (3 decimals)", example: 0.412 }),
    scores_written: count("Dated scores written to the history (one per account and metric date)", 3780),
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

export const recomputeQuerySchema = z.object({
  mode: z
    .enum(["auto", "queued"], { error: "Expected auto or queued" })
    .default("auto")
    .openapi({
      param: { name: "mode", in: "query" },
      description: "`auto` (default): inline when the book is small enough, else queued; `queued`: always as a job",
      example: "auto",
    }),
  scope: z
    .enum(["all", "stale"], { error: "Expected all or stale" })
    .default("all")
    .openapi({
      param: { name: "scope", in: "query" },
      description:
        "`all` (default): every date of every account. `stale`: what the daily cron runs: only the accounts whose " +
        "scores are behind their metrics (an upload whose rescore failed or was cut off, a failed queued job, a " +
        "change of the health configuration), each over the dates its changes reach; an up-to-date book writes nothing",
      example: "all",
    }),
});

export type RecomputeJob = z.infer<typeof recomputeJobSchema>;
export type RecomputeResultBody = z.infer<typeof recomputeResultSchema>;
