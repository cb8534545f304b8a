import { z } from "@hono/zod-openapi";
import { calendarDate, wholeNumber } from "./params";
import { bucketSchema, pageInfoFields, pageQueryFields } from "./accounts";

export const MAX_RENEWAL_WINDOW_DAYS = 365;
export const DEFAULT_RENEWAL_WINDOW_DAYS = 90;

export const listRenewalsQuerySchema = z.object({
  within_days: wholeNumber(1, MAX_RENEWAL_WINDOW_DAYS)
    .default(DEFAULT_RENEWAL_WINDOW_DAYS)
    .openapi({
      description: `Days after \`as_of\` the window reaches (1-${MAX_RENEWAL_WINDOW_DAYS}); a renewal on that last day is in it`,
      example: 90,
    }),
  as_of: calendarDate().openapi({
    description: "The first day of the window (YYYY-MM-DD), included; default today (UTC). Renewals before it are not listed",
    example: "2026-10-31",
  }),
  ...pageQueryFields,
});

export const renewalSchema = z
  .object({
    id: z.number().int().openapi({ example: 7 }),
    account_name: z.string().openapi({ example: "Initech Corp" }),
    renewal_date: z.string().openapi({ description: "YYYY-MM-DD", example: "2026-11-20" }),
    days_to_renewal: z
      .number()
      .int()
      .openapi({ description: "Days from `as_of` to the renewal date: 0 on the day itself", example: 20 }),
    arr: z.number().openapi({ description: "Current ARR: what renews", example: 300_000 }),
    health_score: z.number().nullable().openapi({ description: "Current health score; null until scored", example: 52.3 }),
    health_bucket: bucketSchema.nullable(),
    owner: z.string().nullable().openapi({ description: "The account's owner (CSM); null when unknown", example: "Dana Scully" }),
    risk_factors: z.array(z.string()).openapi({
      description:
        "Labels of the account's current risk factors, most severe first, as POST /actions/recommend lists them. They " +
        "are judged at the data's latest metric date, not at `as_of`: \"Renewal at risk\" is raised with high severity " +
        "for a renewal within 90 days of that date on an account that is not Healthy",
      example: ["Renewal at risk", "Low feature adoption"],
    }),
  })
  .openapi("Renewal");

export const renewalListSchema = z
  .object({
    as_of: z.string().openapi({ description: "The window's first day (today UTC unless `as_of` was given)", example: "2026-10-31" }),
    within_days: z.number().int().openapi({ example: 90 }),
    through_date: z.string().openapi({ description: "The window's last day: `as_of` + `within_days`", example: "2027-01-29" }),
    accounts_renewing: z.number().int().openapi({ description: "Accounts renewing in the window (all pages)", example: 9 }),
    arr_renewing: z.number().openapi({
      description: "Their current ARR; accounts not yet scored count here but in no bucket",
      example: 2_070_000,
    }),
    arr_renewing_by_bucket: z
      .object({
        Healthy: z.number().openapi({ example: 1_250_000 }),
        "At-Risk": z.number().openapi({ example: 640_000 }),
        Critical: z.number().openapi({ example: 180_000 }),
      })
      .openapi("ArrRenewingByBucket", { description: "The ARR renewing in the window, by the accounts' current bucket" }),
    arr_at_risk: z.number().openapi({
      description:
        "ARR renewing in the window on accounts that are not Healthy: At-Risk plus Critical (an account not yet scored " +
        "has no bucket and does not count)",
      example: 820_000,
    }),
    ...pageInfoFields,
    accounts: z.array(renewalSchema).openapi({
      description: "This page of the renewing accounts, by renewal date (then the bigger ARR first, then id)",
    }),
  })
  .openapi("RenewalList");

export type ListRenewalsQuery = z.infer<typeof listRenewalsQuerySchema>;
export type RenewalList = z.infer<typeof renewalListSchema>;
export type Renewal = z.infer<typeof renewalSchema>;
