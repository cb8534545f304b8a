import { createRoute, z } from "@hono/zod-openapi";
import { READ_SECURITY, requireApiKey } from "../../lib/auth";
import { ACCOUNT_SORTS, HISTORY_WINDOW_DAYS, MAX_PAGE_SIZE, SORT_ORDERS } from "../../db/queries/accounts";
import { BUCKETS, SEGMENTS } from "../../domain/types";
import { jsonContent, problemResponses } from "../../lib/openapi";
import { shown, wholeNumber } from "../../lib/params";
import { accountDetailSchema, accountListSchema } from "./accounts.schemas";

/** Clients of the original send empty filters (`?segment=`) to mean "no filter". */
function blankAsAbsent(value: unknown): unknown {
  return typeof value === "string" && value.trim() === "" ? undefined : value;
}

/** Case- and separator-insensitive, as the CSV's segment column: "at_risk", "AT-RISK", "at risk", "atrisk". */
function nameKey(value: string): string {
  return value.toLowerCase().replace(/[\s_-]/g, "");
}

function oneOf<const T extends readonly [string, ...string[]]>(names: T) {
  const byKey = new Map<string, T[number]>(names.map((name) => [nameKey(name), name]));
  return z.preprocess(
    (value) => {
      const present = blankAsAbsent(value);
      return typeof present === "string" ? (byKey.get(nameKey(present)) ?? present) : present;
    },
    z
      .enum(names, { error: (issue) => `Expected one of ${names.join(", ")} (case-insensitive), not ${shown(issue.input)}` })
      .optional(),
  );
}

function decimalBetween(min: number, max: number) {
  const message = (issue: { input?: unknown }) => `Expected a number from ${min} to ${max}, not ${shown(issue.input)}`;
  return z.preprocess(
    (value) => {
      const present = blankAsAbsent(value);
      return typeof present === "string" && /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(present) ? Number(present) : present;
    },
    z.number({ error: message }).min(min, { error: message }).max(max, { error: message }).optional(),
  );
}

export const listAccountsQuerySchema = z
  .object({
    page: wholeNumber(1, Number.MAX_SAFE_INTEGER)
      .default(1)
      .openapi({ description: "Page number, from 1. A page beyond the last answers an empty list with the right `total`.", example: 1 }),
    page_size: wholeNumber(1, MAX_PAGE_SIZE)
      .default(50)
      .openapi({ description: `Accounts per page, 1-${MAX_PAGE_SIZE}`, example: 50 }),
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
    sort: oneOf(ACCOUNT_SORTS)
      .optional()
      .openapi({
        description:
          "Sort key. `health_change_30d` is the 30-day score change (`trend_30d.health_score_change`). " +
          "Accounts without a value (unscored, no trend) come last in both orders; ties are broken by id, ascending.",
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

export type ListAccountsQuery = z.infer<typeof listAccountsQuerySchema>;

export const accountIdParamsSchema = z.object({
  id: wholeNumber(1, Number.MAX_SAFE_INTEGER).openapi({
    param: { name: "id", in: "path" },
    description: "Account id (a positive whole number)",
    example: 7,
  }),
});

const LIST_DESCRIPTION = `Lists accounts with their current health, latest metrics and 30/60/90-day trends, a page at a time.

The original product's parameters (\`page\`, \`page_size\`, \`segment\`, \`region\`, \`bucket\`) and answer
(\`{total, page, page_size, accounts}\`) are kept; \`search\`, \`min_health\`, \`max_health\`, \`sort\` and \`order\` are ours.
Filters combine with AND; an empty filter value (\`?segment=\`) means no filter. The default order is by name
(case-insensitive), ascending. A bad parameter answers 400 with the parameter named in \`errors\`.`;

export const listAccounts = createRoute({
  method: "get",
  path: "/accounts",
  tags: ["Accounts"],
  security: READ_SECURITY,
  middleware: [requireApiKey("read")] as const,
  summary: "List accounts, paginated, filtered and sorted",
  description: LIST_DESCRIPTION,
  request: { query: listAccountsQuerySchema },
  responses: {
    200: jsonContent(accountListSchema, "A page of accounts"),
    ...problemResponses("validation_error", "unauthorized", "service_unavailable"),
  },
});

export const getAccount = createRoute({
  method: "get",
  path: "/accounts/{id}",
  tags: ["Accounts"],
  security: READ_SECURITY,
  middleware: [requireApiKey("read")] as const,
  summary: "One account with its health, components, trends, history and recent metrics",
  description: `The Account shape of the list, plus \`health_history\` (score, bucket and components per date) and
\`metrics_history\` (the daily metrics), both from the latest metric date minus ${HISTORY_WINDOW_DAYS} days up to the latest
metric date, oldest first: the data behind the trends. An account without metrics has empty histories.`,
  request: { params: accountIdParamsSchema },
  responses: {
    200: jsonContent(accountDetailSchema, "The account"),
    ...problemResponses("validation_error", "not_found", "unauthorized", "service_unavailable"),
  },
});
