import { accessWith, ADMIN_ACCESS, READ_ACCESS } from "../../lib/auth";
import { jsonBodyLimit } from "../../lib/body-limit";
import { conditionalRead, conditionalReadHeaders, conditionalResponses } from "../../lib/conditional-read";
import { defineRoute, jsonBody } from "../../lib/openapi";
import {
  accountMergeSchema,
  accountUpdateSchema,
  mergeAccountsBodySchema,
  updateAccountBodySchema,
} from "../../contract/account-changes";
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

const CORRECTION = accessWith(ADMIN_ACCESS, jsonBodyLimit);

export const update = defineRoute({
  method: "patch",
  path: "/accounts/{id}",
  operationId: "updateAccount",
  tag: "Accounts",
  access: CORRECTION,
  summary: "Rename an account, or change its segment or region",
  errors: ["validation_error", "not_found", "conflict", "payload_too_large"],
  request: { params: accountIdParamsSchema, body: jsonBody(updateAccountBodySchema) },
  responses: { 200: { description: "What changed", content: { "application/json": { schema: accountUpdateSchema } } } },
  description: `Corrects an account an upload got wrong. \`account_name\`: the old name is kept as an alias
(\`GET /accounts/{id}\` lists them), so a later upload that still uses it lands on this account; a name another account
holds, as its name or an alias, answers 409 (merge the two instead). \`segment\`: the account's scores are recomputed
under the new segment's DAU benchmark. \`region\`: figures by region follow at once. The portfolio figures and every
ETag follow in the same write; an upload whose latest row carries another segment or region sets it again. Recorded in
\`GET /audit\`.`,
});

export const merge = defineRoute({
  method: "post",
  path: "/accounts/{id}/merge",
  operationId: "mergeAccounts",
  tag: "Accounts",
  access: CORRECTION,
  summary: "Merge another account (a second spelling of the same customer) into this one",
  errors: ["validation_error", "not_found", "conflict", "payload_too_large"],
  request: { params: accountIdParamsSchema, body: jsonBody(mergeAccountsBodySchema) },
  responses: { 200: { description: "What the merge moved", content: { "application/json": { schema: accountMergeSchema } } } },
  description: `Moves the metric rows of \`from_account_id\` into this account; on a date both have, this account's row is
kept (\`conflicts\` counts them). Its aliases, its name (now an alias of this account, so uploads under it land here),
its events, and its renewal date and owner (when its rows are the latest) move too; then it is deleted, and this
account is rescored over its whole history, as if the book had been loaded merged. Writes an \`account.merged\` event
and an audit record. Merging an account into itself answers 409; a missing account 404.`,
});

export const remove = defineRoute({
  method: "delete",
  path: "/accounts/{id}",
  operationId: "deleteAccount",
  tag: "Accounts",
  access: ADMIN_ACCESS,
  summary: "Erase an account and everything stored about it",
  errors: ["validation_error", "not_found"],
  request: { params: accountIdParamsSchema },
  responses: { 204: { description: "Erased" } },
  description: `Erases the account (a GDPR Art. 17 request, a contract that requires deletion): its metrics, scores,
events and their webhook deliveries, cached insights and aliases. What remains is one \`account.deleted\` event holding
its id and nothing that names the customer; webhooks deliver it like any event. The portfolio figures, the revenue
statement and every ETag follow at once. The audit record keeps the id, not the name. D1 Time Travel still holds the
data for its 30 days (see the operations guide).`,
});

export type ListRoute = typeof list;
export type UpdateRoute = typeof update;
export type MergeRoute = typeof merge;
export type RemoveRoute = typeof remove;
export type GetOneRoute = typeof getOne;
