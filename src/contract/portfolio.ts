import { z } from "@hono/zod-openapi";
import { accountIdAndName, count, money, perBucket } from "./fields";
import { bucketSchema, segmentSchema } from "./accounts";

/** How many of the lowest-scoring accounts the summary lists. */
export const LOWEST_ACCOUNTS_LIMIT = 5;

const groupFields = {
  accounts: count("Accounts in the group", 14),
  arr: money("Their total current ARR", 5_400_000),
  avg_health_score: z
    .number()
    .nullable()
    .openapi({ description: "Mean current score of the group's scored accounts (one decimal); null when none is scored", example: 66.2 }),
};

/** The few account fields a summary lists (e.g. the lowest-scoring accounts of the portfolio). */
export const accountBriefSchema = z
  .object({
    ...accountIdAndName(12, "SmartBiz Co"),
    health_score: z.number().openapi({ example: 23.6 }),
    health_bucket: bucketSchema,
    arr: z.number().openapi({ example: 25000 }),
  })
  .openapi("AccountBrief");

export const portfolioSummarySchema = z
  .object({
    total_accounts: count("All accounts", 42),
    total_arr: money("Sum of every account's current ARR", 12_450_000),
    arr_by_bucket: perBucket("ArrByBucket", "Current ARR of the scored accounts in each bucket", [
      8_100_000, 3_200_000, 1_150_000,
    ]),
    risk_breakdown: perBucket(
      "RiskBreakdown",
      "Share of the scored accounts in each bucket, in percent with one decimal (0 for every bucket when none is scored)",
      [57.1, 28.6, 14.3],
    ),
    arr_trend_30d: money(
      "Change of total ARR over 30 days: the sum of every account's `trend_30d.arr_change` (its ARR at its latest " +
        "metric date minus its ARR 30 days before). Accounts without a 30-day trend add nothing.",
      84_000,
    ),
    arr_trend_90d: money("The same over 90 days (`trend_90d.arr_change`)", 213_500),
    avg_health_score: z.number().openapi({
      description: "Mean current score of the scored accounts (one decimal); 0 when no account is scored",
      example: 64.8,
    }),
    accounts_by_segment: z
      .object({
        Enterprise: z.number().int().openapi({ example: 12 }),
        "Mid-Market": z.number().int().openapi({ example: 14 }),
        SMB: z.number().int().openapi({ example: 16 }),
      })
      .openapi("AccountsBySegment", { description: "Accounts per segment; every segment is present" }),
    arr_trend_30d_percent: z.number().nullable().openapi({
      description:
        "`arr_trend_30d` as a percentage of the portfolio's ARR before it (`total_arr − arr_trend_30d`), two decimals; " +
        "0 when nothing changed, null when that earlier ARR is zero",
      example: 0.68,
    }),
    arr_trend_90d_percent: z
      .number()
      .nullable()
      .openapi({ description: "`arr_trend_90d` as a percentage, defined as for 30 days", example: 1.74 }),
    arr_at_risk: money("Current ARR of At-Risk and Critical accounts", 4_350_000),
    accounts_by_bucket: perBucket("AccountsByBucket", "Scored accounts in each bucket", [24, 12, 6]),
    scored_accounts: count("Accounts with a current score", 42),
    unscored_accounts: count("Accounts without a score yet (no metrics, or not recomputed)", 0),
    by_segment: z
      .array(z.object({ segment: segmentSchema, ...groupFields }).openapi("SegmentSummary"))
      .openapi({ description: "Per segment, always all three, in the order Enterprise, Mid-Market, SMB" }),
    by_region: z
      .array(
        z
          .object({ region: z.string().openapi({ example: "North America" }), ...groupFields })
          .openapi("RegionSummary"),
      )
      .openapi({ description: "Per region present in the data, by name" }),
    trend_counts: z
      .object({
        improving: z.number().int().openapi({ example: 11 }),
        stable: z.number().int().openapi({ example: 23 }),
        declining: z.number().int().openapi({ example: 6 }),
        unknown: count("Accounts without a 30-day trend (fewer than 2 dates of data in the window)", 2),
      })
      .openapi("TrendCounts", { description: "Accounts by the engagement trend of their `trend_30d`" }),
    stale_accounts: count(
      "Accounts whose scores are behind their metrics (their rescore is queued, failed or was cut off, or the health " +
        "configuration changed since they were scored): their health is not yet current. 0 on an up-to-date book",
      0,
    ),
    lowest_accounts: z.array(accountBriefSchema).openapi({
      description: `The ${LOWEST_ACCOUNTS_LIMIT} lowest-scoring accounts, lowest first (ties: higher ARR first)`,
    }),
    as_of_date: z.string().nullable().openapi({
      description: "The latest metric date of any account; null when there is no data",
      example: "2024-10-03",
    }),
    renewals_next_90_days: z
      .object({
        accounts: count("Accounts whose renewal date is in the window", 9),
        arr: money("Their current ARR", 2_070_000),
        arr_at_risk: money(
          "The part of it on accounts that are not Healthy: At-Risk plus Critical (unscored accounts are in no bucket)",
          820_000,
        ),
      })
      .openapi("RenewalsSummary", {
        description:
          "Renewals from today (UTC) to today + 90 days, both included: calendar events, counted from today rather " +
          "than from `as_of_date` (GET /renewals lists them, and takes another window or start)",
      }),
  })
  .openapi("PortfolioSummary", {
    description:
      "The fields `total_accounts` to `accounts_by_segment` are those of the v1 API, unchanged; the rest were added " +
      "since. Figures use each account's current health: the score of its latest metric date.",
  });

export type AccountBrief = z.infer<typeof accountBriefSchema>;
export type PortfolioSummary = z.infer<typeof portfolioSummarySchema>;
