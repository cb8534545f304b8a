import { z } from "@hono/zod-openapi";
import { CONTROL_CHARACTER } from "../domain/text";
import { SEGMENTS } from "../domain/types";
import { oneOf, positiveId } from "./params";


/** Text as an upload stores it: NFC-normalised and trimmed, not empty, no control characters, at most `max` characters. */
function cleanText(max: number, example: string) {
  return z
    .string()
    .transform((value) => value.normalize("NFC").trim())
    .pipe(
      z
        .string()
        .min(1, { error: "Expected a name, not an empty string" })
        .max(max, { error: `Expected at most ${max} characters` })
        .refine((value) => !CONTROL_CHARACTER.test(value), { error: "Expected no control characters (tabs, line breaks)" }),
    )
    .openapi({ example });
}

export const updateAccountBodySchema = z
  .object({
    account_name: cleanText(200, "Acme, Inc.").optional().openapi({
      description: "The new name; the old one becomes an alias, so uploads that still use it land on this account",
    }),
    segment: oneOf(SEGMENTS).optional().openapi({ description: "The new segment (rescores the account's history)", example: "Enterprise" }),
    region: cleanText(100, "EMEA").optional().openapi({ description: "The new region" }),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    error: "Expected at least one of account_name, segment, region",
  })
  .openapi("UpdateAccount");

const fieldChange = z.object({ before: z.string(), after: z.string() });

export const accountUpdateSchema = z
  .object({
    changed: z
      .object({ account_name: fieldChange.optional(), segment: fieldChange.optional(), region: fieldChange.optional() })
      .openapi({ description: "What changed, before and after (empty when the body repeated the account's values)" }),
    rescore_job_id: z.number().int().nullable().openapi({
      description: "The queued job rescoring the book's stale accounts after a new segment, when too big to run at once",
      example: null,
    }),
  })
  .openapi("AccountUpdate");

export const mergeAccountsBodySchema = z
  .object({ from_account_id: positiveId().openapi({ description: "The account to merge into this one (then deleted)", example: 12 }) })
  .openapi("MergeAccounts");

export const accountMergeSchema = z
  .object({
    account_id: z.number().int().openapi({ example: 7 }),
    from_account_id: z.number().int().openapi({ example: 12 }),
    metrics_moved: z.number().int().openapi({ description: "Its metric rows moved over", example: 85 }),
    conflicts: z
      .number()
      .int()
      .openapi({ description: "Its dates this account already had: this account's rows were kept there", example: 5 }),
    rescore_job_id: z.number().int().nullable().openapi({ description: "The queued rescore, when too big to run at once", example: null }),
  })
  .openapi("AccountMerge");
