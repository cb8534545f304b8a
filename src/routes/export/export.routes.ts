import { csvFileSchema, exportMetricsQuerySchema, exportScoresQuerySchema } from "../../contract/export";
import { EXPORT_ACCESS } from "../../lib/auth";
import { defineRoute } from "../../lib/openapi";

const csvFile = (description: string) => ({
  200: {
    description,
    headers: {
      "Content-Disposition": { schema: { type: "string" as const }, description: "attachment, with the file's name" },
    },
    content: { "text/csv": { schema: csvFileSchema } },
  },
});

export const exportMetrics = defineRoute({
  method: "get",
  path: "/export/metrics.csv",
  operationId: "exportMetrics",
  tag: "Export",
  access: EXPORT_ACCESS,
  summary: "Every stored metric row as a CSV file in the import format",
  errors: ["validation_error"],
  request: { query: exportMetricsQuerySchema },
  responses: csvFile("The metric rows, streamed"),
  description: `Streams the stored metric rows as the CSV that \`POST /ingest/csv\` reads: the header is every column it
accepts (\`account_name,segment,region,arr,date,daily_active_users,feature_adoption_rate,support_tickets_open,nps_score,login_frequency,renewal_date,owner\`),
then one column per declared measure (\`GET /measures\`), by name. An account's rows come together, by date; an empty
cell is a value the row does not have. Segment and region are the account's; renewal date, owner, ARR and the metrics are
the row's own, as uploaded.

Uploading the file into an empty instance (with the same measures declared first) gives the same accounts, scores,
summary and revenue statement: it is the backup a team can read, and the way to move a book.

Filters: \`account_id\`, \`since\` and \`until\` (dates, inclusive) and \`segment\`. The file is streamed a page of
5,000 rows at a time (keyset paging on the rows' key), so its size is not bounded by the Worker's memory.`,
});

export const exportScores = defineRoute({
  method: "get",
  path: "/export/scores.csv",
  operationId: "exportScores",
  tag: "Export",
  access: EXPORT_ACCESS,
  summary: "The score history, with each component's points, as a CSV file",
  errors: ["validation_error"],
  request: { query: exportScoresQuerySchema },
  responses: csvFile("The scores, streamed"),
  description: `Streams every stored health score, by date then account: \`account_id,account_name,date,score,bucket,model_id\`,
the points of the model's components by position (\`dau_points\` … \`login_points\` are model 1's five components, then
\`points_5\` … \`points_11\`; empty when the model has fewer or the component had no data) and \`nps_source\`
(\`window\`, \`carried\`, \`missing\`; empty under a model that does not score the NPS). \`GET /health/models/{id}\`
names a model's components in order.

Filters: \`since\` and \`until\` (dates, inclusive) and \`segment\`. Streamed 5,000 rows at a time.`,
});

export type ExportMetricsRoute = typeof exportMetrics;
export type ExportScoresRoute = typeof exportScores;
