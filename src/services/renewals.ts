import { getRenewalPage, getRenewalTotals, type RenewalTotals } from "../db/queries/renewals";
import { assessRisk } from "../domain/assess-risk";
import { dayNumber, roundTo } from "../domain/health";
import { riskLabels } from "../domain/risk";
import type { Database } from "../lib/types";
import type { PortfolioSummary } from "../contract/portfolio";
import type { ListRenewalsQuery, RenewalList } from "../contract/renewals";

/**
 * Renewals are calendar events: their windows start today (UTC) or at the `as_of` a caller gives, never at the data's
 * latest metric date.
 */

export const SUMMARY_RENEWAL_WINDOW_DAYS = 90;

export function todayUtc(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

function addDays(date: string, days: number): string {
  return new Date((dayNumber(date) + days) * 86_400_000).toISOString().slice(0, 10);
}

const money = (value: number) => roundTo(value, 2);

function arrAtRisk(totals: RenewalTotals): number {
  return money(totals.arrByBucket["At-Risk"] + totals.arrByBucket.Critical);
}

/** GET /renewals: the window's totals and one page of its accounts with their current risk factors. */
export async function listRenewals(db: Database, query: ListRenewalsQuery, today = todayUtc()): Promise<RenewalList> {
  const asOf = query.as_of ?? today;
  const { totals, accounts, snapshots } = await getRenewalPage(
    db,
    { from: asOf, days: query.within_days },
    { page: query.page, pageSize: query.page_size },
  );
  const riskFactors = new Map(snapshots.map((snapshot) => [snapshot.id, riskLabels(assessRisk(snapshot))]));
  return {
    as_of: asOf,
    within_days: query.within_days,
    through_date: addDays(asOf, query.within_days),
    accounts_renewing: totals.accounts,
    arr_renewing: money(totals.arr),
    arr_renewing_by_bucket: {
      Healthy: money(totals.arrByBucket.Healthy),
      "At-Risk": money(totals.arrByBucket["At-Risk"]),
      Critical: money(totals.arrByBucket.Critical),
    },
    arr_at_risk: arrAtRisk(totals),
    total: totals.accounts,
    page: query.page,
    page_size: query.page_size,
    accounts: accounts.map((account) => ({
      id: account.id,
      account_name: account.account_name,
      renewal_date: account.renewal_date,
      days_to_renewal: dayNumber(account.renewal_date) - dayNumber(asOf),
      arr: account.arr,
      health_score: account.health_score,
      health_bucket: account.health_bucket,
      owner: account.owner,
      risk_factors: riskFactors.get(account.id) ?? [],
    })),
  };
}

/** The summary's `renewals_next_90_days`: the renewals of the next 90 days from today (UTC). */
export async function summariseRenewals(
  db: Database,
  today = todayUtc(),
): Promise<PortfolioSummary["renewals_next_90_days"]> {
  const totals = await getRenewalTotals(db, { from: today, days: SUMMARY_RENEWAL_WINDOW_DAYS });
  return { accounts: totals.accounts, arr: money(totals.arr), arr_at_risk: arrAtRisk(totals) };
}
