import { ABANDONED_RUN_MINUTES } from "../../db/queries/ingest-runs";
import { READ_ACCESS, WRITE_ACCESS } from "../../lib/auth";
import { defineRoute } from "../../lib/openapi";
import { jsonContent } from "../../contract/problems";
import { COLUMNS, CSV_HEADER_ORDER } from "../../ingest/columns";
import { idPathParams } from "../../contract/params";
import { csvText, csvUploadForm, ingestResultSchema, uploadQuerySchema } from "../../contract/ingest";
import { ingestRunListSchema, ingestRunSchema, listRunsQuerySchema } from "../../contract/ingest-runs";

const SAMPLE_CSV = `account_name,segment,region,arr,date,daily_active_users,feature_adoption_rate,support_tickets_open,nps_score,login_frequency
Acme Corp,Enterprise,US,500000,2024-10-01,150,0.75,2,50,0.85
TechStart Inc,SMB,EU,50000,2024-10-01,15,0.45,8,,0.35
`;

/** The column table (ingest/columns.ts) as a Markdown table: name, aliases, accepted values, required. */
function columnTable(): string {
  const rows = COLUMNS.map((entry) => {
    const aliases = entry.aliases.length > 0 ? entry.aliases.map((alias) => `\`${alias}\``).join(", ") : "";
    return `| ${entry.name} | ${aliases} | ${entry.rule.accepts}; ${entry.description} | ${entry.required ? "yes" : "no"} |`;
  });
  return ["| column | aliases | values | required |", "|---|---|---|---|", ...rows].join("\n");
}

const CSV_FORMAT = `Header: \`${CSV_HEADER_ORDER.join(",")}\` in any order; extra columns are ignored. A header matches a
column by its name ignoring case, spaces, hyphens and underscores (\`Account Name\`, \`account-name\`, \`ACCOUNT_NAME\`),
or by an alias below; an explicit \`mapping\` overrides both. A name match beats an alias match (the alias header is
ignored, with a \`header_ignored\` warning); two headers matching one column equally well are refused.

${columnTable()}

Every text value is NFC-normalised and trimmed; a line break inside quotes (LF or CRLF) reads as one space, and any other
control character (U+0000-U+001F, U+007F) is refused.
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

**Warnings** (\`warnings\`, the first 100, and \`warning_count\`) are about rows stored anyway: an account + date on
two lines of the file (stored once, the later line wins; both lines named), an ARR more than 10x above or below the
account's previous ARR, a date-time whose UTC date differs from the date written, a header ignored.

**Columns.** \`columns\` says how each header was matched (\`exact\`, \`normalised\`, \`alias\`, \`mapping\`) and
\`ignored_headers\` which headers matched nothing. \`mapping\` (query parameter, or a form field before \`file\`) is a
JSON object \`{"<header in the file>": "<column>"}\`; a mapping to an unknown column, a mapped header absent from the
file, or two headers mapped to one column are refused with 400 before anything is written.

**Dry run.** \`?dry_run=true\` reads and validates the whole file exactly as an upload and answers the same report
(rows, errors, warnings, columns, and the accounts and metrics that would be created and updated) without writing any
account, metric or score; the ingest run is recorded with status \`dry_run\`.

**Upserts.** Rows are keyed by account + date: re-uploading a file changes nothing and reports 0 created and
0 updated; a later upload (or a later line of the same file) for the same account + date replaces the values.
An account's segment, region and ARR are those of its latest-dated row, whatever order files arrive in.
\`accounts_updated\` counts existing accounts whose data changed; \`metrics_updated\` counts existing rows whose
values changed.

**Refusals.** A header that lacks a required column (or repeats one), an empty body, a file with a header but no
data rows, and a body that is not UTF-8 CSV text (UTF-16 included) are refused with 400 before anything is stored. An
Excel or OpenDocument workbook (or any ZIP, or gzip) gets 415 with how to save it as "CSV UTF-8", and so do other
content types; a form without a \`file\` file field 400.

**Afterwards** the accounts whose data changed are rescored, so \`GET /accounts\` shows fresh scores at once.
Every upload is recorded as an ingest run (\`ingest_run_id\`). If the upload breaks off midway, the rows of the
batches already written stay stored and the run is marked failed; uploading the file again completes it.`;

export const upload = defineRoute({
  method: "post",
  path: "/ingest/csv",
  operationId: "uploadCsv",
  tag: "Ingest",
  access: WRITE_ACCESS,
  summary: "Upload daily account metrics as CSV",
  errors: ["invalid_csv", "bad_request", "unsupported_media_type", "payload_too_large"],
  errorDescriptions: {
    400:
      "Refused before anything was stored: a header missing (or repeating) a required column, a `mapping` that is not " +
      "a JSON object, names an unknown column or a header absent from the file, or maps two headers to one column, " +
      "an empty body, a header without data rows, a body that is not UTF-8 CSV text (UTF-16 included), a form " +
      "without a `file` field, or a malformed multipart body. `detail` says which; the columns at fault (and " +
      "`mapping`) are also named in `errors`. If the body turns out unreadable only midway (invalid bytes, upload " +
      "broken off), `detail` says how many rows before that point stayed stored.",
    415:
      "The file is a spreadsheet workbook (.xlsx, .xls, .ods), a ZIP or gzip archive, not CSV text (`detail` says how " +
      "to save it as CSV UTF-8); or the Content-Type is neither multipart/form-data nor one of text/csv, " +
      "application/csv, text/x-csv, application/vnd.ms-excel, text/plain, application/octet-stream.",
    500:
      "Unexpected error, or a database batch failed midway: the rows of the batches written before stay stored and " +
      "the ingest run is marked failed; `detail` names the lines affected.",
  },
  request: {
    query: uploadQuerySchema,
    body: {
      required: true,
      description: "The CSV file, as a form field `file` (with an optional `mapping` field before it) or as the raw body.",
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
    200: jsonContent(
      ingestResultSchema,
      "The file was read; valid rows are stored (not in a dry run), invalid rows listed in `errors`, doubtful ones in `warnings`",
    ),
  },
  description: DESCRIPTION,
});

export const listRuns = defineRoute({
  method: "get",
  path: "/ingest/runs",
  operationId: "listIngestRuns",
  tag: "Ingest",
  access: READ_ACCESS,
  summary: "The latest uploads and how each ended",
  errors: ["validation_error"],
  request: {
    query: listRunsQuerySchema,
  },
  responses: {
    200: jsonContent(ingestRunListSchema, "The runs, newest first"),
  },
  description: `The most recent uploads first. A run cut off without finishing (Worker restart) keeps the exact progress
it committed (\`rows_committed\`, \`committed_through_line\`); once it has been \`running\` for ${ABANDONED_RUN_MINUTES}
minutes, the next upload or the daily cron marks it \`failed\` and rescores the accounts it wrote. Upload the same file
again to complete it: rows already stored are not changed.`,
});

export const getRun = defineRoute({
  method: "get",
  path: "/ingest/runs/{id}",
  operationId: "getIngestRun",
  tag: "Ingest",
  access: READ_ACCESS,
  summary: "One upload and how it ended",
  errors: ["validation_error", "not_found"],
  request: {
    params: idPathParams("The `ingest_run_id` of an upload", 42),
  },
  responses: {
    200: jsonContent(ingestRunSchema, "The run"),
  },
  description: `One ingest run, as \`GET /ingest/runs\` lists it: its status (\`running\`, \`completed\`, \`rejected\`,
\`failed\` with \`failure_reason\`, or \`dry_run\` for a \`?dry_run=true\` upload that wrote nothing), the rows read, committed and rejected, how far it committed
(\`committed_through_line\`) and what its rescore did.`,
});

export type UploadRoute = typeof upload;
export type ListRunsRoute = typeof listRuns;
export type GetRunRoute = typeof getRun;
