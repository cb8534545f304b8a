import { accessWith, READ_ACCESS } from "../../lib/auth";
import { conditionalRead, conditionalReadHeaders, conditionalResponses } from "../../lib/conditional-read";
import { defineRoute } from "../../lib/openapi";
import { portfolioSummarySchema } from "../../contract/portfolio";
import { BOOK_TREND_WEEKS, bookTrendSchema } from "../../contract/book-trend";

export const getSummary = defineRoute({
  method: "get",
  path: "/portfolio/summary",
  operationId: "getPortfolioSummary",
  tag: "Portfolio",
  access: accessWith(READ_ACCESS, conditionalRead),
  summary: "Portfolio statistics and risk breakdown",
  request: {
    headers: conditionalReadHeaders,
  },
  responses: conditionalResponses(portfolioSummarySchema, "The portfolio summary"),
  description: `Totals, risk breakdown, ARR at risk and ARR trends of the whole portfolio, with breakdowns by segment and
region and the lowest-scoring accounts, from every account's current score and stored trends.

**Cost.** The sums are kept up to date by every upload and rescore (a few rows per segment, region and bucket), so the
summary reads about as many rows at 100,000 accounts as at 1,000; each ARR counts to the cent. The lowest accounts come
from an index of the scores under 30; a book with fewer than five accounts under 30 is sorted whole for them.

**ARR trends** are anchored, like every trend, at each account's own latest metric date (not today): \`arr_trend_30d\`
sums the accounts' 30-day ARR changes, and \`arr_trend_30d_percent\` relates it to the portfolio ARR before the change.

**Unscored accounts** (no metrics yet, or awaiting a recompute) count in \`total_accounts\`, \`total_arr\`,
\`accounts_by_segment\` and \`unscored_accounts\`, but in no bucket and in no average. An empty portfolio answers zeros,
empty lists and a null \`as_of_date\`.`,
});

export type GetSummaryRoute = typeof getSummary;

export const getTrend = defineRoute({
  method: "get",
  path: "/portfolio/trend",
  operationId: "getPortfolioTrend",
  tag: "Portfolio",
  access: accessWith(READ_ACCESS, conditionalRead),
  summary: "The book's health over about 90 days, a point a week",
  request: {
    headers: conditionalReadHeaders,
  },
  responses: conditionalResponses(bookTrendSchema, "The book's trend"),
  description: `For the book's latest metric date and each of the ${BOOK_TREND_WEEKS - 1} weeks before it: how many accounts were
scored that day in each bucket, and their ARR as of that day. An account counts on the days it has a score (an account
whose data stopped earlier is not in the later points; an account created later is not in the earlier ones).

**Cost.** Computing it reads every score of those ${BOOK_TREND_WEEKS} days, so the figures are kept with the data version
they were computed at: the first read after an upload, a rescore or a correction computes them again
(\`computed_at\` says when), every other read is one row.`,
});

export type GetTrendRoute = typeof getTrend;
