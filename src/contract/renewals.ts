import { z } from "@hono/zod-openapi";
import { accountIdAndName, count, money, perBucket } from "./fields";
import { calendarDate, wholeNumber } from "./params";
import { pageInfoFields, pageQueryFields } from "./account-list";
import { bucketSchema } from "./accounts";

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
    ...accountIdAndName(7, "Initech Corp"),
    renewal_date: z.string().openapi({ description: "YYYY-MM-DD", example: "2026-11-20" }),
    days_to_renewal: z
      .number()
      .int()
      .openapi({ description: "Days from `as_of` to the renewal date: 0 on the day itself", example: 20 }),
    arr: money("Current ARR: what renews", 300_000),
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
    accounts_renewing: count("Accounts renewing in the window (all pages)", 9),
    arr_renewing: money(
      "Their current ARR; accounts not yet scored count here but in no bucket",
      2_070_000,
    ),
    arr_renewing_by_bucket: perBucket(
      "ArrRenewingByBucket",
      "The ARR renewing in the window, by the accounts' current bucket",
      [1_250_000, 640_000, 180_000],
    ),
    arr_at_risk: money(
      "ARR renewing in the window on accounts that are not Healthy: At-Risk plus Critical (an account not yet scored " +
        "has no bucket and does not count)",
      820_000,
    ),
    ...pageInfoFields,
    accounts: z.array(renewalSchema).openapi({
      description: "This page of the renewing accounts, by renewal date (then the bigger ARR first, then id)",
    }),
  })
  .openapi("RenewalList");

export type ListRenewalsQuery = z.infer<typeof listRenewalsQuerySchema>;
export type RenewalList = z.infer<typeof renewalListSchema>;
