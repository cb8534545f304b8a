import { z } from "@hono/zod-openapi";
import { SEGMENTS } from "../domain/types";
import { calendarDate, oneOf, positiveId } from "./params";

const dateRangeFields = {
  since: calendarDate().openapi({ description: "Only dates on or after this one (YYYY-MM-DD)", example: "2026-01-01" }),
  until: calendarDate().openapi({ description: "Only dates on or before this one (YYYY-MM-DD)", example: "2026-10-31" }),
  segment: oneOf(SEGMENTS)
    .optional()
    .openapi({ description: "Only accounts of this segment (case-insensitive; `mid_market` works too)", example: "Enterprise" }),
};

function sinceNotAfterUntil<T extends { since?: string | undefined; until?: string | undefined }>(query: T, context: z.RefinementCtx) {
  if (query.since && query.until && query.since > query.until) {
    context.addIssue({ code: "custom", path: ["since"], message: `Expected since (${query.since}) on or before until (${query.until})` });
  }
}

export const exportMetricsQuerySchema = z
  .object({
    account_id: positiveId().optional().openapi({ description: "Only this account", example: 1 }),
    ...dateRangeFields,
  })
  .superRefine(sinceNotAfterUntil);

export const exportScoresQuerySchema = z.object(dateRangeFields).superRefine(sinceNotAfterUntil);

/** A CSV file, as the export routes answer it. */
export const csvFileSchema = z.string().openapi({ format: "binary", description: "CSV text, UTF-8, CRLF line ends" });
