import { createRoute, z } from "@hono/zod-openapi";
import { ABANDONED_RUN_MINUTES } from "../../db/queries/ingest-runs";
import { READ_ACCESS, WRITE_ACCESS } from "../../lib/auth";
import { problemSchema } from "../../lib/errors";
import { jsonContent, problemResponses } from "../../lib/openapi";
import { idPathParams, wholeNumber } from "../../lib/params";
import { csvText, csvUploadForm, ingestResultSchema, ingestRunListSchema, ingestRunSchema } from "./ingest.schemas";

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

/** The tag of every ingest route and the API key it asks for (in this order in the document). */

function problemContent(description: string) {
  return { description, content: { "application/problem+json": { schema: problemSchema } } };
}

export const upload = createRoute({
  method: "post",
  path: "/ingest/csv",
  tags: ["Ingest"],
  ...WRITE_ACCESS,
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

export type UploadRoute = typeof upload;

export const listRuns = createRoute({
  method: "get",
  path: "/ingest/runs",
  tags: ["Ingest"],
  ...READ_ACCESS,
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
    200: jsonContent(ingestRunListSchema, "The runs, newest first"),
    ...problemResponses("validation_error", "unauthorized", "service_unavailable"),
  },
});

export type ListRunsRoute = typeof listRuns;

export const getRun = createRoute({
  method: "get",
  path: "/ingest/runs/{id}",
  tags: ["Ingest"],
  ...READ_ACCESS,
  summary: "One upload and how it ended",
  request: {
    params: idPathParams("The `ingest_run_id` of an upload", 42),
  },
  responses: {
    200: jsonContent(ingestRunSchema, "The run"),
    ...problemResponses("validation_error", "not_found", "unauthorized", "service_unavailable"),
  },
});

export type GetRunRoute = typeof getRun;
