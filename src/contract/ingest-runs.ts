import { z } from "@hono/zod-openapi";
import { count } from "./fields";
import { datesRescoredSchema, rowErrorSchema } from "./ingest";
import { pageSize } from "./params";

/** The recorded uploads: GET /ingest/runs and GET /ingest/runs/{id}. */

export const ingestRunSchema = z
  .object({
    id: z.number().int().openapi({ example: 42 }),
    file_name: z.string().nullable().openapi({ example: "accounts.csv" }),
    content_type: z.string().nullable().openapi({ example: "multipart/form-data" }),
    created_by: z.string().nullable().openapi({
      description: "The name of the API key that uploaded it (from API_KEYS); null when auth is off",
      example: "nightly-etl",
    }),
    status: z.enum(["running", "completed", "failed", "rejected", "dry_run"]).openapi({
      description:
        "`rejected`: refused before anything was stored (bad header, not CSV, too big); `failed`: stopped midway, " +
        "`rows_committed` says what was stored; `running` while in progress; `dry_run`: a `?dry_run=true` upload " +
        "that read the whole file and wrote nothing (its counts are what it would have created and updated)",
      example: "completed",
    }),
    bytes_read: z.number().int().openapi({ example: 199445 }),
    rows_total: z.number().int().openapi({ example: 3240 }),
    rows_rejected: z.number().int().openapi({ example: 2 }),
    rows_committed: count(
      "Valid rows stored, recorded in the same transaction as the rows themselves",
      3238,
    ),
    committed_through_line: z.number().int().nullable().openapi({
      description: "The last line of the file whose batch is stored",
      example: 3241,
    }),
    accounts_created: z.number().int().openapi({ example: 36 }),
    accounts_updated: z.number().int().openapi({ example: 0 }),
    metrics_created: z.number().int().openapi({ example: 3238 }),
    metrics_updated: z.number().int().openapi({ example: 0 }),
    scores_written: z.number().int().nullable().openapi({ description: "Score rows its rescore wrote", example: 3238 }),
    dates_rescored: datesRescoredSchema,
    errors: z.array(rowErrorSchema).nullable().openapi({ description: "The first 100 row errors" }),
    failure_reason: z.string().nullable().openapi({ example: null }),
    started_at: z.string().openapi({ example: "2026-11-25T10:57:15.150Z" }),
    finished_at: z.string().nullable().openapi({ example: "2026-11-25T10:57:15.216Z" }),
    duration_ms: z.number().int().nullable().openapi({ example: 66 }),
  })
  .openapi("IngestRun", { description: "One upload, as recorded in `ingest_runs`" });

export const ingestRunListSchema = z.object({ runs: z.array(ingestRunSchema) }).openapi("IngestRunList");

export const listRunsQuerySchema = z.object({
  limit: pageSize("How many runs", 100, 20),
});

export type IngestRun = z.infer<typeof ingestRunSchema>;
