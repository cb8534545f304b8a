import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../lib/types";
import type { AccountList, AccountSort, ListAccountsQuery, SortOrder } from "../../contract/account-list";
import { runBatch } from "../batch";
import { LOW_SCORE_INDEX_BELOW } from "../schema";
import { ACCOUNT_COLUMNS, ACCOUNT_JOINS, toAccount, type AccountRow } from "./account-rows";

// A page comes back in the API's AccountList shape: each row goes through toAccount (account-rows.ts), the one
// mapping from a stored account to the contract's Account, whose fields the columns hold one for one.

/**
 * The account list: the filters and sort are composed at run time, and each page is two statements in one batch
 * (count + page), with the latest metrics joined by primary key, never per row.
 *
 * What a page reads (docs/performance.md): the name and renewal-date sorts walk an index in their order and stop after
 * the page; the score sort, ascending, walks accounts_low_score_idx while the page lies among the scores under its
 * bound; the other sorts (ARR, the 30-day change, the score descending) sort the filtered book, because an index on a
 * column every daily rescore rewrites would cost D1 a row written per account per day. The count comes from the kept
 * portfolio_groups when the filters are only segment, region and bucket; other filters count the matching accounts.
 */

interface SortPlan {
  /** The sort key, as the ORDER BY reads it. */
  key: string;
  /** The column whose NULLs come last. */
  column: string;
  /** How the walked index orders it: by it (both directions), or, for the score, its low scores ascending only. */
  index: "key" | "low-scores" | null;
  nullable: boolean;
}

/** Trusted fragments: the sort is one of ACCOUNT_SORTS, validated at the route. */
const SORT_PLANS: Record<AccountSort, SortPlan> = {
  account_name: { key: "a.account_name COLLATE NOCASE", column: "a.account_name", index: "key", nullable: false },
  renewal_date: { key: "a.renewal_date", column: "a.renewal_date", index: "key", nullable: true },
  health_score: { key: "a.health_score", column: "a.health_score", index: "low-scores", nullable: true },
  arr: { key: "a.arr", column: "a.arr", index: null, nullable: false },
  health_change_30d: { key: "a.health_change_30d", column: "a.health_change_30d", index: null, nullable: true },
};

const direction = (order: SortOrder) => sql.raw(order === "desc" ? "DESC" : "ASC");

/** Nulls last in both directions, then id ascending, so every page boundary is stable. */
function orderByClause(plan: SortPlan, order: SortOrder): SQL {
  const key = sql.raw(plan.key);
  return sql`ORDER BY ${sql.raw(plan.column)} IS NULL, ${key} ${direction(order)}, a.id ASC`;
}

/** `%`, `_` and the escape character itself are matched literally. */
function likeContaining(term: string): string {
  return `%${term.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/** The filters that portfolio_groups holds as columns, on the table aliased `alias` (its columns have the same names). */
function groupConditions(query: ListAccountsQuery, alias: string): SQL[] {
  const on = (column: string) => sql.raw(`${alias}.${column}`);
  const conditions: SQL[] = [];
  if (query.segment !== undefined) conditions.push(sql`${on("segment")} = ${query.segment}`);
  if (query.region !== undefined) conditions.push(sql`${on("region")} = ${query.region} COLLATE NOCASE`);
  if (query.bucket !== undefined) conditions.push(sql`${on("health_bucket")} = ${query.bucket}`);
  return conditions;
}

/** The filters that portfolio_groups does not hold, on accounts aliased `a`. */
function otherConditions(query: ListAccountsQuery): SQL[] {
  const conditions: SQL[] = [];
  if (query.search !== undefined) conditions.push(sql`a.account_name LIKE ${likeContaining(query.search)} ESCAPE '\\'`);
  if (query.min_health !== undefined) conditions.push(sql`a.health_score >= ${query.min_health}`);
  if (query.max_health !== undefined) conditions.push(sql`a.health_score <= ${query.max_health}`);
  // COLLATE NOCASE, as accounts_owner_idx is built, so the index serves the filter.
  if (query.owner !== undefined) conditions.push(sql`a.owner = ${query.owner} COLLATE NOCASE`);
  if (query.renews_before !== undefined) conditions.push(sql`a.renewal_date < ${query.renews_before}`);
  return conditions;
}

function where(conditions: readonly SQL[]): SQL {
  return conditions.length > 0 ? sql`WHERE ${sql.join([...conditions], sql` AND `)}` : sql``;
}

/** The number of accounts the filters match: summed from portfolio_groups when they are its columns only. */
function countStatement(query: ListAccountsQuery): SQL {
  const others = otherConditions(query);
  if (others.length === 0) {
    return sql`SELECT coalesce(sum(g.accounts), 0) AS total FROM portfolio_groups AS g ${where(groupConditions(query, "g"))}`;
  }
  return sql`SELECT count(*) AS total FROM accounts AS a ${where([...groupConditions(query, "a"), ...others])}`;
}

/**
 * The ids of the page, in order. An index walk reads at most `offset + page_size` entries per part: the accounts with a
 * value in the index's order, then those without, in id order; the two parts are merged and cut.
 */
function pageIdsStatement(query: ListAccountsQuery, plan: SortPlan, order: SortOrder): SQL {
  const filters = [...groupConditions(query, "a"), ...otherConditions(query)];
  const offset = (query.page - 1) * query.page_size;
  const reach = offset + query.page_size;
  const key = sql.raw(plan.key);
  const column = sql.raw(plan.column);
  const cut = sql`ORDER BY unset, sort_value ${direction(order)}, id LIMIT ${query.page_size} OFFSET ${offset}`;
  const withoutValue = sql`SELECT * FROM (SELECT a.id, 1 AS unset, NULL AS sort_value FROM accounts AS a
      ${where([...filters, sql`${column} IS NULL`])} ORDER BY a.id LIMIT ${reach})`;
  if (plan.index === "key") {
    const withValue = sql`SELECT * FROM (SELECT a.id, 0 AS unset, ${key} AS sort_value FROM accounts AS a
      ${where([...filters, sql`${column} IS NOT NULL`])} ORDER BY ${key} ${direction(order)}, a.id LIMIT ${reach})`;
    return sql`SELECT id FROM (${withValue}${plan.nullable ? sql` UNION ALL ${withoutValue}` : sql``}) ${cut}`;
  }
  if (plan.index === "low-scores" && order === "asc") {
    const below = sql.raw(String(LOW_SCORE_INDEX_BELOW));
    // The rest of the book is sorted only when fewer than `reach` accounts match under the bound (a constant
    // condition, evaluated once).
    const lowScores = sql`SELECT * FROM (SELECT a.id, 0 AS unset, a.health_score AS sort_value
      FROM accounts AS a INDEXED BY accounts_low_score_idx ${where([...filters, sql`a.health_score < ${below}`])}
      ORDER BY a.health_score, a.id LIMIT ${reach})`;
    const enoughLow = sql`(SELECT count(*) FROM (SELECT 1 FROM accounts AS a
      ${where([...filters, sql`a.health_score < ${below}`])} LIMIT ${reach})) < ${reach}`;
    const rest = sql`SELECT * FROM (SELECT a.id, a.health_score IS NULL AS unset, a.health_score AS sort_value
      FROM accounts AS a ${where([...filters, sql`(a.health_score >= ${below} OR a.health_score IS NULL)`, enoughLow])}
      ORDER BY a.health_score IS NULL, a.health_score, a.id LIMIT ${reach})`;
    return sql`SELECT id FROM (${lowScores} UNION ALL ${rest}) ${cut}`;
  }
  return sql`SELECT a.id FROM accounts AS a ${where(filters)} ${orderByClause(plan, order)}
    LIMIT ${query.page_size} OFFSET ${offset}`;
}

/**
 * One page of accounts and the number matching the filters, read in one batch (a consistent snapshot).
 * The page's ids are cut first, reading only the filter and sort columns (from an index where one fits), and
 * only the page's rows are then read whole and joined to their health and latest metrics.
 */
export async function listAccounts(db: Database, query: ListAccountsQuery): Promise<Pick<AccountList, "total" | "accounts">> {
  const plan = SORT_PLANS[query.sort ?? "account_name"];
  const order = query.order ?? "asc";
  const [counted, rows] = await runBatch(db, [
    db.get<{ total: number } | undefined>(countStatement(query)),
    db.all<AccountRow>(sql`
      WITH page AS (${pageIdsStatement(query, plan, order)})
      SELECT ${ACCOUNT_COLUMNS} FROM page AS p JOIN accounts AS a ON a.id = p.id ${ACCOUNT_JOINS} ${orderByClause(plan, order)}`),
  ]);
  return { total: counted?.total ?? 0, accounts: rows.map(toAccount) };
}
