import { formatCount, formatMoney } from "../domain/format";
import type { PortfolioSnapshot } from "../domain/portfolio";
import type { PortfolioAccount } from "../domain/recommend-portfolio";
import { RISK_FACTOR_LABELS, riskLabels, type RiskFactorId } from "../domain/risk";
import { accountCount, listOf, signedMoney } from "./rules-text";

/** The sentences of the rule-based portfolio insight about the whole portfolio and its accounts at risk. */

export function hasFactor(account: PortfolioAccount, ids: readonly RiskFactorId[]): boolean {
  return account.risk_factors.some((factor) => factor.kind === "risk" && ids.includes(factor.id));
}

export function accountsArr(accounts: readonly PortfolioAccount[]): number {
  return accounts.reduce((total, account) => total + account.arr, 0);
}

export function names(accounts: readonly PortfolioAccount[], limit = 3): string {
  const listed = accounts.slice(0, limit).map((account) => account.account_name);
  return accounts.length > limit ? `${listed.join(", ")} and ${accounts.length - limit} more` : listOf(listed);
}

export function bucketFinding(portfolio: PortfolioSnapshot): string {
  const { risk_breakdown: share, arr_by_bucket: arr } = portfolio;
  return `${share.Critical}% of scored accounts are Critical (${formatMoney(arr.Critical)} ARR), ${share["At-Risk"]}% At-Risk (${formatMoney(arr["At-Risk"])}) and ${share.Healthy}% Healthy (${formatMoney(arr.Healthy)}).`;
}

export function trendFinding(portfolio: PortfolioSnapshot): string {
  const counts = portfolio.trend_counts;
  return `Engagement over 30 days: ${accountCount(counts.improving)} improving, ${counts.stable} stable and ${counts.declining} declining (${counts.unknown} without enough history); ARR moved ${signedMoney(portfolio.arr_trend_30d)} over 30 days and ${signedMoney(portfolio.arr_trend_90d)} over 90 days.`;
}

export function groupFinding(kind: "segment" | "region", portfolio: PortfolioSnapshot): string | null {
  const groups = (kind === "segment" ? portfolio.by_segment : portfolio.by_region)
    .map((group) => ({ name: "segment" in group ? group.segment : group.region, ...group }))
    .filter((group): group is typeof group & { avg_health_score: number } => group.avg_health_score !== null)
    .sort((a, b) => a.avg_health_score - b.avg_health_score || a.name.localeCompare(b.name));
  const lowest = groups[0];
  const highest = groups.at(-1);
  if (!lowest || !highest || lowest === highest) return null;
  return `By ${kind}, ${lowest.name} has the lowest average health (${lowest.avg_health_score} over ${accountCount(lowest.accounts)}, ${formatMoney(lowest.arr)} ARR) and ${highest.name} the highest (${highest.avg_health_score}).`;
}

/** How many accounts at risk carry each risk factor, most common first (ties in the order of the label list). */
export function factorPrevalence(accounts: readonly PortfolioAccount[]) {
  const ids = Object.keys(RISK_FACTOR_LABELS) as RiskFactorId[];
  return ids
    .map((id) => ({ id, accounts: accounts.filter((account) => hasFactor(account, [id])) }))
    .filter((entry) => entry.accounts.length > 0)
    .sort((a, b) => b.accounts.length - a.accounts.length || ids.indexOf(a.id) - ids.indexOf(b.id));
}

/** "the 12 accounts at risk", or "the 50 largest of the 4,000 accounts at risk" when only the biggest were loaded. */
export function atRiskScope(portfolio: PortfolioSnapshot): string {
  const loaded = portfolio.accounts_at_risk.length;
  const total = portfolio.at_risk_accounts;
  return loaded < total
    ? `the ${loaded} largest of the ${formatCount(total)} accounts at risk`
    : `the ${loaded} accounts at risk`;
}

export function factorFinding(id: RiskFactorId, accounts: readonly PortfolioAccount[], portfolio: PortfolioSnapshot): string {
  return `${RISK_FACTOR_LABELS[id]} affects ${accounts.length} of ${atRiskScope(portfolio)} (${formatMoney(accountsArr(accounts))} ARR): ${names(accounts)}.`;
}

export function riskLine(account: PortfolioAccount): string {
  const labels = riskLabels(account.risk_factors);
  const score = account.health_score === null ? "no score" : `score ${account.health_score}`;
  return `${account.account_name} (${account.segment}, ${account.health_bucket ?? "unscored"}, ${score}, ${formatMoney(account.arr)} ARR): ${labels.length > 0 ? listOf(labels) : "no specific risk factor"}.`;
}
