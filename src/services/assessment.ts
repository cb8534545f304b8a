import { getAccountSnapshot, getPortfolioRiskSnapshots } from "../db/queries/risk-inputs";
import { getPortfolioAggregates } from "../db/queries/portfolio";
import { summarisePortfolio } from "../domain/portfolio";
import { prioritiseAccounts, recommendPlaybooks, type PortfolioAccount, type Recommendation } from "../domain/recommend";
import { assessRisk, type AccountSnapshot, type RiskFactor } from "../domain/risk";
import type { PortfolioSnapshot } from "../insights/provider";

/**
 * Loads what the decision routes reason about, from D1, and runs the pure rules on it: an account's risk factors and
 * ranked playbooks (POST /actions/recommend, POST /insights/account/{id}), and the portfolio's figures with its
 * accounts at risk (POST /insights/portfolio).
 */

export interface AccountAssessment {
  account: AccountSnapshot;
  risk_factors: RiskFactor[];
  recommendations: Recommendation[];
}

/** Null when there is no such account. */
export async function assessAccount(d1: D1Database, id: number): Promise<AccountAssessment | null> {
  const account = await getAccountSnapshot(d1, id);
  if (!account) return null;
  const riskFactors = assessRisk(account);
  return { account, risk_factors: riskFactors, recommendations: recommendPlaybooks(account, riskFactors) };
}

function toPortfolioAccount(snapshot: AccountSnapshot): PortfolioAccount {
  return {
    id: snapshot.id,
    account_name: snapshot.account_name,
    segment: snapshot.segment,
    region: snapshot.region,
    arr: snapshot.arr,
    health_score: snapshot.health_score,
    health_bucket: snapshot.health_bucket,
    risk_factors: assessRisk(snapshot),
  };
}

/**
 * The /portfolio/summary figures, the biggest At-Risk and Critical accounts with their risk factors (biggest ARR
 * first), and the biggest Healthy accounts that are growing.
 */
export async function assessPortfolio(d1: D1Database): Promise<PortfolioSnapshot> {
  const [aggregates, snapshots] = await Promise.all([getPortfolioAggregates(d1), getPortfolioRiskSnapshots(d1)]);
  const figures = summarisePortfolio(aggregates.totals, aggregates.segments, aggregates.regions);
  const accounts = snapshots.map(toPortfolioAccount);
  return {
    total_accounts: figures.total_accounts,
    total_arr: figures.total_arr,
    arr_by_bucket: figures.arr_by_bucket,
    risk_breakdown: figures.risk_breakdown,
    avg_health_score: figures.avg_health_score,
    arr_at_risk: figures.arr_at_risk,
    arr_trend_30d: figures.arr_trend_30d,
    arr_trend_90d: figures.arr_trend_90d,
    by_segment: figures.by_segment,
    by_region: figures.by_region,
    trend_counts: figures.trend_counts,
    as_of_date: figures.as_of_date,
    at_risk_accounts: figures.accounts_by_bucket["At-Risk"] + figures.accounts_by_bucket.Critical,
    accounts_at_risk: prioritiseAccounts(accounts),
    growing_accounts: accounts.filter(
      (account) =>
        account.health_bucket === "Healthy" && account.risk_factors.some((factor) => factor.kind === "positive"),
    ),
  };
}
