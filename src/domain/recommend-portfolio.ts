import { roundTo } from "./health";
import { PLAYBOOKS, type Playbook } from "./playbooks";
import { recommendPlaybooks } from "./recommend";
import type { RiskFactor } from "./risk";
import type { AccountSummary } from "./types";

/**
 * The portfolio side of the recommendations: which accounts to look at first, and the playbooks that help the
 * accounts carrying the most ARR, from each account's own ranking (recommendPlaybooks).
 */

/** One account of the portfolio with its risk factors, as the portfolio insight reads it. */
export interface PortfolioAccount extends AccountSummary {
  risk_factors: RiskFactor[];
}

/**
 * The accounts to focus on first: those At-Risk or Critical, by ARR at stake (largest first), then lowest score,
 * then id.
 */
export function prioritiseAccounts<T extends PortfolioAccount>(accounts: readonly T[]): T[] {
  return accounts
    .filter((account) => account.health_bucket === "At-Risk" || account.health_bucket === "Critical")
    .sort(
      (a, b) =>
        b.arr - a.arr ||
        (a.health_score ?? Number.POSITIVE_INFINITY) - (b.health_score ?? Number.POSITIVE_INFINITY) ||
        a.id - b.id,
    );
}

export interface PortfolioRecommendation {
  playbook: Playbook;
  /** ARR-weighted mean relevance over the accounts it addresses, 0-1, two decimals. */
  relevance_score: number;
  /** How many of the given accounts it addresses, and their ARR. */
  accounts: number;
  arr: number;
  /** The factors it addresses, most common first (ties in label order). */
  matching_risk_factors: string[];
  /** The ids of the accounts it addresses, biggest ARR first. */
  account_ids: number[];
}

/**
 * Playbooks for a set of accounts (typically those most at risk): each account's own ranking, its relevance
 * weighted by the account's ARR share, so a playbook that helps the accounts carrying the most ARR comes first.
 * Only playbooks matching some account's factors appear; ties by id.
 */
export function recommendForPortfolio(
  accounts: readonly PortfolioAccount[],
  library: readonly Playbook[] = PLAYBOOKS,
): PortfolioRecommendation[] {
  const totalArr = accounts.reduce((total, account) => total + Math.max(0, account.arr), 0);
  const byPlaybook = new Map<number, { weighted: number; arr: number; accounts: PortfolioAccount[]; labels: Map<string, number> }>();
  for (const account of accounts) {
    for (const recommendation of recommendPlaybooks(account, account.risk_factors, library)) {
      if (recommendation.matching_risk_factors.length === 0) continue;
      const entry = byPlaybook.get(recommendation.playbook.id) ?? {
        weighted: 0,
        arr: 0,
        accounts: [],
        labels: new Map<string, number>(),
      };
      // Equal weights when the accounts carry no ARR at all, so the ranking is still defined.
      const share = totalArr > 0 ? Math.max(0, account.arr) / totalArr : 1 / accounts.length;
      entry.weighted += recommendation.relevance_score * share;
      entry.arr += account.arr;
      entry.accounts.push(account);
      for (const label of recommendation.matching_risk_factors) {
        entry.labels.set(label, (entry.labels.get(label) ?? 0) + 1);
      }
      byPlaybook.set(recommendation.playbook.id, entry);
    }
  }
  return library
    .flatMap((playbook) => {
      const entry = byPlaybook.get(playbook.id);
      if (!entry) return [];
      return {
        playbook,
        relevance_score: roundTo(Math.min(1, entry.weighted), 2),
        accounts: entry.accounts.length,
        arr: roundTo(entry.arr, 2),
        matching_risk_factors: [...entry.labels.entries()]
          .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
          .map(([label]) => label),
        account_ids: [...entry.accounts].sort((a, b) => b.arr - a.arr || a.id - b.id).map((account) => account.id),
      };
    })
    .sort((a, b) => b.relevance_score - a.relevance_score || a.playbook.id - b.playbook.id);
}
