import { z } from "@hono/zod-openapi";
import { BUCKETS, SEGMENTS } from "../domain/types";
import { accountSchema } from "./accounts";
import { count } from "./fields";
import { blankAsAbsent, calendarDate, decimalBetween, oneOf, pageSize, wholeNumber } from "./params";

/* GET /accounts: the page of accounts, its filters and sorts, and the pagination GET /renewals shares. */

export const ACCOUNT_SORTS = ["account_name", "health_score", "arr", "health_change_30d", "renewal_date"] as const;
export type AccountSort = (typeof ACCOUNT_SORTS)[number];

export const SORT_ORDERS = ["asc", "desc"] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

export const MAX_PAGE_SIZE = 100;

/** The page of a paginated answer (GET /accounts, GET /renewals). */
export const pageInfoFields = {
  total: count("Accounts matching the filters, over all pages", 42),
  page: z.number().int().openapi({ example: 1 }),
  page_size: z.number().int().openapi({ example: 50 }),
};

export const accountListSchema = z
  .object({
    ...pageInfoFields,
    accounts: z.array(accountSchema),
  })
  .openapi("AccountList");

/** The pagination parameters of a paginated route (GET /accounts, GET /renewals). */
export const pageQueryFields = {
  page: wholeNumber(1, Number.MAX_SAFE_INTEGER)
    .default(1)
    .openapi({ description: "Page number, from 1. A page beyond the last answers an empty list with the right `total`.", example: 1 }),
  page_size: pageSize("Accounts per page", MAX_PAGE_SIZE, 50),
};

export const listAccountsQuerySchema = z
  .object({
    ...pageQueryFields,
    segment: oneOf(SEGMENTS)
      .optional()
      .openapi({ description: "Only this segment (case-insensitive; `mid_market` works too)", example: "Enterprise" }),
    region: z
      .preprocess(blankAsAbsent, z.string().trim().max(100, { error: "Expected at most 100 characters" }).optional())
      .optional()
      .openapi({ description: "Only this region (exact name, case-insensitive)", example: "North America" }),
    bucket: oneOf(BUCKETS).optional().openapi({
      description:
        "Only accounts whose current health is in this bucket (case-insensitive; `at_risk`, `at-risk` and `at risk` " +
        "all mean At-Risk). Unscored accounts never match.",
      example: "At-Risk",
    }),
    search: z
      .preprocess(blankAsAbsent, z.string().trim().max(200, { error: "Expected at most 200 characters" }).optional())
      .optional()
      .openapi({
        description: "Only accounts whose name contains this text (case-insensitive for ASCII letters; `%` and `_` are literal)",
        example: "acme",
      }),
    min_health: decimalBetween(0, 100)
      .optional()
      .openapi({ description: "Only accounts scoring at least this (0-100). Unscored accounts never match.", example: 40 }),
    max_health: decimalBetween(0, 100)
      .optional()
      .openapi({ description: "Only accounts scoring at most this (0-100). Unscored accounts never match.", example: 69.9 }),
    owner: z
      .preprocess(blankAsAbsent, z.string().trim().max(200, { error: "Expected at most 200 characters" }).optional())
      .optional()
      .openapi({
        description: "Only the accounts of this owner (exact name, case-insensitive for ASCII letters)",
        example: "Dana Scully",
      }),
    renews_before: calendarDate().openapi({
      description:
        "Only accounts whose renewal date is before this date (YYYY-MM-DD; not on it). Accounts without a renewal date " +
        "never match; past renewal dates do.",
      example: "2025-01-01",
    }),
    sort: oneOf(ACCOUNT_SORTS)
      .optional()
      .openapi({
        description:
          "Sort key. `health_change_30d` is the 30-day score change (`trend_30d.health_score_change`); " +
          "`renewal_date` the renewal date. Accounts without a value (unscored, no trend, no renewal date) come last " +
          "in both orders; ties are broken by id, ascending.",
        example: "health_score",
        default: "account_name",
      }),
    order: oneOf(SORT_ORDERS).optional().openapi({ description: "Sort direction", example: "desc", default: "asc" }),
  })
  .superRefine((query, context) => {
    if (query.min_health !== undefined && query.max_health !== undefined && query.min_health > query.max_health) {
      context.addIssue({
        code: "custom",
        path: ["min_health"],
        message: `Expected min_health (${query.min_health}) to be at most max_health (${query.max_health})`,
      });
    }
  });

export type AccountList = z.infer<typeof accountListSchema>;
export type ListAccountsQuery = z.infer<typeof listAccountsQuerySchema>;
