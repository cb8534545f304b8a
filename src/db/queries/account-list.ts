import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../lib/types";
import type { AccountList, AccountSort, ListAccountsQuery, SortOrder } from "../../contract/account-list";
import { runBatch } from "../batch";
import { LOW_SCORE_INDEX_BELOW } from "../schema";
import { ACCOUNT_COLUMNS, ACCOUNT_JOINS, toAccount, type AccountRow } from "./account-rows";

// A page comes back in the API's AccountList shape: each row goes through toAccount (account-rows.ts), the one
// mapping from a stored account to the contract's Account, whose fields the columns hold one for one.

/**
 * The account list: the filters and sort are composed at run time; a page is the count and the page's accounts in one
 * batch (a second statement when the page reaches the sort's tail), with the latest metrics joined by primary key.
 *
 * What a page reads (docs/performance.md): the name and renewal-date sorts walk an index in their order and stop after
 * the page; the score sort, ascending, walks accounts_low_score_idx while the page lies among the scores under its
 * bound; under segment, region and bucket filters they walk while the matches are common enough (headAccess). The
 * other sorts (ARR, the 30-day change, the score descending) sort the filtered book, because an index on a column
 * every daily rescore rewrites would cost D1 a row written per account per day. The count comes from the kept
 * account_counts when the filters are only segment, region and bucket; other filters count the matching accounts.
 */

/**
 * A part of the accounts in the sort's order: those `where` selects, ordered by `orderBy`; `index` names the index
 * that holds them in that order, when one does.
 */
interface SortPart {
  where: string;
  orderBy: (order: SortOrder) => string;
  index?: (order: SortOrder) => string;
}

const inOrder = (ascending: string, descending: string) => (order: SortOrder) => (order === "desc" ? descending : ascending);

/**
 * The accounts in a sort's order: its `head`, then its `tail` (nulls last in both directions, then id ascending, so
 * every page boundary is stable). A sort that walks an index has the key's NULLs as its tail (and the score, the
 * scores from LOW_SCORE_INDEX_BELOW up); a sort that does not is all head.
 */
interface SortPlan {
  head: SortPart;
  tail: SortPart | null;
}

const byKey = (key: string) => (order: SortOrder) => `${key} ${order === "desc" ? "DESC" : "ASC"}, a.id ASC`;
const nullsLast = (column: string) => (order: SortOrder) => `${column} IS NULL, ${byKey(column)(order)}`;

/** Trusted fragments: the sort is one of ACCOUNT_SORTS, validated at the route. */
function sortPlan(sort: AccountSort, order: SortOrder): SortPlan {
  switch (sort) {
    case "account_name":
      return {
        head: {
          where: "true",
          orderBy: byKey("a.account_name COLLATE NOCASE"),
          index: inOrder("accounts_name_nocase_idx", "accounts_name_nocase_desc_idx"),
        },
        tail: null,
      };
    case "renewal_date":
      return {
        head: {
          where: "a.renewal_date IS NOT NULL",
          orderBy: byKey("a.renewal_date"),
          index: inOrder("accounts_renewal_idx", "accounts_renewal_desc_idx"),
        },
        // The NULLs of accounts_renewal_idx are in id order.
        tail: { where: "a.renewal_date IS NULL", orderBy: () => "a.id", index: () => "accounts_renewal_idx" },
      };
    case "health_score":
      if (order === "asc") {
        // The low scores from their index, then a sort of the rest of the book.
        const below = String(LOW_SCORE_INDEX_BELOW);
        return {
          head: { where: `a.health_score < ${below}`, orderBy: byKey("a.health_score"), index: () => "accounts_low_score_idx" },
          tail: { where: `(a.health_score >= ${below} OR a.health_score IS NULL)`, orderBy: nullsLast("a.health_score") },
        };
      }
      return { head: { where: "true", orderBy: nullsLast("a.health_score") }, tail: null };
    // A sort of the filtered book: no index holds these.
    case "arr":
      return { head: { where: "true", orderBy: byKey("a.arr") }, tail: null };
    case "health_change_30d":
      return {
        head: { where: "true", orderBy: nullsLast("a.health_change_30d") },
        tail: null,
      };
  }
}

/** `%`, `_` and the escape character itself are matched literally. */
function likeContaining(term: string): string {
  return `%${term.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/** The filters account_counts holds as columns, on the table aliased `alias` (its columns have the same names). */
function groupConditions(query: ListAccountsQuery, alias: string): SQL[] {
  const on = (column: string) => sql.raw(`${alias}.${column}`);
  const conditions: SQL[] = [];
  if (query.segment !== undefined) conditions.push(sql`${on("segment")} = ${query.segment}`);
  if (query.region !== undefined) conditions.push(sql`${on("region")} = ${query.region} COLLATE NOCASE`);
  if (query.bucket !== undefined) conditions.push(sql`${on("health_bucket")} = ${query.bucket}`);
  return conditions;
}

/** The filters that account_counts does not hold, on accounts aliased `a`. */
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

/**
 * The number of accounts the filters match: when they are only segment, region and bucket, the kept account_counts row
 * of that grouping (a few rows for a region stored in several cases); with other filters, the matching accounts.
 */
function countStatement(query: ListAccountsQuery): SQL {
  const others = otherConditions(query);
  if (others.length === 0) {
    const held = (filter: unknown, bit: number) => (filter === undefined ? 0 : bit);
    const grouping = held(query.segment, 1) + held(query.region, 2) + held(query.bucket, 4);
    return sql`SELECT coalesce(sum(g.accounts), 0) AS total FROM account_counts AS g
      ${where([sql`g.grouping = ${grouping}`, ...groupConditions(query, "g")])}`;
  }
  return sql`SELECT count(*) AS total FROM accounts AS a ${where([...groupConditions(query, "a"), ...others])}`;
}

/**
 * A slice of a part, each account read whole with its latest metrics and score, in the part's order. A walk reads the
 * part's index in order and stops after the slice; otherwise (a sort, or filters the walk would skip too many entries
 * for) the slice's ids are cut first from the narrow rows, and only they are read whole.
 */
function partStatement(
  filters: readonly SQL[],
  part: SortPart,
  order: SortOrder,
  slice: { limit: number; offset: number; walk: boolean },
): SQL {
  const conditions = where([...filters, sql.raw(part.where)]);
  const orderBy = sql.raw(`ORDER BY ${part.orderBy(order)}`);
  const cut = sql`LIMIT ${slice.limit} OFFSET ${slice.offset}`;
  if (slice.walk && part.index) {
    return sql`SELECT ${ACCOUNT_COLUMNS} FROM accounts AS a INDEXED BY ${sql.raw(part.index(order))} ${ACCOUNT_JOINS}
      ${conditions} ${orderBy} ${cut}`;
  }
  return sql`WITH slice AS (SELECT a.id FROM accounts AS a ${conditions} ${orderBy} ${cut})
    SELECT ${ACCOUNT_COLUMNS} FROM slice JOIN accounts AS a ON a.id = slice.id ${ACCOUNT_JOINS} ${orderBy}`;
}

type Total = { total: number } | undefined;

/**
 * Whether the head's slice is read by walking its index. Without filters, always. Under filters that account_counts
 * holds (segment, region, bucket), when the walk, which reads about `reach` × book ÷ matches entries to find `reach`
 * matches, reads fewer than sorting the matches would (about 2 rows per match); SQLite's planner, without statistics,
 * would take the filter's own index and sort whatever it matches. Under other filters, never: the planner chooses.
 * The matches counted for the choice are the page's `total`.
 */
async function headAccess(
  db: Database,
  query: ListAccountsQuery,
  head: SortPart,
  reach: number,
): Promise<{ walk: boolean; total?: number }> {
  if (!head.index || otherConditions(query).length > 0) return { walk: false };
  if (groupConditions(query, "a").length === 0) return { walk: true };
  const unfiltered = { ...query, segment: undefined, region: undefined, bucket: undefined };
  const [book, matching] = await runBatch(db, [
    db.get<Total>(countStatement(unfiltered)),
    db.get<Total>(countStatement(query)),
  ]);
  const total = matching?.total ?? 0;
  return { walk: reach * (book?.total ?? 0) < 2 * total * total, total };
}

async function countPart(db: Database, filters: readonly SQL[], part: SortPart): Promise<number> {
  const row = await db.get<{ n: number }>(sql`SELECT count(*) AS n FROM accounts AS a ${where([...filters, sql.raw(part.where)])}`);
  return row?.n ?? 0;
}

/**
 * One page of accounts and the number matching the filters. The head's slice comes with the count in one batch, or
 * after it when the count chose how the head is read; only when the page reaches past the head is the tail read, from
 * where the head ends (known from the slice, or counted when the page starts past it). Each part reads its accounts
 * whole in its order, with no sort after it.
 */
export async function listAccounts(
  db: Database,
  query: ListAccountsQuery,
): Promise<Pick<AccountList, "total" | "accounts">> {
  const order = query.order ?? "asc";
  const { head, tail } = sortPlan(query.sort ?? "account_name", order);
  const filters = [...groupConditions(query, "a"), ...otherConditions(query)];
  const offset = (query.page - 1) * query.page_size;
  const access = await headAccess(db, query, head, offset + query.page_size);
  const headSlice = db.all<AccountRow>(partStatement(filters, head, order, { limit: query.page_size, offset, ...access }));
  let total = access.total;
  let rows: AccountRow[];
  if (total === undefined) {
    const [counted, sliced] = await runBatch(db, [db.get<Total>(countStatement(query)), headSlice]);
    total = counted?.total ?? 0;
    rows = sliced;
  } else {
    rows = await headSlice;
  }
  if (tail && rows.length < query.page_size && offset + rows.length < total) {
    // The head ends where its slice does, or before a first page that it left empty; past that, it is counted.
    const headLength =
      rows.length > 0 || offset === 0 ? offset + rows.length : await countPart(db, filters, head);
    const slice = { limit: query.page_size - rows.length, offset: Math.max(0, offset - headLength), walk: filters.length === 0 };
    rows = [...rows, ...(await db.all<AccountRow>(partStatement(filters, tail, order, slice)))];
  }
  return { total, accounts: rows.map(toAccount) };
}
