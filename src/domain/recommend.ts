import { roundTo } from "./health";
import { PLAYBOOKS, type Playbook } from "./playbooks";
import { compareRiskFactors, formatMoney, type RiskFactor, type RiskFactorId, type Severity } from "./risk";
import type { Bucket, Segment } from "./types";

/**
 * Ranks the playbook library for one account (and for a portfolio) from its risk factors. Pure and deterministic:
 * ties keep the library order (by id).
 *
 * A matching factor weighs severity × importance of the factor, reduced when it is not the playbook's main purpose
 * (the first factor it lists). A playbook's relevance is led by its best match and grows with the others without
 * ever reaching past 1: best + (1 − best) × EXTRA_MATCH_WEIGHT × (1 − Π(1 − other)). ARR-sensitive playbooks (EBR,
 * renewal) then gain up to ARR_BOOST of their remaining headroom, on a log scale of the account's ARR.
 */

export const SEVERITY_WEIGHTS: Record<Severity, number> = { high: 0.8, medium: 0.5, low: 0.25 };
/** How directly each factor threatens (or, for the positive signal, grows) revenue. */
export const FACTOR_IMPORTANCE: Record<RiskFactorId, number> = {
  renewal_risk: 1,
  declining_health: 0.9,
  low_engagement: 0.8,
  low_adoption: 0.8,
  high_support_load: 0.8,
  low_nps: 0.8,
  low_login_frequency: 0.7,
  data_quality: 0.6,
  positive_signals: 1,
};
/** Multiplier of a factor that is not the first one a playbook lists (its main purpose). */
export const SECONDARY_MATCH_WEIGHT = 0.8;
/** Share of the headroom above the best match that the other matches can fill. */
export const EXTRA_MATCH_WEIGHT = 0.5;
/** Share of the remaining relevance an ARR-sensitive playbook gains at ARR_WEIGHT_CEILING or more. */
export const ARR_BOOST = 0.5;
/** ARR at or below which the ARR weight is 0, and at or above which it is 1 (log scale in between). */
export const ARR_WEIGHT_FLOOR = 10_000;
export const ARR_WEIGHT_CEILING = 1_000_000;
/** Relevance of a playbook recommended without a matching factor: proactive, or a general fit for the bucket. */
export const BASELINE_RELEVANCE = 0.2;
/** Every account gets at least this many recommendations (the insights need 3 actions). */
export const MIN_RECOMMENDATIONS = 3;

/** Proactive playbooks every Healthy account gets: Quarterly Success Planning, Champion User Program. */
export const PROACTIVE_PLAYBOOK_IDS = [5, 6] as const;

/** Playbooks that fit an account of each bucket when too few factors point anywhere; `unscored` has no bucket. */
const GENERAL_FIT: Record<Bucket | "unscored", number[]> = {
  Healthy: [5, 6, 1],
  "At-Risk": [5, 1, 9],
  Critical: [9, 1, 5],
  unscored: [10, 5, 1],
};

export interface Recommendation {
  playbook: Playbook;
  /** 0-1, two decimals. */
  relevance_score: number;
  /** Readable labels of the account's factors this playbook addresses (empty for a proactive or general fit). */
  matching_risk_factors: string[];
  matching_risk_factor_ids: RiskFactorId[];
  /** Why it is recommended, in one sentence. */
  reason: string;
}

export interface RecommendationAccount {
  arr: number;
  health_bucket: Bucket | null;
}

/** 0 at or below ARR_WEIGHT_FLOOR, 1 at or above ARR_WEIGHT_CEILING, log-linear in between. */
export function arrWeight(arr: number): number {
  if (arr <= ARR_WEIGHT_FLOOR) return 0;
  const weight = Math.log10(arr / ARR_WEIGHT_FLOOR) / Math.log10(ARR_WEIGHT_CEILING / ARR_WEIGHT_FLOOR);
  return Math.min(1, weight);
}

interface Scored {
  playbook: Playbook;
  relevance: number;
  matches: RiskFactor[];
  boosted: boolean;
}

export function matchWeight(playbook: Playbook, factor: RiskFactor): number {
  const primary = playbook.risk_factor_ids[0] === factor.id;
  return SEVERITY_WEIGHTS[factor.severity] * FACTOR_IMPORTANCE[factor.id] * (primary ? 1 : SECONDARY_MATCH_WEIGHT);
}

function scorePlaybook(playbook: Playbook, factors: readonly RiskFactor[], arr: number): Scored {
  const matches = factors.filter((item) => playbook.risk_factor_ids.includes(item.id)).sort(compareRiskFactors);
  const weights = matches.map((item) => matchWeight(playbook, item)).sort((a, b) => b - a);
  const [best = 0, ...others] = weights;
  const othersCombined = 1 - others.reduce((miss, weight) => miss * (1 - weight), 1);
  let relevance = best + (1 - best) * EXTRA_MATCH_WEIGHT * othersCombined;
  const boosted = playbook.arr_sensitive && matches.length > 0 && arrWeight(arr) > 0;
  if (boosted) relevance += (1 - relevance) * ARR_BOOST * arrWeight(arr);
  return { playbook, relevance, matches, boosted };
}

function matchReason(scored: Scored, arr: number): string {
  const listed = scored.matches.map((item) => `${item.label} (${item.severity})`).join(", ");
  const arrNote = scored.boosted ? `; weighted up for ${formatMoney(arr)} ARR` : "";
  return `Addresses ${listed}${arrNote}.`;
}

/**
 * The playbooks for one account, most relevant first (ties by id). Only playbooks that address one of its factors
 * are ranked by them; a Healthy account always gets the proactive playbooks, and every account gets at least
 * MIN_RECOMMENDATIONS, filled with the general fits of its bucket at BASELINE_RELEVANCE.
 */
export function recommendPlaybooks(
  account: RecommendationAccount,
  factors: readonly RiskFactor[],
  library: readonly Playbook[] = PLAYBOOKS,
): Recommendation[] {
  const recommendations: Recommendation[] = library
    .map((playbook) => scorePlaybook(playbook, factors, account.arr))
    .filter((scored) => scored.matches.length > 0)
    .map((scored) => ({
      playbook: scored.playbook,
      relevance_score: roundTo(scored.relevance, 2),
      matching_risk_factors: scored.matches.map((item) => item.label),
      matching_risk_factor_ids: scored.matches.map((item) => item.id),
      reason: matchReason(scored, account.arr),
    }));

  const add = (id: number, reason: string) => {
    const playbook = library.find((candidate) => candidate.id === id);
    if (!playbook || recommendations.some((item) => item.playbook.id === id)) return;
    recommendations.push({
      playbook,
      relevance_score: BASELINE_RELEVANCE,
      matching_risk_factors: [],
      matching_risk_factor_ids: [],
      reason,
    });
  };

  if (account.health_bucket === "Healthy") {
    for (const id of PROACTIVE_PLAYBOOK_IDS) {
      add(id, "Proactive for a Healthy account: keeps it on track and builds on its strengths.");
    }
  }
  const bucket = account.health_bucket ?? "unscored";
  for (const id of [...GENERAL_FIT[bucket], ...library.map((playbook) => playbook.id)]) {
    if (recommendations.length >= MIN_RECOMMENDATIONS) break;
    add(
      id,
      bucket === "unscored"
        ? "General fit for an account without a health score; no specific risk factor points to it."
        : `General fit for a${bucket === "At-Risk" ? "n" : ""} ${bucket} account; no specific risk factor points to it.`,
    );
  }

  return recommendations.sort(
    (a, b) => b.relevance_score - a.relevance_score || a.playbook.id - b.playbook.id,
  );
}

// ── Portfolio ────────────────────────────────────────────────────────────────────────────────────────────────────

/** One account of the portfolio with its risk factors, as the portfolio insight reads it. */
export interface PortfolioAccount {
  id: number;
  account_name: string;
  segment: Segment;
  region: string;
  arr: number;
  health_score: number | null;
  health_bucket: Bucket | null;
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
