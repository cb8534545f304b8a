import { accessWith, READ_ACCESS } from "../../lib/auth";
import { conditionalRead, conditionalReadHeaders, conditionalResponses } from "../../lib/conditional-read";
import { defineRoute } from "../../lib/openapi";
import { accountListSchema, listAccountsQuerySchema } from "../../contract/account-list";
import { accountDetailSchema, accountIdParamsSchema, HISTORY_WINDOW_DAYS } from "../../contract/accounts";

export const list = defineRoute({
  method: "get",
  path: "/accounts",
  operationId: "listAccounts",
  tag: "Accounts",
  access: accessWith(READ_ACCESS, conditionalRead),
  summary: "List accounts, paginated, filtered and sorted",
  errors: ["validation_error"],
  request: {
    query: listAccountsQuerySchema,
    headers: conditionalReadHeaders,
  },
  responses: conditionalResponses(accountListSchema, "A page of accounts"),
  description: `Lists accounts with their current health, latest metrics and 30/60/90-day trends, a page at a time.

The parameters \`page\`, \`page_size\`, \`segment\`, \`region\`, \`bucket\` and the answer
(\`{total, page, page_size, accounts}\`) are those of the v1 API; \`search\`, \`min_health\`, \`max_health\`, \`owner\`,
\`renews_before\`, \`sort\` and \`order\` were added since.
Filters combine with AND; an empty filter value (\`?segment=\`) means no filter. The default order is by name
(case-insensitive), ascending. A bad parameter answers 400 with the parameter named in \`errors\`.

**Cost.** Sorted by name or by renewal date, a page reads its accounts from an index, about a page of rows whatever the
size of the book (a page deep in the list also reads the rows before it). Sorted by score ascending, the same holds
while the page lies among the accounts scoring under 30. Under \`segment\`, \`region\` and \`bucket\` filters the
index is walked while the matches are common enough, and the matches are sorted when they are few; under the other
filters, the matches are sorted. Sorted by ARR, by 30-day change or by score descending, the filtered book is sorted:
an index on a figure that every daily rescore rewrites would cost a row written per account per day. \`total\` is read from the kept portfolio figures when the filters are only \`segment\`, \`region\` and
\`bucket\`; other filters count the matching accounts.`,
});

export const getOne = defineRoute({
  method: "get",
  path: "/accounts/{id}",
  operationId: "getAccount",
  tag: "Accounts",
  access: accessWith(READ_ACCESS, conditionalRead),
  summary: "One account with its health, components, trends, history and recent metrics",
  errors: ["validation_error", "not_found"],
  request: {
    params: accountIdParamsSchema,
    headers: conditionalReadHeaders,
  },
  responses: conditionalResponses(accountDetailSchema, "The account"),
  description: `The Account shape of the list, plus \`health_history\` (score, bucket and components per date) and
\`metrics_history\` (the daily metrics), both from the latest metric date minus ${HISTORY_WINDOW_DAYS} days up to the latest
metric date, oldest first: the data behind the trends. An account without metrics has empty histories.`,
});

export type ListRoute = typeof list;
export type GetOneRoute = typeof getOne;
