import type { Account } from "../contract/accounts";
import { ACCOUNT_SORTS, type ListAccountsQuery } from "../contract/account-list";
import { BUCKETS, SEGMENTS } from "../domain/types";
import { formatCount, formatMoney } from "../domain/format";
import { raw } from "hono/html";
import { listAccounts } from "../db/queries/account-list";
import { recentScores } from "../db/queries/score-sparklines";
import { sparkline } from "./charts";
import { listAccountsQuerySchema } from "../contract/account-list";
import { fieldErrorsOf } from "../lib/create-router";
import { conditionalRead } from "../lib/conditional-read";
import { requireViewer, type ConsoleApp, type Viewer } from "./access";
import { FilterProblems, Layout } from "./layout";

/**
 * The accounts page (/app/accounts): GET /accounts as a page. The filters are a GET form, so the query stays in the
 * URL (linkable, back and forward work) and the page needs no script; the same query schema parses it.
 */

export interface AccountsView {
  /** The raw query values, to fill the form back in. */
  values: Record<string, string>;
  query: ListAccountsQuery | null;
  /** Why the query was refused (the API's 400 messages), when it was. */
  problems: string[];
  total: number;
  accounts: Account[];
  /** Each listed account's scores over the last SPARKLINE_DAYS days up to its latest metric date, oldest first. */
  recent: ReadonlyMap<number, readonly (number | null)[]>;
}

const SPARKLINE_DAYS = 30;

const SORT_LABELS: Record<(typeof ACCOUNT_SORTS)[number], string> = {
  account_name: "Name",
  health_score: "Health score",
  arr: "ARR",
  health_change_30d: "30-day change",
  renewal_date: "Renewal date",
};

const TONES: Record<string, string> = { Healthy: "healthy", "At-Risk": "at-risk", Critical: "critical" };

function Choice(props: { name: string; label: string; options: readonly string[]; labels?: Record<string, string>; value: string | undefined }) {
  return (
    <label>
      {props.label}
      <select name={props.name}>
        <option value="">Any</option>
        {props.options.map((option) => (
          <option value={option} selected={props.value === option}>
            {props.labels?.[option] ?? option}
          </option>
        ))}
      </select>
    </label>
  );
}

function pageLink(values: Record<string, string>, page: number): string {
  return `/app/accounts?${new URLSearchParams({ ...values, page: String(page) }).toString()}`;
}

export function AccountsPage(props: { viewer: Viewer; view: AccountsView }) {
  const { values, query, problems, total, accounts, recent } = props.view;
  const page = query?.page ?? 1;
  const pageSize = query?.page_size ?? 50;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <Layout title="Accounts" viewer={props.viewer}>
      <h1>Accounts</h1>
      <form class="filters" method="get" action="/app/accounts" role="search">
        <label>
          Search
          <input type="search" name="search" value={values.search ?? ""} />
        </label>
        <Choice name="bucket" label="Health" options={BUCKETS} value={values.bucket} />
        <Choice name="segment" label="Segment" options={SEGMENTS} value={values.segment} />
        <label>
          Owner
          <input type="text" name="owner" value={values.owner ?? ""} />
        </label>
        <label>
          Renews before
          <input type="date" name="renews_before" value={values.renews_before ?? ""} />
        </label>
        <Choice name="sort" label="Sort by" options={ACCOUNT_SORTS} labels={SORT_LABELS} value={values.sort} />
        <Choice name="order" label="Order" options={["asc", "desc"]} labels={{ asc: "Ascending", desc: "Descending" }} value={values.order} />
        <button type="submit">Apply</button>
      </form>
      {problems.length > 0 ? (
        <FilterProblems problems={problems} />
      ) : (
        <>
          <p class="as-of">
            {formatCount(total)} accounts · page {page} of {pages}
          </p>
          {accounts.length === 0 ? (
            <p class="empty">No account matches.</p>
          ) : (
            <div class="table-scroll" tabindex={0} role="region" aria-label="Accounts">
            <table>
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col">Segment</th>
                  <th scope="col" class="number">
                    Score
                  </th>
                  <th scope="col">Last {SPARKLINE_DAYS} days</th>
                  <th scope="col">Health</th>
                  <th scope="col" class="number">
                    30-day change
                  </th>
                  <th scope="col" class="number">
                    ARR
                  </th>
                  <th scope="col">Owner</th>
                  <th scope="col">Renewal</th>
                </tr>
              </thead>
              <tbody>
                {accounts.map((account) => (
                  <tr>
                    <td>
                      <a href={`/app/accounts/${account.id}`}>{account.account_name}</a>
                    </td>
                    <td>{account.segment}</td>
                    <td class="number">{account.health_score?.toFixed(1) ?? "–"}</td>
                    <td>{raw(sparkline(recent.get(account.id) ?? [], `Health score of ${account.account_name}, last ${SPARKLINE_DAYS} days`))}</td>
                    <td class={`bucket ${TONES[account.health_bucket ?? ""] ?? ""}`}>{account.health_bucket ?? "Not scored"}</td>
                    <td class="number">{account.trend_30d?.health_score_change?.toFixed(1) ?? "–"}</td>
                    <td class="number">{formatMoney(account.arr)}</td>
                    <td>{account.owner ?? "–"}</td>
                    <td>{account.renewal_date ?? "–"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            </div>
          )}
          <nav class="pager" aria-label="Pages">
            {page > 1 && <a href={pageLink(values, page - 1)}>Previous page</a>}
            {page < pages && <a href={pageLink(values, page + 1)}>Next page</a>}
          </nav>
        </>
      )}
    </Layout>
  );
}

export function registerAccountsPage(pages: ConsoleApp) {
  pages.get("/app/accounts", requireViewer, conditionalRead, async (c) => {
    const values = Object.fromEntries(
      Object.entries(c.req.query()).filter(([name, value]) => name !== "page" && value.trim() !== ""),
    );
    const parsed = listAccountsQuerySchema.safeParse(c.req.query());
    if (!parsed.success) {
      const problems = fieldErrorsOf(parsed.error).map((error) => `${error.field}: ${error.message}`);
      c.status(400);
      return c.html(<AccountsPage viewer={c.get("viewer")} view={{ values, query: null, problems, total: 0, accounts: [], recent: new Map() }} />);
    }
    const { total, accounts } = await listAccounts(c.get("db"), parsed.data);
    const recent = await recentScores(c.get("db"), accounts, SPARKLINE_DAYS);
    return c.html(<AccountsPage viewer={c.get("viewer")} view={{ values, query: parsed.data, problems: [], total, accounts, recent }} />);
  });
}
