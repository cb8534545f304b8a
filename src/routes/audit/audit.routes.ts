import { auditListSchema, listAuditQuerySchema } from "../../contract/audit";
import { ADMIN_ACCESS } from "../../lib/auth";
import { defineRoute } from "../../lib/openapi";

export const listAudit = defineRoute({
  method: "get",
  path: "/audit",
  operationId: "listAudit",
  tag: "Audit",
  access: ADMIN_ACCESS,
  summary: "Who changed what, when: the audit log",
  errors: ["validation_error"],
  request: { query: listAuditQuerySchema },
  responses: { 200: { description: "A page of records, oldest first", content: { "application/json": { schema: auditListSchema } } } },
  description: `The changes no upload makes, oldest first: account corrections (\`account.updated\` with the fields' before
and after, \`account.merged\`, \`account.deleted\`), webhook endpoints created, deleted and their secrets rotated, and
health models activated. Each names the API key that made it (\`actor\`; null when auth is off). Each record is written
in the same atomic batch as its change, so the log never misses one. Page with \`after\`: pass \`next_after\`.`,
});

export type ListAuditRoute = typeof listAudit;
