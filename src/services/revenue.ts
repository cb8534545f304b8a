import { getRevenueRows } from "../db/queries/revenue";
import { summariseRevenue, type RevenueWindow } from "../domain/revenue";
import type { Database } from "../lib/types";
import type { RevenueMovements } from "../contract/revenue";

/** GET /portfolio/revenue: the movements D1 classifies and sums, added up and rounded by the pure rules. */
export async function getRevenueMovements(db: Database, days: RevenueWindow): Promise<RevenueMovements> {
  const rows = await getRevenueRows(db, days);
  const { totals, bySegment } = summariseRevenue(rows.groups);
  return { days, as_of: rows.asOf, from_date: rows.fromDate, ...totals, by_segment: bySegment, top_accounts: rows.movers };
}
