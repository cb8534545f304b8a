import { accessWith, ADMIN_ACCESS, READ_ACCESS, WRITE_ACCESS } from "../../lib/auth";
import { jsonBodyLimit } from "../../lib/body-limit";
import { defineRoute, jsonBody } from "../../lib/openapi";
import { jsonContent } from "../../contract/problems";
import { declareMeasureBodySchema, measureListSchema, measureNameParamsSchema, measureSchema } from "../../contract/measures";

const TAG = "Measures";

export const declareMeasure = defineRoute({
  method: "post",
  path: "/measures",
  operationId: "declareMeasure",
  tag: TAG,
  access: accessWith(WRITE_ACCESS, jsonBodyLimit),
  summary: "Declare a custom measure",
  errors: ["validation_error", "bad_request", "conflict", "payload_too_large"],
  errorDescriptions: {
    409: "The name is a built-in CSV column, an alias of one, or a declared measure (ignoring case and underscores, as headers are matched).",
  },
  request: { body: jsonBody(declareMeasureBodySchema) },
  responses: { 201: jsonContent(measureSchema, "The measure, carried by no row yet") },
  description: `Declares a signal your book carries beyond the built-in metric columns (seats used ÷ seats bought,
invoices overdue, days since the last QBR). From then on an upload accepts a column whose header is its \`name\`
(matched as the built-in headers are: ignoring case, spaces, hyphens and underscores): each cell must be a number from
\`min\` to \`max\` (a value outside is a row error, and the rest of the file loads), an empty cell means no value, and the
values are stored with the metric row and shown in \`GET /accounts/{id}\`'s \`metrics_history\`. A health model's
component may score it (\`measure\`).`,
});

export const listMeasures = defineRoute({
  method: "get",
  path: "/measures",
  operationId: "listMeasures",
  tag: TAG,
  access: READ_ACCESS,
  summary: "List the custom measures",
  responses: { 200: jsonContent(measureListSchema, "Every declared measure, by name") },
  description: "Every declared measure, by name, with how many metric rows (account + date) carry a value of it.",
});

export const deleteMeasure = defineRoute({
  method: "delete",
  path: "/measures/{name}",
  operationId: "deleteMeasure",
  tag: TAG,
  access: ADMIN_ACCESS,
  summary: "Delete a custom measure and its values",
  errors: ["validation_error", "not_found", "conflict"],
  errorDescriptions: { 409: "A draft or the active health model uses the measure; `detail` names each (id and name)." },
  request: { params: measureNameParamsSchema },
  responses: { 204: { description: "Deleted, with its values" } },
  description: `Removes the measure and its value from every metric row. Refused while a draft or the active health
model scores it; retired models do not count. Uploads then treat its column as any other extra column: ignored.`,
});

export type DeclareMeasureRoute = typeof declareMeasure;
export type ListMeasuresRoute = typeof listMeasures;
export type DeleteMeasureRoute = typeof deleteMeasure;
