import { sql, type SQL } from "drizzle-orm";

/*
 * The book's figures kept as it changes (portfolio_groups, book_latest_dates and renewal_figures, see the schema), so
 * the portfolio summary and the renewal totals read a few rows instead of every account. Each write that changes an
 * account's figures keeps them in its own atomic batch, as shares that move: after the rescore's update of its
 * accounts, each account's share moves from the figures it had (the prev_* columns the update copies) to its new ones
 * (rescoredAccountShares); before an upload batch's account upsert, the accounts it creates join and those it gives
 * another segment or region move (uploadedAccountShares), and before the statement that sets renewal dates, the
 * accounts whose date changes move (renewalDateShares). Sums are integers (cents, tenths), so shares cancel exactly and
 * the figures always equal the same sums computed from scratch (a property test replays random histories); a figure
 * row no share moves is not written.
 */

/** Money in whole cents, as the figures sum it. */
const centsSql = (value: string) => `CAST(round(${value} * 100) AS INTEGER)`;
/** A score (one decimal) in whole tenths. */
const tenthsSql = (value: string) => `CAST(round(${value} * 10) AS INTEGER)`;

/** The columns of an account a share reads: the figures' keys and sums. */
const SHARE_COLUMNS = [
  "segment",
  "region",
  "arr",
  "latest_metric_date",
  "renewal_date",
  "health_score",
  "health_bucket",
  "engagement_trend_30d",
  "arr_change_30d",
  "arr_change_90d",
] as const;
type ShareColumn = (typeof SHARE_COLUMNS)[number];

/**
 * The book's latest metric date (`as_of`): the top of book_latest_dates, a row or two whatever the book's size (the
 * dates every account has left stay, at 0). No row on an empty book.
 */
export const BOOK_LATEST_DATE = sql`SELECT date AS as_of FROM book_latest_dates WHERE accounts > 0 ORDER BY date DESC LIMIT 1`;

/** A kept figure table: its key and sum columns, each an expression over a share row `s` (which has a `sign`). */
interface FigureTable {
  table: string;
  keys: Record<string, string>;
  sums: Record<string, string>;
  /** Shares without a key here (no latest date, no renewal date) count in no row. */
  where?: string;
  /** A table joined to the shares, whose columns the keys may use (each share then counts in a row per match). */
  join?: string;
  /**
   * When a rescore can move an account's share here, on the updated row `a` (its new values beside the prev_* copies
   * of the old): the rescore leaves out the accounts whose shares would cancel. Unset: any rescored account may.
   */
  rescoreMoves?: string;
}

const PORTFOLIO_GROUPS: FigureTable = {
  table: "portfolio_groups",
  keys: {
    segment: "s.segment",
    region: "s.region",
    health_bucket: "coalesce(s.health_bucket, '')",
    engagement_trend_30d: "coalesce(s.engagement_trend_30d, '')",
  },
  sums: {
    accounts: "s.sign",
    arr_cents: `s.sign * ${centsSql("s.arr")}`,
    scored_accounts: "s.sign * (s.health_score IS NOT NULL)",
    score_tenths: `s.sign * coalesce(${tenthsSql("s.health_score")}, 0)`,
    arr_change_30d_cents: `s.sign * coalesce(${centsSql("s.arr_change_30d")}, 0)`,
    arr_change_90d_cents: `s.sign * coalesce(${centsSql("s.arr_change_90d")}, 0)`,
  },
};

const BOOK_LATEST_DATES: FigureTable = {
  table: "book_latest_dates",
  keys: { date: "s.latest_metric_date" },
  sums: { accounts: "s.sign" },
  where: "s.latest_metric_date IS NOT NULL",
  rescoreMoves: "a.latest_metric_date IS NOT a.prev_latest_metric_date",
};

const RENEWAL_FIGURES: FigureTable = {
  table: "renewal_figures",
  keys: { renewal_date: "s.renewal_date", health_bucket: "coalesce(s.health_bucket, '')" },
  sums: { accounts: "s.sign", arr_cents: `s.sign * ${centsSql("s.arr")}` },
  where: "s.renewal_date IS NOT NULL",
  rescoreMoves: "a.renewal_date IS NOT NULL AND (a.health_bucket IS NOT a.prev_health_bucket OR a.arr IS NOT a.prev_arr)",
};

/** Every share counts under each of the eight groupings (`g.grouping`: a bit per key held, 1 segment, 2 region, 4 bucket). */
const held = (bit: number, key: string) => `CASE WHEN g.grouping & ${bit} THEN ${key} ELSE '' END`;

const ACCOUNT_COUNTS: FigureTable = {
  table: "account_counts",
  keys: {
    grouping: "g.grouping",
    segment: held(1, "s.segment"),
    region: held(2, "s.region"),
    health_bucket: held(4, "coalesce(s.health_bucket, '')"),
  },
  sums: { accounts: "s.sign" },
  join: "CROSS JOIN (SELECT value AS grouping FROM json_each('[0, 1, 2, 3, 4, 5, 6, 7]')) AS g",
  rescoreMoves: "a.health_bucket IS NOT a.prev_health_bucket",
};

const FIGURE_TABLES: readonly FigureTable[] = [PORTFOLIO_GROUPS, BOOK_LATEST_DATES, RENEWAL_FIGURES, ACCOUNT_COUNTS];

/**
 * Adds the shares (`shares`: rows of SHARE_COLUMNS and a sign) to the table's rows, one row written per key whose sums
 * move: shares that cancel (an account whose rescore changed none of its figures) write nothing.
 */
function addShares(figures: FigureTable, shares: SQL): SQL {
  const keys = Object.keys(figures.keys);
  const sums = Object.keys(figures.sums);
  const select = [
    ...keys.map((key) => `${figures.keys[key]} AS ${key}`),
    ...sums.map((sum) => `sum(${figures.sums[sum]}) AS ${sum}`),
  ];
  return sql`
WITH s AS (${shares})
INSERT INTO ${sql.raw(figures.table)} (${sql.raw([...keys, ...sums].join(", "))})
SELECT * FROM (
  SELECT ${sql.raw(select.join(",\n         "))}
  FROM s ${sql.raw(figures.join ?? "")} ${sql.raw(figures.where ? `WHERE ${figures.where}` : "")}
  GROUP BY ${sql.raw(keys.join(", "))})
WHERE ${sql.raw(sums.map((sum) => `${sum} <> 0`).join(" OR "))}
ON CONFLICT (${sql.raw(keys.join(", "))}) DO UPDATE
SET ${sql.raw(sums.map((sum) => `${sum} = ${sum} + excluded.${sum}`).join(", "))}`;
}

/** One statement per kept figure table, adding the shares. */
function sharesStatements(shares: SQL): SQL[] {
  return FIGURE_TABLES.map((figures) => addShares(figures, shares));
}

/** A share row's columns: the account row `a`'s, but for those `from` gives another expression. */
function shareRow(from: Partial<Record<ShareColumn, string>> = {}): string {
  return SHARE_COLUMNS.map((column) => `${from[column] ?? `a.${column}`} AS ${column}`).join(", ");
}

/**
 * The statements that add (`sign` 1) or take away (-1) the shares of the accounts `ids` (JSON) as their rows stand:
 * around a statement that changes an account's row outside a rescore (a correction, a merge: take away before, add
 * after) or deletes it (take away before); also for a script or a test that writes account rows directly.
 */
export function accountShares(ids: string, sign: 1 | -1 = 1): SQL[] {
  return sharesStatements(sql`
    SELECT ${sql.raw(shareRow())}, ${sign} AS sign
    FROM json_each(${ids}) AS c JOIN accounts AS a ON a.id = c.value`);
}

/** An account's figures before the rescore's update of its row (updateAccounts copies them to the prev_* columns). */
const PREVIOUS: Partial<Record<ShareColumn, string>> = {
  arr: "a.prev_arr",
  latest_metric_date: "a.prev_latest_metric_date",
  health_score: "a.prev_health_score",
  health_bucket: "a.prev_health_bucket",
  engagement_trend_30d: "a.prev_engagement_trend_30d",
  arr_change_30d: "a.prev_arr_change_30d",
  arr_change_90d: "a.prev_arr_change_90d",
};

/**
 * The change a rescore chunk's update of its accounts (`ids`, JSON; those it updated carry its `updatedAt`) makes to
 * the figures, run just after it: each account's share leaves its previous figures for its new ones, so an account
 * whose figures did not move writes nothing, and a figure row is written once however many accounts move in it.
 */
export function rescoredAccountShares(ids: string, updatedAt: string): SQL[] {
  return FIGURE_TABLES.map((figures) => {
    const moved = figures.rescoreMoves ? sql.raw(` AND (${figures.rescoreMoves})`) : sql``;
    const updated = sql`json_each(${ids}) AS c JOIN accounts AS a ON a.id = c.value
      WHERE a.updated_at = ${updatedAt}${moved}`;
    return addShares(
      figures,
      sql`SELECT ${sql.raw(shareRow(PREVIOUS))}, -1 AS sign FROM ${updated}
          UNION ALL
          SELECT ${sql.raw(shareRow())}, 1 FROM ${updated}`,
    );
  });
}

/**
 * The change the statement that sets an upload batch's renewal dates (metric-batches.ts) makes to the renewal figures,
 * run just before it: for each account of the batch's tuples (`accountsJson`, by name) that `carries` selects (on the
 * tuple `j`) and whose renewal date `newDate` (an expression on the stored row `a`) changes, its share leaves the old
 * date for the new one. A feed that repeats its renewal dates writes nothing.
 */
export function renewalDateShares(accountsJson: string, carries: SQL, newDate: string): SQL {
  const changed = sql`json_each(${accountsJson}) AS j JOIN accounts AS a ON a.account_name = j.value ->> 0
    WHERE ${carries} AND a.renewal_date IS NOT ${sql.raw(newDate)}`;
  return addShares(
    RENEWAL_FIGURES,
    sql`SELECT ${sql.raw(shareRow())}, -1 AS sign FROM ${changed}
        UNION ALL SELECT ${sql.raw(shareRow({ renewal_date: newDate }))}, 1 FROM ${changed}`,
  );
}

/**
 * The change an upload batch's account upsert (metric-batches.ts) makes to the figures, run just before it: each new
 * account (a name not stored yet) counts, unscored, with the segment, region, ARR, latest date and renewal date the
 * upsert inserts; each account the upsert moves (`moves`: the upsert's own condition, on the stored row `a` and the
 * batch's tuple `j`) takes its figures from its segment and region to the new ones. Other accounts write nothing.
 */
export function uploadedAccountShares(accountsJson: string, moves: SQL): SQL[] {
  const created = {
    segment: "j.value ->> 1",
    region: "j.value ->> 2",
    arr: "j.value ->> 3",
    latest_metric_date: "j.value ->> 4",
    renewal_date: "j.value ->> 6",
    health_score: "NULL",
    health_bucket: "NULL",
    engagement_trend_30d: "NULL",
    arr_change_30d: "NULL",
    arr_change_90d: "NULL",
  } satisfies Record<ShareColumn, string>;
  const movedTo = { segment: created.segment, region: created.region };
  return sharesStatements(sql`
    SELECT ${sql.raw(shareRow(created))}, 1 AS sign
    FROM json_each(${accountsJson}) AS j
    WHERE NOT EXISTS (SELECT 1 FROM accounts AS a WHERE a.account_name = j.value ->> 0)
    UNION ALL
    SELECT ${sql.raw(shareRow())}, -1
    FROM json_each(${accountsJson}) AS j JOIN accounts AS a ON a.account_name = j.value ->> 0 WHERE ${moves}
    UNION ALL
    SELECT ${sql.raw(shareRow(movedTo))}, 1
    FROM json_each(${accountsJson}) AS j JOIN accounts AS a ON a.account_name = j.value ->> 0 WHERE ${moves}`);
}
