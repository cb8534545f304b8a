import { sql, type SQL } from "drizzle-orm";
import { roundTo } from "../../domain/health";
import {
  AMOUNT_MOVEMENTS,
  MOVEMENTS,
  REVENUE_MOVERS_LIMIT,
  REVENUE_WINDOWS,
  type AmountMovement,
  type Movement,
  type MovementGroup,
  type RevenueWindow,
} from "../../domain/revenue";
import { SEGMENTS, type Segment } from "../../domain/types";
import type { Database } from "../../lib/types";
import { numberedStatements, rowsWrittenBy, runNamedBatch } from "../batch";

/**
 * Revenue movements in ONE statement: each account's ARR at the window's start is one backward lookup on the
 * account_metrics primary key (account_id, date); its ARR at the end, D, is `accounts.arr`, which the writer keeps as
 * the ARR of the account's latest-dated row (its latest reported ARR at or before D, since D is the book's latest date).
 * The accounts are classified once and the statement answers both the (segment, movement) sums and the biggest accounts
 * behind each movement. The anchor D is the book's latest metric date, read from the accounts (not a scan of the metrics).
 *
 * `MATERIALIZED` matters: inlined, SQLite evaluates the lookup again for every reference to its column (the CASE,
 * both sums, the ranking).
 *
 * A read does not run it: each window's answer is kept in revenue_figures and revenue_movers (schema.ts), refreshed
 * once a rescore has brought the accounts up to their metrics (recompute.ts, queue.ts), so a read costs a few dozen
 * rows whatever the book's size. The start of every window moves with the book's latest date, which a daily feed
 * advances, so the refresh computes each window whole (its reads grow with the book, once per upload) and writes only
 * the rows whose figures changed.
 */

export interface RevenueMover {
  id: number;
  account_name: string;
  segment: Segment;
  starting_arr: number;
  ending_arr: number;
  /** What the account adds to its movement, > 0: its new ARR, increase, decrease or churned ARR. */
  amount: number;
}

export interface RevenueRows {
  /** The book's latest metric date D; null on an empty book. */
  asOf: string | null;
  /** D − days; null on an empty book. */
  fromDate: string | null;
  groups: MovementGroup[];
  movers: Record<AmountMovement, RevenueMover[]>;
}

/** The statement's three kinds of row, told apart by `kind` (the columns a kind does not use are null). */
type Row =
  | { kind: "anchor"; as_of: string | null; from_date: string | null; stale: number }
  | { kind: "group"; segment: Segment; movement: Movement; accounts: number; start_arr: number; end_arr: number }
  | { kind: "mover"; segment: Segment; movement: AmountMovement; start_arr: number; end_arr: number; id: number; account_name: string };

const AMOUNT_MOVEMENT_LIST = sql.raw(AMOUNT_MOVEMENTS.map((movement) => `'${movement}'`).join(", "));

/**
 * Each account's ARR at the start and end of each of `windows`, and its movement, as the CTEs `anchor`, `windows`
 * (`days`, `from_date`), `moved` and `ranked` (the amount movements' accounts by place, per window), all keyed by `days`.
 */
function movedAccounts(windows: readonly RevenueWindow[]) {
  return sql`
WITH anchor AS (SELECT max(latest_metric_date) AS as_of FROM accounts),
windows AS (
  SELECT w.value AS days, date(anchor.as_of, '-' || w.value || ' days') AS from_date
  FROM anchor, json_each(${JSON.stringify(windows)}) AS w
),
ends AS MATERIALIZED (
  SELECT w.days, a.id, a.account_name, a.segment,
         (SELECT m.arr FROM account_metrics AS m
          WHERE m.account_id = a.id AND m.date <= w.from_date ORDER BY m.date DESC LIMIT 1) AS start_arr,
         a.arr AS end_arr
  FROM windows AS w JOIN accounts AS a ON a.latest_metric_date IS NOT NULL
),
moved AS MATERIALIZED (
  SELECT days, id, account_name, segment, coalesce(start_arr, 0) AS start_arr, coalesce(end_arr, 0) AS end_arr,
         CASE WHEN coalesce(start_arr, 0) <= 0 THEN CASE WHEN coalesce(end_arr, 0) > 0 THEN 'new_arr' ELSE 'inactive' END
              WHEN coalesce(end_arr, 0) <= 0 THEN 'churned_arr'
              WHEN end_arr > start_arr THEN 'expansion'
              WHEN end_arr < start_arr THEN 'contraction'
              ELSE 'unchanged' END AS movement
  FROM ends
),
ranked AS (
  SELECT *, row_number() OVER (PARTITION BY days, movement ORDER BY abs(end_arr - start_arr) DESC, id) AS place
  FROM moved WHERE movement IN (${AMOUNT_MOVEMENT_LIST})
)`;
}

/** The statement from the accounts and their metrics: what the kept figures hold, and what a stale read runs. */
function revenueStatement(days: RevenueWindow) {
  return sql`${movedAccounts([days])}
SELECT 'anchor' AS kind, NULL AS segment, NULL AS movement, NULL AS accounts, NULL AS start_arr, NULL AS end_arr,
       NULL AS id, NULL AS account_name, as_of, from_date, 0 AS stale
FROM anchor, windows
UNION ALL
SELECT 'group', segment, movement, count(*), total(start_arr), total(end_arr), NULL, NULL, NULL, NULL, NULL
FROM moved
GROUP BY segment, movement
UNION ALL
SELECT 'mover', segment, movement, NULL, start_arr, end_arr, id, account_name, NULL, NULL, NULL
FROM ranked WHERE place <= ${sql.raw(String(REVENUE_MOVERS_LIMIT))}`;
}

/** The same rows from the kept figures; the anchor says whether they are stale. */
function keptRevenueStatement(days: RevenueWindow) {
  return sql`
SELECT 'anchor' AS kind, NULL AS segment, NULL AS movement, NULL AS accounts, NULL AS start_arr, NULL AS end_arr,
       NULL AS id, NULL AS account_name, as_of, date(as_of, ${`-${days} days`}) AS from_date, stale
FROM revenue_state WHERE id = 1
UNION ALL
SELECT 'group', segment, movement, accounts, start_arr, end_arr, NULL, NULL, NULL, NULL, NULL
FROM revenue_figures WHERE days = ${days} AND accounts > 0
UNION ALL
SELECT 'mover', segment, movement, NULL, start_arr, end_arr, account_id, account_name, NULL, NULL, NULL
FROM revenue_movers WHERE days = ${days} AND account_id IS NOT NULL`;
}

/** Set by every metric batch, in its own batch: the kept figures no longer answer until the next refresh. */
export const MARK_REVENUE_FIGURES_STALE = sql`UPDATE revenue_state SET stale = 1 WHERE id = 1 AND stale = 0`;

/**
 * Set by a rescore chunk, in its batch, when it moved the ARR or the latest metric date of an account it updated
 * (`ids` as JSON, updated at `updatedAt`): the end of every window. A rescore that only changed scores keeps them.
 */
export function markRevenueStaleIfMoved(ids: string, updatedAt: string): SQL {
  return sql`UPDATE revenue_state SET stale = 1 WHERE id = 1 AND stale = 0 AND EXISTS (
    SELECT 1 FROM json_each(${ids}) AS c JOIN accounts AS a ON a.id = c.value
    WHERE a.updated_at = ${updatedAt}
      AND (a.arr IS NOT a.prev_arr OR a.latest_metric_date IS NOT a.prev_latest_metric_date))`;
}

const PLACES = JSON.stringify(Array.from({ length: REVENUE_MOVERS_LIMIT }, (_, index) => index + 1));

/**
 * Every window's kept figures made equal to the statement, in two statements (the sums, the movers) that each look up
 * every account's ARR at each window's start once: every (window, segment, movement) and every (window, movement,
 * place) is a row, zero or empty when nothing is there, so an upsert that writes only what changed leaves nothing
 * behind to delete.
 */
function refreshStatements(): SQL[] {
  const groups = sql`${movedAccounts(REVENUE_WINDOWS)},
sums AS (SELECT days, segment, movement, count(*) AS accounts, total(start_arr) AS start_arr, total(end_arr) AS end_arr
         FROM moved GROUP BY days, segment, movement)
INSERT INTO revenue_figures (days, segment, movement, accounts, start_arr, end_arr)
SELECT k.days, k.segment, k.movement, coalesce(s.accounts, 0), coalesce(s.start_arr, 0), coalesce(s.end_arr, 0)
FROM (SELECT windows.days, segments.value AS segment, movements.value AS movement
      FROM windows, json_each(${JSON.stringify(SEGMENTS)}) AS segments, json_each(${JSON.stringify(MOVEMENTS)}) AS movements) AS k
LEFT JOIN sums AS s ON s.days = k.days AND s.segment = k.segment AND s.movement = k.movement
WHERE true
ON CONFLICT (days, segment, movement) DO UPDATE SET
  accounts = excluded.accounts, start_arr = excluded.start_arr, end_arr = excluded.end_arr
WHERE accounts IS NOT excluded.accounts OR start_arr IS NOT excluded.start_arr OR end_arr IS NOT excluded.end_arr`;
  const movers = sql`${movedAccounts(REVENUE_WINDOWS)}
INSERT INTO revenue_movers (days, movement, place, account_id, account_name, segment, start_arr, end_arr)
SELECT slots.days, slots.movement, slots.place, r.id, r.account_name, r.segment, r.start_arr, r.end_arr
FROM (SELECT windows.days, movements.value AS movement, places.value AS place
      FROM windows, json_each(${JSON.stringify(AMOUNT_MOVEMENTS)}) AS movements, json_each(${PLACES}) AS places) AS slots
LEFT JOIN ranked AS r ON r.days = slots.days AND r.movement = slots.movement AND r.place = slots.place
WHERE true
ON CONFLICT (days, movement, place) DO UPDATE SET
  account_id = excluded.account_id, account_name = excluded.account_name, segment = excluded.segment,
  start_arr = excluded.start_arr, end_arr = excluded.end_arr
WHERE account_id IS NOT excluded.account_id OR account_name IS NOT excluded.account_name
   OR segment IS NOT excluded.segment OR start_arr IS NOT excluded.start_arr OR end_arr IS NOT excluded.end_arr`;
  return [groups, movers];
}

/**
 * Recomputes every window's kept figures when they are stale, in one batch with the mark's clearing, so a metric batch
 * written meanwhile either comes before (and is in the figures) or after (and marks them stale again). It is the
 * statement's scan of the accounts, run once per upload instead of once per read; the upserts write only the rows
 * that changed. Answers the D1 rows it wrote.
 */
export async function refreshRevenueFigures(db: Database): Promise<number> {
  const state = await db.get<{ stale: number } | undefined>(sql`SELECT stale FROM revenue_state WHERE id = 1`);
  if (!state?.stale) return 0;
  const results = await runNamedBatch(db, {
    ...numberedStatements(db, "figures", refreshStatements()),
    fresh: db.run(sql`UPDATE revenue_state SET stale = 0, as_of = (SELECT max(latest_metric_date) FROM accounts) WHERE id = 1`),
  });
  return rowsWrittenBy(...Object.values(results));
}

/**
 * The movements of the `days` before the book's latest metric date, as groups and the accounts behind them: from the
 * kept figures, or, while they are stale, from the accounts.
 */
export async function getRevenueRows(db: Database, days: RevenueWindow): Promise<RevenueRows> {
  const kept = await db.all<Row>(keptRevenueStatement(days));
  // No state row (a database restored from before the table) counts as stale too.
  const anchor = kept.find((row) => row.kind === "anchor");
  const stale = anchor === undefined || anchor.stale !== 0;
  return revenueRows(stale ? await db.all<Row>(revenueStatement(days)) : kept);
}

/** The same, always from the accounts (what the kept figures are checked against). */
export async function getRevenueRowsFromScratch(db: Database, days: RevenueWindow): Promise<RevenueRows> {
  return revenueRows(await db.all<Row>(revenueStatement(days)));
}

function revenueRows(rows: readonly Row[]): RevenueRows {
  const result: RevenueRows = {
    asOf: null,
    fromDate: null,
    groups: [],
    movers: { new_arr: [], expansion: [], contraction: [], churned_arr: [] },
  };
  for (const row of rows) {
    if (row.kind === "anchor") {
      result.asOf = row.as_of;
      result.fromDate = row.from_date;
    } else if (row.kind === "group") {
      result.groups.push({
        segment: row.segment,
        movement: row.movement,
        accounts: row.accounts,
        startArr: row.start_arr,
        endArr: row.end_arr,
      });
    } else {
      result.movers[row.movement].push({
        id: row.id,
        account_name: row.account_name,
        segment: row.segment,
        starting_arr: row.start_arr,
        ending_arr: row.end_arr,
        amount: roundTo(Math.abs(row.end_arr - row.start_arr), 2),
      });
    }
  }
  // UNION ALL keeps no order across its parts: each list is put back in the ranking's order.
  for (const list of Object.values(result.movers)) list.sort((a, b) => b.amount - a.amount || a.id - b.id);
  return result;
}
