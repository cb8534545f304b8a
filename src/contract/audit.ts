import { z } from "@hono/zod-openapi";
import { AUDIT_ACTIONS } from "../domain/audit";
import { pageSize, wholeNumber } from "./params";

/** A value of a record's detail: a figure, a name, a flag, or a field's before and after. */
const auditValueSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.object({ before: z.string(), after: z.string() }).openapi("AuditFieldChange"),
]);

export type AuditDetail = Record<string, z.infer<typeof auditValueSchema>>;

export const auditRecordSchema = z
  .object({
    id: z.number().int().openapi({ description: "Increasing: page with `after`", example: 41 }),
    occurred_at: z.string().openapi({ example: "2026-12-07T10:15:00.000Z" }),
    actor: z.string().nullable().openapi({ description: "The name of the API key (null when auth is off)", example: "ops" }),
    action: z.enum(AUDIT_ACTIONS).openapi({ example: "account.updated" }),
    subject_id: z.number().int().openapi({ description: "The account's, webhook's or model's id", example: 7 }),
    detail: z.record(z.string(), auditValueSchema).openapi({
      description: "What changed: before and after for an update; the counts of a merge; never an erased customer's name",
      example: { account_name: { before: "Acme Inc", after: "Acme, Inc." } },
    }),
  })
  .openapi("AuditRecord");

export const auditListSchema = z
  .object({
    records: z.array(auditRecordSchema),
    next_after: z.number().int().openapi({ description: "Pass as `after` for the next page", example: 41 }),
  })
  .openapi("AuditList");

export const listAuditQuerySchema = z.object({
  after: wholeNumber(0, Number.MAX_SAFE_INTEGER).default(0).openapi({ description: "Only records after this id", example: 0 }),
  limit: pageSize("Records per page", 100, 50),
});
