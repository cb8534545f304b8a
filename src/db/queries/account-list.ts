import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../lib/types";
import type { AccountList, AccountSort, ListAccountsQuery, SortOrder } from "../../contract/account-list";
import { runBatch } from "../batch";
import { ACCOUNT_COLUMNS, ACCOUNT_JOINS, toAccount, type AccountRow } from "./account-rows";

// A page comes back in the API's AccountList shape: each row goes through toAccount (account-rows.ts), the one
// mapping from a stored account to the contract's Account, whose fields the columns hold one for one.

/**
 * The account list: the filters and sort are composed at run time, and each page is two statements in one batch
 * (count + page), with the latest metrics joined by primary key, never per row.
 */


/** Trusted fragments: the sort is one of ACCOUNT_SORTS, validated at the route. */
const SORT_EXPRESSIONS: Record<AccountSort, SQL> = {
  account_name: sql.raw("a.account_name COLLATE NOCASE"),
  health_score: sql.raw("a.health_score"),
  arr: sql.raw("a.arr"),
  health_change_30d: sql.raw("a.health_change_30d"),
  renewal_date: sql.raw("a.renewal_date"),
};

/** Nulls last in both directions, then id ascending, so every page boundary is stable. */
function orderByClause(sort: AccountSort, order: SortOrder): SQL {
  const expression = SORT_EXPRESSIONS[sort];
  return sql`ORDER BY ${expression} IS NULL, ${expression} ${sql.raw(order === "desc" ? "DESC" : "ASC")}, a.id ASC`;
}

/** `%`, `_` and the escape character itself are matched literally. */
function likeContaining(term: string): string {
  return `%${term.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

function whereClause(query: ListAccountsQuery): SQL {
  const conditions: SQL[] = [];
  if (query.segment !== undefined) conditions.push(sql`a.segment = ${query.segment}`);
  if (query.region !== undefined) conditions.push(sql`a.region = ${query.region} COLLATE NOCASE`);
  if (query.bucket !== undefined) conditions.push(sql`a.health_bucket = ${query.bucket}`);
  if (query.search !== undefined) conditions.push(sql`a.account_name LIKE ${likeContaining(query.search)} ESCAPE '\\'`);
  if (query.min_health !== undefined) conditions.push(sql`a.health_score >= ${query.min_health}`);
  if (query.max_health !== undefined) conditions.push(sql`a.health_score <= ${query.max_health}`);
  // COLLATE NOCASE, as accounts_owner_idx is built, so the index serves the filter.
  if (query.owner !== undefined) conditions.push(sql`a.owner = ${query.owner} COLLATE NOCASE`);
  if (query.renews_before !== undefined) conditions.push(sql`a.renewal_date < ${query.renews_before}`);
  return conditions.length > 0 ? sql`WHERE ${sql.join(conditions, sql` AND `)}` : sql``;
}

/**
 * One page of accounts and the number matching the filters, read in one batch (a consistent snapshot).
 * The page's ids are cut first, reading only the filter and sort columns (from an index where one fits), and
 * only the page's rows are then read whole and joined to their health and latest metrics.
 */
export async function listAccounts(db: Database, query: ListAccountsQuery): Promise<Pick<AccountList, "total" | "accounts">> {
  const where = whereClause(query);
  const orderBy = orderByClause(query.sort ?? "account_name", query.order ?? "asc");
  const offset = (query.page - 1) * query.page_size;
  const [counted, rows] = await runBatch(db, [
    db.get<{ total: number } | undefined>(sql`SELECT count(*) AS total FROM accounts AS a ${where}`),
    db.all<AccountRow>(sql`
      WITH page AS (SELECT a.id FROM accounts AS a ${where} ${orderBy} LIMIT ${query.page_size} OFFSET ${offset})
      SELECT ${ACCOUNT_COLUMNS} FROM page AS p JOIN accounts AS a ON a.id = p.id ${ACCOUNT_JOINS} ${orderBy}`),
  ]);
  return { total: counted?.total ?? 0, accounts: rows.map(toAccount) };
}
