import { sql, type SQL } from "drizzle-orm";
import type { AccountSnapshot } from "../../domain/risk";
import type { Bucket } from "../../domain/types";
import type { Database } from "../../lib/types";
import { runBatch } from "../batch";
import { snapshotStatements, toSnapshots } from "./risk-inputs";

/**
 * Accounts renewing in a calendar window [from, from + days], read through accounts_renewal_idx: the window's totals,
 * one page of its accounts (by renewal date, then the bigger ARR, then id) and their risk snapshots, in one batch.
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

function inWindow(window: RenewalWindow): SQL {
  return sql`a.renewal_date BETWEEN ${window.from} AND date(${window.from}, ${`+${window.days} days`})`;
}

function totalsStatement(db: Database, window: RenewalWindow) {
  return db.get<{ accounts: number; arr: number; healthy: number; at_risk: number; critical: number } | undefined>(sql`
    SELECT count(*) AS accounts, total(a.arr) AS arr,
           total(CASE WHEN a.health_bucket = 'Healthy' THEN a.arr END) AS healthy,
           total(CASE WHEN a.health_bucket = 'At-Risk' THEN a.arr END) AS at_risk,
           total(CASE WHEN a.health_bucket = 'Critical' THEN a.arr END) AS critical
    FROM accounts AS a
    WHERE ${inWindow(window)}`);
}

function toTotals(row: { accounts: number; arr: number; healthy: number; at_risk: number; critical: number } | undefined): RenewalTotals {
  return {
    accounts: row?.accounts ?? 0,
    arr: row?.arr ?? 0,
    arrByBucket: { Healthy: row?.healthy ?? 0, "At-Risk": row?.at_risk ?? 0, Critical: row?.critical ?? 0 },
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
