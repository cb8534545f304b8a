import { createRoute, z } from "@hono/zod-openapi";
import { ABANDONED_RUN_MINUTES } from "../../db/queries/ingest-runs";
import { READ_SECURITY, requireApiKey, WRITE_SECURITY } from "../../lib/auth";
import { problemSchema } from "../../lib/errors";
import { jsonContent, problemResponses } from "../../lib/openapi";
import { wholeNumber } from "../../lib/params";

const SAMPLE_CSV = `account_name,segment,region,arr,date,daily_active_users,feature_adoption_rate,support_tickets_open,nps_score,login_frequency
Acme Corp,Enterprise,US,500000,2024-10-01,150,0.75,2,50,0.85
TechStart Inc,SMB,EU,50000,2024-10-01,15,0.45,8,,0.35
`;

const CSV_FORMAT = `Header (names exact, case-insensitive, surrounding spaces ignored, any order, extra columns ignored):
\`account_name,segment,region,arr,date,daily_active_users,feature_adoption_rate,support_tickets_open,nps_score,login_frequency\`
(\`nps_score\` may be left out or empty).

| column | rule |
|---|---|
| account_name | non-empty, trimmed, at most 200 characters; identifies the account |
| segment | Enterprise, Mid-Market or SMB (case-insensitive; stored with that spelling) |
| region | non-empty, at most 100 characters |
| arr | number >= 0 |
| date | YYYY-MM-DD, a real calendar date |
| daily_active_users | whole number >= 0 |
| feature_adoption_rate | 0 to 1 |
| support_tickets_open | whole number >= 0 |
| nps_score | -100 to 100, or empty (stored as null) |
| login_frequency | 0 to 1 |

UTF-8 (a BOM is fine), LF or CRLF line ends, quoted fields with commas, quotes and line breaks are accepted.
Blank lines (also lines of only commas) are skipped.`;

const DESCRIPTION = `Uploads daily account metrics as CSV, either as the \`file\` field of a \`multipart/form-data\` form
(\`curl -F "file=@data.csv"\`) or as the raw body (\`text/csv\`, \`application/csv\`, \`text/plain\`,
\`application/octet-stream\`; \`curl --data-binary @data.csv -H "Content-Type: text/csv"\`).

The body is streamed and written in batches as it is read, so files of any size use little memory.

${CSV_FORMAT}

**Rows.** A row that breaks a rule is rejected with its line number (the physical line in the file: the header is
line 1; blank lines and line breaks inside quoted fields count), the column and the reason; the other rows are
stored. The response lists the first 100 errors and says how many more there were.

**Upserts.** Rows are keyed by account + date: re-uploading a file changes nothing and reports 0 created and
0 updated; a later upload (or a later line of the same file) for the same account + date replaces the values.
An account's segment, region and ARR are those of its latest-dated row, whatever order files arrive in.
\`accounts_updated\` counts existing accounts whose data changed; \`metrics_updated\` counts existing rows whose
values changed.

**Refusals.** A header that lacks a required column (or repeats one), an empty body, a file with a header but no
data rows, and a body that is not UTF-8 CSV text are refused with 400 before anything is stored. Other content
types get 415, a form without a \`file\` file field 400.

**Afterwards** the accounts whose data changed are rescored, so \`GET /accounts\` shows fresh scores at once.
Every upload is recorded as an ingest run (\`ingest_run_id\`). If the upload breaks off midway, the rows of the
batches already written stay stored and the run is marked failed; uploading the file again completes it.`;

export const rowErrorSchema = z
  .object({
    line: z.number().int().openapi({ description: "Physical line in the file (header = 1)", example: 7 }),
    column: z
      .string()
      .nullable()
      .openapi({ description: "The offending column; null when the line as a whole is broken", example: "date" }),
    value: z.string().optional().openapi({ description: "The value as found (absent when empty)", example: "2024-02-30" }),
    reason: z.string().openapi({ example: "'2024-02-30' is not a real calendar date" }),
  })
  .openapi("CsvRowError");

export const ingestResultSchema = z
  .object({
    message: z.string().openapi({
      description: "A readable summary",
      example: "Processed 15 rows: 14 accepted, 1 rejected. 5 accounts created, 0 updated; 14 metrics created, 0 updated.",
    }),
    accounts_created: z.number().int().openapi({ description: "Accounts new to the database", example: 5 }),
    accounts_updated: z
      .number()
      .int()
      .openapi({ description: "Existing accounts whose data changed (new or changed metrics, segment, region, ARR)", example: 0 }),
    metrics_created: z.number().int().openapi({ description: "New account + date rows", example: 14 }),
    errors: z.array(z.string()).openapi({
      description: "The first 100 row errors, readable (the original product's field)",
      example: ["Line 7, column 'date': '2024-02-30' is not a real calendar date"],
    }),
    metrics_updated: z.number().int().openapi({ description: "Existing account + date rows whose values changed", example: 0 }),
    rows_total: z.number().int().openapi({ description: "Data rows read (blank lines not counted)", example: 15 }),
    rows_rejected: z.number().int().openapi({ description: "Rows refused by validation", example: 1 }),
    row_errors: z.array(rowErrorSchema).openapi({ description: "The first 100 row errors, structured" }),
    error_count: z.number().int().openapi({ description: "All row errors found (row_errors holds at most 100)", example: 1 }),
    ingest_run_id: z.number().int().openapi({ description: "The ingest run recording this upload", example: 12 }),
    file_name: z.string().nullable().openapi({ description: "The uploaded file's name (multipart only)", example: "data.csv" }),
    bytes_read: z.number().int().openapi({ description: "Size of the CSV read, in bytes", example: 1043 }),
    accounts_rescored: z.number().int().openapi({ description: "Accounts whose health was recomputed after the upload", example: 5 }),
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
        writing: z.number().int().openapi({ description: "Waiting for batch writes that reading could not overlap", example: 38 }),
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
      ingest_run_id: 12,
      file_name: "data.csv",
      bytes_read: 1043,
      accounts_rescored: 5,
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
const csvUploadForm = {
  schema: {
    title: "CsvUploadForm",
    type: "object" as const,
    required: ["file"],
    properties: {
      file: { type: "string" as const, format: "binary", description: "The CSV file" },
    },
    description: "A form with the CSV file in the field `file` (`curl -F \"file=@data.csv\"`).",
  },
};

const csvText = { schema: { title: "CsvText", type: "string" as const, description: "The CSV text itself." } };

function problemContent(description: string) {
  return { description, content: { "application/problem+json": { schema: problemSchema } } };
}

export const ingestCsv = createRoute({
  method: "post",
  path: "/ingest/csv",
  tags: ["Ingest"],
  security: WRITE_SECURITY,
  middleware: [requireApiKey("write")] as const,
  summary: "Upload daily account metrics as CSV",
  description: DESCRIPTION,
  request: {
    body: {
      required: true,
      description: "The CSV file, as a form field `file` or as the raw body.",
      content: {
        "multipart/form-data": csvUploadForm,
        "text/csv": { ...csvText, example: SAMPLE_CSV },
        "application/csv": csvText,
        "text/plain": csvText,
        "application/octet-stream": { schema: { type: "string", format: "binary" } },
      },
    },
  },
  responses: {
    ...problemResponses("unauthorized", "payload_too_large", "service_unavailable"),
    200: jsonContent(ingestResultSchema, "The file was read; valid rows are stored, invalid rows listed in `errors`"),
    400: problemContent(
      "Refused before anything was stored: a header missing (or repeating) a required column, an empty body, a header " +
        "without data rows, a body that is not UTF-8 CSV text, a form without a `file` field, or a malformed multipart " +
        "body. `detail` says which; a missing column is also named in `errors`. If the body turns out unreadable only " +
        "midway (invalid bytes, upload broken off), `detail` says how many rows before that point stayed stored.",
    ),
    415: problemContent(
      "The Content-Type is neither multipart/form-data nor one of text/csv, application/csv, text/x-csv, " +
        "application/vnd.ms-excel, text/plain, application/octet-stream.",
    ),
    500: problemContent(
      "Unexpected error, or a database batch failed midway: the rows of the batches written before stay stored and " +
        "the ingest run is marked failed; `detail` names the lines affected.",
    ),
  },
});


export const ingestRunSchema = z
  .object({
    id: z.number().int().openapi({ example: 42 }),
    file_name: z.string().nullable().openapi({ example: "accounts.csv" }),
    content_type: z.string().nullable().openapi({ example: "multipart/form-data" }),
    status: z.enum(["running", "completed", "failed", "rejected"]).openapi({
      description:
        "`rejected`: refused before anything was stored (bad header, not CSV, too big); `failed`: stopped midway, " +
        "`rows_committed` says what was stored; `running` while in progress",
      example: "completed",
    }),
    bytes_read: z.number().int().openapi({ example: 199445 }),
    rows_total: z.number().int().openapi({ example: 3240 }),
    rows_rejected: z.number().int().openapi({ example: 2 }),
    rows_committed: z.number().int().openapi({
      description: "Valid rows stored, recorded in the same transaction as the rows themselves",
      example: 3238,
    }),
    committed_through_line: z.number().int().nullable().openapi({
      description: "The last line of the file whose batch is stored",
      example: 3241,
    }),
    accounts_created: z.number().int().openapi({ example: 36 }),
    accounts_updated: z.number().int().openapi({ example: 0 }),
    metrics_created: z.number().int().openapi({ example: 3238 }),
    metrics_updated: z.number().int().openapi({ example: 0 }),
    errors: z.array(rowErrorSchema).nullable().openapi({ description: "The first 100 row errors" }),
    failure_reason: z.string().nullable().openapi({ example: null }),
    started_at: z.string().openapi({ example: "2026-11-25T10:57:15.150Z" }),
    finished_at: z.string().nullable().openapi({ example: "2026-11-25T10:57:15.216Z" }),
    duration_ms: z.number().int().nullable().openapi({ example: 66 }),
  })
  .openapi("IngestRun", { description: "One upload, as recorded in `ingest_runs`" });

export const listIngestRuns = createRoute({
  method: "get",
  path: "/ingest/runs",
  tags: ["Ingest"],
  security: READ_SECURITY,
  middleware: [requireApiKey("read")] as const,
  summary: "The latest uploads and how each ended",
  description: `The most recent uploads first. A run cut off without finishing (Worker restart) keeps the exact progress
it committed (\`rows_committed\`, \`committed_through_line\`); once it has been \`running\` for ${ABANDONED_RUN_MINUTES}
minutes, the next upload or the daily cron marks it \`failed\` and rescores the accounts it wrote. Upload the same file
again to complete it: rows already stored are not changed.`,
  request: {
    query: z.object({
      limit: wholeNumber(1, 100)
        .default(20)
        .openapi({ param: { name: "limit", in: "query" }, description: "How many runs, 1-100", example: 20 }),
    }),
  },
  responses: {
    200: jsonContent(z.object({ runs: z.array(ingestRunSchema) }).openapi("IngestRunList"), "The runs, newest first"),
    ...problemResponses("validation_error", "unauthorized", "service_unavailable"),
  },
});

export const getIngestRun = createRoute({
  method: "get",
  path: "/ingest/runs/{id}",
  tags: ["Ingest"],
  security: READ_SECURITY,
  middleware: [requireApiKey("read")] as const,
  summary: "One upload and how it ended",
  request: {
    params: z.object({
      id: wholeNumber(1, Number.MAX_SAFE_INTEGER).openapi({
        param: { name: "id", in: "path" },
        description: "The `ingest_run_id` of an upload",
        example: 42,
      }),
    }),
  },
  responses: {
    200: jsonContent(ingestRunSchema, "The run"),
    ...problemResponses("validation_error", "not_found", "unauthorized", "service_unavailable"),
  },
});
