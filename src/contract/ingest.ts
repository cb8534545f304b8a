import { z } from "@hono/zod-openapi";
import { count, summaryMessage } from "./fields";
import { blankAsAbsent, flag } from "./params";

/** The upload's shapes: its answer and its request bodies (the recorded runs: ingest-runs.ts). */

/** The physical line of the file a row error or warning is about. */
const fileLine = (example: number) =>
  z.number().int().openapi({ description: "Physical line in the file (header = 1)", example });

export const rowErrorSchema = z
  .object({
    line: fileLine(7),
    column: z
      .string()
      .nullable()
      .openapi({ description: "The offending column; null when the line as a whole is broken", example: "date" }),
    value: z.string().optional().openapi({ description: "The value as found (absent when empty)", example: "2024-02-30" }),
    reason: z.string().openapi({ example: "'2024-02-30' is not a real calendar date" }),
  })
  .openapi("CsvRowError");

export const rowWarningSchema = z
  .object({
    line: fileLine(9),
    column: z
      .string()
      .nullable()
      .openapi({ description: "The column concerned; null when it is the row as a whole", example: null }),
    code: z.enum(["duplicate_row", "arr_jump", "date_converted", "header_ignored", "tracking_limited"]).openapi({
      description:
        "`duplicate_row`: the account + date is on an earlier line too (the later line is kept); `arr_jump`: ARR more " +
        "than 10x above or below the account's previous ARR (its previous row in the file, else as stored); " +
        "`date_converted`: a date-time whose UTC date differs from the date written; `header_ignored`: a header that " +
        "matches a column another header took (line of the header); `tracking_limited`: the file is too big for " +
        "duplicates to be tracked across the whole of it (see the message)",
      example: "duplicate_row",
    }),
    message: z.string().openapi({
      example: "'Acme Corp' on 2024-10-01 is also on line 4: only one row per account and date is kept, the later one (line 9).",
    }),
  })
  .openapi("CsvRowWarning", { description: "Something worth checking about a row that was stored anyway" });

export const columnMatchSchema = z
  .object({
    header: z.string().openapi({ description: "The header as written in the file", example: "Company" }),
    column: z.string().openapi({ description: "The column it fills", example: "account_name" }),
    matched_by: z.enum(["exact", "normalised", "alias", "mapping"]).openapi({
      description:
        "`exact`: the column's name; `normalised`: the name written another way (case, spaces, hyphens, " +
        "underscores); `alias`: a documented alias; `mapping`: the upload's `mapping`",
      example: "alias",
    }),
  })
  .openapi("CsvColumnMatch");

export const datesRescoredSchema = z
  .object({
    accounts: count("Accounts rescored", 5),
    dates: count("Score dates computed for them", 14),
  })
  .nullable()
  .openapi("DatesRescored", {
    description: "What the rescore after the upload covered; null when it was queued, failed or has not run",
  });

export const ingestResultSchema = z
  .object({
    message: summaryMessage("Processed 15 rows: 14 accepted, 1 rejected. 5 accounts created, 0 updated; 14 metrics created, 0 updated."),
    accounts_created: count("Accounts new to the database", 5),
    accounts_updated: count("Existing accounts whose data changed (new or changed metrics, segment, region, ARR)", 0),
    metrics_created: count("New account + date rows (in a dry run: that would be created)", 14),
    errors: z.array(z.string()).openapi({
      description: "The first 100 row errors, readable, as the v1 API answers them (`row_errors` has them structured)",
      example: ["Line 7, column 'date': '2024-02-30' is not a real calendar date"],
    }),
    metrics_updated: count("Existing account + date rows whose values changed", 0),
    rows_total: count("Data rows read (blank lines not counted)", 15),
    rows_rejected: count("Rows refused by validation", 1),
    row_errors: z.array(rowErrorSchema).openapi({ description: "The first 100 row errors, structured" }),
    error_count: count("All row errors found (row_errors holds at most 100)", 1),
    warnings: z.array(rowWarningSchema).openapi({
      description: "The first 100 warnings: rows stored anyway that deserve a look (duplicates, ARR jumps, converted dates)",
    }),
    warning_count: count("All warnings found (warnings holds at most 100)", 1),
    columns: z.array(columnMatchSchema).openapi({ description: "How each header of the file was matched to a column, in file order" }),
    ignored_headers: z.array(z.string()).openapi({ description: "Headers that match no column (ignored)", example: ["notes"] }),
    dry_run: z.boolean().openapi({
      description: "True for `?dry_run=true`: nothing was written, and the counts say what the upload would create and update",
      example: false,
    }),
    ingest_run_id: z.number().int().openapi({ description: "The ingest run recording this upload", example: 12 }),
    file_name: z.string().nullable().openapi({ description: "The uploaded file's name (multipart only)", example: "data.csv" }),
    bytes_read: z.number().int().openapi({ description: "Size of the CSV read, in bytes", example: 1043 }),
    accounts_rescored: count(
      "Accounts whose health was recomputed after the upload: the ones it changed, and any other account whose " +
        "scores were behind its metrics (e.g. left by an upload that was cut off)",
      5,
    ),
    scores_written: z.number().int().nullable().openapi({
      description:
        "Score rows the rescore wrote: only the dates the upload's changes can reach, so a daily file writes one per " +
        "account. Null when the rescore was queued (`rescore_job_id`) or failed",
      example: 14,
    }),
    dates_rescored: datesRescoredSchema,
    d1_rows_written: count(
      "D1 rows the upload's batches and its rescore wrote (`meta.rows_written`, the unit D1 bills), index entries " +
        "included; a queued rescore's writes are not counted here",
      61,
    ),
    rescore_job_id: z.number().int().nullable().openapi({
      description:
        "Set when the upload changed more accounts than `INGEST_RESCORE_INLINE_MAX_ACCOUNTS` (default 2,000): they are " +
        "rescored by this queued job (see GET /health/recompute/jobs/{id}) instead of before the answer",
      example: null,
    }),
    rescore_error: z.string().nullable().openapi({
      description:
        "Set when the rows were stored but rescoring them failed: the scores catch up at the next recompute " +
        "(POST /health/recompute or the daily cron)",
      example: null,
    }),
    duration_ms: z.number().int().openapi({ description: "Time to read, store and rescore", example: 84 }),
    timings_ms: z
      .object({
        reading: z.number().int().openapi({ description: "Receiving, decoding, parsing and validating the CSV", example: 31 }),
        writing: z.number().int().openapi({
          description: "Waiting for batch writes that reading could not overlap (in a dry run: the read-only queries instead)",
          example: 38,
        }),
        rescoring: z.number().int().openapi({ description: "Rescoring the accounts the upload changed", example: 12 }),
      })
      .openapi({ description: "Where `duration_ms` went, for diagnosing slow uploads" }),
  })
  .openapi("IngestResult", {
    example: {
      message: "Processed 15 rows: 14 accepted, 1 rejected. 5 accounts created, 0 updated; 14 metrics created, 0 updated.",
      accounts_created: 5,
      accounts_updated: 0,
      metrics_created: 14,
      errors: ["Line 7, column 'date': '2024-02-30' is not a real calendar date"],
      metrics_updated: 0,
      rows_total: 15,
      rows_rejected: 1,
      row_errors: [{ line: 7, column: "date", value: "2024-02-30", reason: "'2024-02-30' is not a real calendar date" }],
      error_count: 1,
      warnings: [
        {
          line: 9,
          column: null,
          code: "duplicate_row",
          message: "'Acme Corp' on 2024-10-01 is also on line 4: only one row per account and date is kept, the later one (line 9).",
        },
      ],
      warning_count: 1,
      columns: [
        { header: "Company", column: "account_name", matched_by: "alias" },
        { header: "segment", column: "segment", matched_by: "exact" },
        { header: "Region", column: "region", matched_by: "normalised" },
        { header: "arr", column: "arr", matched_by: "exact" },
        { header: "date", column: "date", matched_by: "exact" },
        { header: "DAU", column: "daily_active_users", matched_by: "alias" },
        { header: "feature_adoption_rate", column: "feature_adoption_rate", matched_by: "exact" },
        { header: "support_tickets_open", column: "support_tickets_open", matched_by: "exact" },
        { header: "NPS", column: "nps_score", matched_by: "alias" },
        { header: "login_frequency", column: "login_frequency", matched_by: "exact" },
      ],
      ignored_headers: ["notes"],
      dry_run: false,
      ingest_run_id: 12,
      file_name: "data.csv",
      bytes_read: 1043,
      accounts_rescored: 5,
      scores_written: 14,
      dates_rescored: { accounts: 5, dates: 14 },
      d1_rows_written: 61,
      rescore_job_id: null,
      rescore_error: null,
      duration_ms: 84,
      timings_ms: { reading: 31, writing: 38, rescoring: 12 },
    },
  });

/*
 * Plain OpenAPI schemas on purpose: a zod schema on a multipart body makes @hono/zod-openapi validate it with
 * `parseBody()`, which reads the whole file into memory. The handler streams the body instead. Inline rather than
 * referenced, so every tool (Swagger UI's file picker included) sees the binary field directly.
 */
export const csvUploadForm = {
  schema: {
    title: "CsvUploadForm",
    type: "object" as const,
    required: ["file"],
    properties: {
      mapping: {
        type: "string" as const,
        description:
          'Optional: a JSON object {"<header in the file>": "<column>"} that overrides the automatic header matching. ' +
          "Put it before `file` in the form (curl sends -F fields in the order given): a field after the file arrives too late.",
        example: '{"Company": "account_name", "Active users": "daily_active_users"}',
      },
      file: { type: "string" as const, format: "binary", description: "The CSV file" },
    },
    description: "A form with the CSV file in the field `file` (`curl -F \"file=@data.csv\"`), and optionally a `mapping` before it.",
  },
};

export const csvText = { schema: { title: "CsvText", type: "string" as const, description: "The CSV text itself." } };

/** The upload's query parameters (its body is read by the handler, streamed). */
export const uploadQuerySchema = z.object({
  dry_run: flag().openapi({
    param: { name: "dry_run", in: "query" },
    description: "Validate and report without writing any account, metric or score (`true`/`false`, default false)",
    example: true,
  }),
  mapping: z.preprocess(blankAsAbsent, z.string().max(64 * 1024).optional()).openapi({
    param: { name: "mapping", in: "query" },
    description:
      'A JSON object {"<header in the file>": "<column>"} overriding the automatic header matching (URL-encoded); ' +
      "or send it as the form field `mapping`, not both",
    example: '{"Company":"account_name","Active users":"daily_active_users"}',
  }),
});

export type IngestResult = z.infer<typeof ingestResultSchema>;
