import { z } from "@hono/zod-openapi";
import { DEFAULT_REVENUE_WINDOW, REVENUE_MOVERS_LIMIT, REVENUE_WINDOWS } from "../domain/revenue";
import { accountIdAndName, count, money } from "./fields";
import { blankAsAbsent, shown } from "./params";
import { segmentSchema } from "./accounts";

const windowMessage = (issue: { input?: unknown }) =>
  `Expected one of ${REVENUE_WINDOWS.join(", ")} (days), not ${shown(issue.input)}`;

export const revenueQuerySchema = z.object({
  days: z
    .preprocess(
      (value) => {
        const present = blankAsAbsent(value);
        return typeof present === "string" && /^\s*\d{1,6}\s*$/.test(present) ? Number(present) : present;
      },
      z
        .literal(REVENUE_WINDOWS, { error: windowMessage })
        // The generator renders a literal of several values with the first one only.
        .openapi({ type: "integer", enum: [...REVENUE_WINDOWS] })
        .default(DEFAULT_REVENUE_WINDOW),
    )
    .openapi({
      param: { name: "days", in: "query" },
      description: `The window, in days before the book's latest metric date: ${REVENUE_WINDOWS.join(", ")}`,
      example: 90,
      default: DEFAULT_REVENUE_WINDOW,
    }),
});

const accountCountsSchema = z
  .object({
    starting: count("Accounts with ARR above 0 at the start", 30),
    new: count("Accounts behind `new_arr`", 3),
    expanded: count("Accounts behind `expansion`", 11),
    contracted: count("Accounts behind `contraction`", 6),
    churned: count("Accounts behind `churned_arr`", 2),
    unchanged: count("Accounts with the same ARR above 0 at both ends", 11),
    ending: count("Accounts with ARR above 0 at the end", 31),
  })
  .openapi("RevenueAccountCounts", { description: "How many accounts each figure stands for" });

const figureFields = {
  starting_arr: money("ARR at the start of the window (`from_date`) of the accounts that had ARR above 0 then", 11_800_000),
  new_arr: money(
    "ARR at the end (`as_of`) of the accounts that had none at the start: first reported inside the window, or back from 0",
    420_000,
  ),
  expansion: money("Sum of the increases of the accounts above 0 at both ends", 910_000),
  contraction: money("Sum of the decreases of the accounts still above 0 at the end", 260_000),
  churned_arr: money("Starting ARR of the accounts whose ARR at the end is 0", 310_000),
  ending_arr: money("ARR at the end: starting + new + expansion − contraction − churned", 12_560_000),
  nrr: z.number().nullable().openapi({
    description: "Net revenue retention: (starting + expansion − contraction − churned) ÷ starting, as a ratio with 4 " +
      "decimals (1.0288 is 102.88 %); new ARR does not count. Null when starting_arr is 0",
    example: 1.0288,
  }),
  grr: z.number().nullable().openapi({
    description: "Gross revenue retention: (starting − contraction − churned) ÷ starting, 4 decimals, at most 1; null " +
      "when starting_arr is 0",
    example: 0.9517,
  }),
  account_counts: accountCountsSchema,
};

export const revenueMoverSchema = z
  .object({
    ...accountIdAndName(12, "Initech Corp"),
    segment: segmentSchema,
    starting_arr: money("Its ARR at the start (0 when it had none)", 240_000),
    ending_arr: money("Its ARR at the end", 180_000),
    amount: money("What it adds to the movement, always > 0", 60_000),
  })
  .openapi("RevenueMover");

const moversSchema = (description: string) =>
  z.array(revenueMoverSchema).openapi({ description: `${description}; the biggest amount first (ties by id), at most ${REVENUE_MOVERS_LIMIT}` });

export const revenueSchema = z
  .object({
    days: z.number().int().openapi({ description: "The window asked for", example: 90 }),
    as_of: z.string().nullable().openapi({
      description: "The end of the window: the book's latest metric date (not today); null on an empty book",
      example: "2026-10-31",
    }),
    from_date: z.string().nullable().openapi({
      description: "The start of the window: `as_of` minus `days`; null on an empty book",
      example: "2026-08-02",
    }),
    ...figureFields,
    by_segment: z
      .array(z.object({ segment: segmentSchema, ...figureFields }).openapi("SegmentRevenue"))
      .openapi({
        description: "The same figures per segment (the account's current segment), always all three, in the order " +
          "Enterprise, Mid-Market, SMB",
      }),
    top_accounts: z
      .object({
        new_arr: moversSchema("The accounts behind `new_arr`"),
        expansion: moversSchema("The accounts behind `expansion`"),
        contraction: moversSchema("The accounts behind `contraction`"),
        churned_arr: moversSchema("The accounts behind `churned_arr`"),
      })
      .openapi("RevenueMovers", { description: "The accounts behind each movement" }),
  })
  .openapi("RevenueMovements", {
    description: "ARR movements over a window ending at the book's latest metric date, with net and gross retention",
  });

export type RevenueMovements = z.infer<typeof revenueSchema>;
