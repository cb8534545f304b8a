import { sql } from "drizzle-orm";
import { roundTo } from "../../domain/health";
import {
  AMOUNT_MOVEMENTS,
  REVENUE_MOVERS_LIMIT,
  type AmountMovement,
  type Movement,
  type MovementGroup,
  type RevenueWindow,
} from "../../domain/revenue";
import type { Segment } from "../../domain/types";
import type { Database } from "../../lib/types";

/**
 * Revenue movements in ONE statement: each account's ARR at the window's start is one backward lookup on the
 * account_metrics primary key (account_id, date); its ARR at the end, D, is `accounts.arr`, which the writer keeps as
 * the ARR of the account's latest-dated row (its latest reported ARR at or before D, since D is the book's latest date).
 * The accounts are classified once and the statement answers both the (segment, movement) sums and the biggest accounts
 * behind each movement. The anchor D is the book's latest metric date, read from the accounts (not a scan of the metrics).
 *
 * `MATERIALIZED` matters: inlined, SQLite evaluates the lookup again for every reference to its column (the CASE,
 * both sums, the ranking).
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
  | { kind: "anchor"; as_of: string | null; from_date: string | null }
  | { kind: "group"; segment: Segment; movement: Movement; accounts: number; start_arr: number; end_arr: number }
  | { kind: "mover"; segment: Segment; movement: AmountMovement; start_arr: number; end_arr: number; id: number; account_name: string };

function revenueStatement(days: RevenueWindow) {
  const amountMovements = sql.raw(AMOUNT_MOVEMENTS.map((movement) => `'${movement}'`).join(", "));
  return sql`
WITH anchor AS (
  SELECT max(latest_metric_date) AS as_of, date(max(latest_metric_date), ${`-${days} days`}) AS from_date FROM accounts
),
ends AS MATERIALIZED (
  SELECT a.id, a.account_name, a.segment,
         (SELECT m.arr FROM account_metrics AS m
          WHERE m.account_id = a.id AND m.date <= anchor.from_date ORDER BY m.date DESC LIMIT 1) AS start_arr,
         a.arr AS end_arr
  FROM anchor JOIN accounts AS a ON a.latest_metric_date IS NOT NULL
),
moved AS MATERIALIZED (
  SELECT id, account_name, segment, coalesce(start_arr, 0) AS start_arr, coalesce(end_arr, 0) AS end_arr,
         CASE WHEN coalesce(start_arr, 0) <= 0 THEN CASE WHEN coalesce(end_arr, 0) > 0 THEN 'new_arr' ELSE 'inactive' END
              WHEN coalesce(end_arr, 0) <= 0 THEN 'churned_arr'
              WHEN end_arr > start_arr THEN 'expansion'
              WHEN end_arr < start_arr THEN 'contraction'
              ELSE 'unchanged' END AS movement
  FROM ends
)
SELECT 'anchor' AS kind, NULL AS segment, NULL AS movement, NULL AS accounts, NULL AS start_arr, NULL AS end_arr,
       NULL AS id, NULL AS account_name, as_of, from_date
FROM anchor
UNION ALL
SELECT 'group', segment, movement, count(*), total(start_arr), total(end_arr), NULL, NULL, NULL, NULL
FROM moved
GROUP BY segment, movement
UNION ALL
SELECT 'mover', segment, movement, NULL, start_arr, end_arr, id, account_name, NULL, NULL
FROM (SELECT *, row_number() OVER (PARTITION BY movement ORDER BY abs(end_arr - start_arr) DESC, id) AS place
      FROM moved WHERE movement IN (${amountMovements}))
WHERE place <= ${sql.raw(String(REVENUE_MOVERS_LIMIT))}`;
}

/** The movements of the `days` before the book's latest metric date, as groups and the accounts behind them. */
export async function getRevenueRows(db: Database, days: RevenueWindow): Promise<RevenueRows> {
  const rows = await db.all<Row>(revenueStatement(days));
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
