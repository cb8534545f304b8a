import { REVENUE_MOVERS_LIMIT } from "../../domain/revenue";
import { accessWith, READ_ACCESS } from "../../lib/auth";
import { conditionalRead, conditionalReadHeaders, conditionalResponses } from "../../lib/conditional-read";
import { defineRoute } from "../../lib/openapi";
import { revenueQuerySchema, revenueSchema } from "../../contract/revenue";

export const getRevenue = defineRoute({
  method: "get",
  path: "/portfolio/revenue",
  operationId: "getRevenueMovements",
  tag: "Portfolio",
  // Derived from stored data only (anchored to it, not to today), so the data version names the answer.
  access: accessWith(READ_ACCESS, conditionalRead),
  summary: "ARR movements, net and gross revenue retention",
  errors: ["validation_error"],
  request: {
    query: revenueQuerySchema,
    headers: conditionalReadHeaders,
  },
  responses: conditionalResponses(revenueSchema, "The revenue movements"),
  description: `Starting, new, expansion, contraction, churned and ending ARR and NRR / GRR over the last \`days\`
(30, 90, 180 or 365; default 90), for the book and per segment, with the ${REVENUE_MOVERS_LIMIT} biggest accounts
behind each movement. Computed in D1 from the ARR each account reports in its metric rows.

**Anchored to the data**, like the trends: the window ends at the book's latest metric date D (\`as_of\`) and starts
at D − \`days\` (\`from_date\`), so a historical upload shows real movements. An account's ARR at a date is its latest
reported ARR at or before that date: an account that stopped reporting keeps its last ARR.

**Movements** compare each account's ARR at the two ends only: an account above 0 at both ends expanded, contracted or
stayed the same (whatever it did in between, going to 0 and back included); one with ARR at the start and 0 at the end
churned; one with none at the start (not yet reported, or 0) and some at the end is new ARR. NRR and GRR are null when
the starting ARR is 0, as on an empty book or one whose data starts inside the window (every account is then new).

**Cost.** Each window's answer is kept: the rescore that follows an upload recomputes it once, so a request reads a
few dozen rows whatever the size of the book. While an upload or its rescore is still running (or one was cut off and
the next upload or the daily cron has not yet finished it), the answer is computed from the accounts instead: the same
figures, read from every account with metrics.`,
});

export type GetRevenueRoute = typeof getRevenue;
