import { sql, type SQL } from "drizzle-orm";
import type { AccountSnapshot } from "../../domain/risk";
import type { Bucket } from "../../domain/types";
import type { Database } from "../../lib/types";
import { runBatch } from "../batch";
import { snapshotStatements, toSnapshots } from "./risk-inputs";

/**
 * Accounts renewing in a calendar window [from, from + days]: the window's totals (from the kept renewal figures), one
 * page of its accounts (by renewal date, then the bigger ARR, then id, through accounts_renewal_idx) and their risk
 * snapshots, in one batch.
 */

export interface RenewalWindow {
  /** The first day of the window (YYYY-MM-DD), included. */
  from: string;
  /** Days after `from` the window reaches, the last one included. */
  days: number;
}

export interface RenewalTotals {
  accounts: number;
  arr: number;
  arrByBucket: Record<Bucket, number>;
}

export interface RenewingAccount {
  id: number;
  account_name: string;
  renewal_date: string;
  arr: number;
  health_score: number | null;
  health_bucket: Bucket | null;
  owner: string | null;
}

function inWindow(window: RenewalWindow, column = sql`a.renewal_date`): SQL {
  return sql`${column} BETWEEN ${window.from} AND date(${window.from}, ${`+${window.days} days`})`;
}

type TotalsRow = { accounts: number; arr_cents: number; healthy: number; at_risk: number; critical: number };

/**
 * The window's totals from the renewal figures the writes keep (book-figures.ts): a row per date and bucket in the
 * window, whatever the number of accounts renewing in it.
 */
function totalsStatement(db: Database, window: RenewalWindow) {
  return db.get<TotalsRow | undefined>(sql`
    SELECT coalesce(sum(accounts), 0) AS accounts, coalesce(sum(arr_cents), 0) AS arr_cents,
           coalesce(sum(CASE WHEN health_bucket = 'Healthy' THEN arr_cents END), 0) AS healthy,
           coalesce(sum(CASE WHEN health_bucket = 'At-Risk' THEN arr_cents END), 0) AS at_risk,
           coalesce(sum(CASE WHEN health_bucket = 'Critical' THEN arr_cents END), 0) AS critical
    FROM renewal_figures
    WHERE ${inWindow(window, sql`renewal_date`)}`);
}

function toTotals(row: TotalsRow | undefined): RenewalTotals {
  const money = (cents: number | undefined) => (cents ?? 0) / 100;
  return {
    accounts: row?.accounts ?? 0,
    arr: money(row?.arr_cents),
    arrByBucket: { Healthy: money(row?.healthy), "At-Risk": money(row?.at_risk), Critical: money(row?.critical) },
  };
}

/** The accounts renewing in the window and their ARR, in total and per bucket. */
export async function getRenewalTotals(db: Database, window: RenewalWindow): Promise<RenewalTotals> {
  return toTotals(await totalsStatement(db, window));
}

const ORDER = sql.raw("ORDER BY a.renewal_date, a.arr DESC, a.id");

/** The window's totals, and one page of its accounts with the snapshots their risk factors are assessed from. */
export async function getRenewalPage(
  db: Database,
  window: RenewalWindow,
  page: { page: number; pageSize: number },
): Promise<{ totals: RenewalTotals; accounts: RenewingAccount[]; snapshots: AccountSnapshot[] }> {
  const candidates = sql`
    WITH candidates(id) AS (
      SELECT a.id FROM accounts AS a WHERE ${inWindow(window)} ${ORDER}
      LIMIT ${page.pageSize} OFFSET ${(page.page - 1) * page.pageSize}
    )`;
  const [totals, accounts, ...snapshotResults] = await runBatch(db, [
    totalsStatement(db, window),
    db.all<RenewingAccount>(sql`${candidates}
      SELECT a.id, a.account_name, a.renewal_date, a.arr, a.health_score, a.health_bucket, a.owner
      FROM candidates AS c JOIN accounts AS a ON a.id = c.id
      ${ORDER}`),
    ...snapshotStatements(db, candidates),
  ]);
  return { totals: toTotals(totals), accounts, snapshots: toSnapshots(...snapshotResults) };
}
