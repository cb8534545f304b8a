import { z } from "@hono/zod-openapi";
import { perBucket } from "./fields";

/** The trend's points: the book's latest date and each week before it, back 12 weeks (84 days). */
export const BOOK_TREND_WEEKS = 13;

export const bookTrendPointSchema = z
  .object({
    date: z.string().openapi({ description: "The day (the book's latest metric date minus a whole number of weeks)", example: "2026-11-27" }),
    accounts: perBucket("BookTrendAccounts", "Accounts scored that day, by the bucket of their score that day", [31, 9, 4]),
    arr: perBucket("BookTrendArr", "Their ARR as of that day, by bucket", [9_850_000, 1_720_000, 310_000]),
  })
  .openapi("BookTrendPoint");

export const bookTrendSchema = z
  .object({
    as_of: z.string().nullable().openapi({ description: "The book's latest metric date; null on an empty book", example: "2026-12-04" }),
    points: z.array(bookTrendPointSchema).openapi({
      description: `One point a week, oldest first: the book's latest metric date and the ${BOOK_TREND_WEEKS - 1} weeks before it. A week no account was scored on has zeros.`,
    }),
    computed_at: z.string().openapi({
      description: "When these figures were computed (they are computed again after any write, on the next read)",
      example: "2026-12-07T20:30:00.000Z",
    }),
  })
  .openapi("BookTrend", { description: "How the book's health moved over about 90 days: accounts and ARR per bucket, a point a week" });

export type BookTrend = z.infer<typeof bookTrendSchema>;
export type BookTrendPoint = z.infer<typeof bookTrendPointSchema>;
