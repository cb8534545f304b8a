import { READ_ACCESS } from "../../lib/auth";
import { defineRoute } from "../../lib/openapi";
import { jsonContent } from "../../contract/problems";
import { listRenewalsQuerySchema, renewalListSchema } from "../../contract/renewals";

export const list = defineRoute({
  method: "get",
  path: "/renewals",
  operationId: "listRenewals",
  tag: "Portfolio",
  access: READ_ACCESS,
  summary: "Accounts renewing within N days, with their health and the ARR at risk",
  errors: ["validation_error"],
  request: {
    query: listRenewalsQuerySchema,
  },
  responses: {
    200: jsonContent(renewalListSchema, "The renewals in the window"),
  },
  description: `The accounts whose renewal date (the CSV's \`renewal_date\`) falls between \`as_of\` and \`as_of\` +
\`within_days\` (both days included; default 90 days), with the ARR renewing in total, per health bucket and at risk
(renewing on an At-Risk or Critical account), then one page of the accounts, by renewal date, paginated like
\`GET /accounts\` (\`page\`, \`page_size\`, \`total\`).

**Counted from today.** Renewals are calendar events, so the window starts today (UTC), or at \`as_of\` when given,
not at the data's latest metric date as the trends and \`GET /portfolio/revenue\` do. Renewal dates before \`as_of\`
are not listed; an \`as_of\` in the past shows what was renewing then, with today's health and ARR. Accounts without a
renewal date never appear.

**Cost.** The totals come from renewal figures every upload and rescore keep per date and bucket (a row per day of the
window, whatever the number of accounts; each ARR counts to the cent); the page reads its accounts through the
renewal-date index.`,
});

export type ListRoute = typeof list;
