import { formatMoney } from "./format";
import { roundTo } from "./health";
import { PLAYBOOKS, type Playbook } from "./playbooks";
import {
  compareRiskFactors,
  DAYS_TO_RENEWAL_METRIC,
  hasImminentRenewal,
  type AccountSnapshot,
  type RiskFactor,
  type RiskFactorId,
  type Severity,
} from "./risk";
import type { AccountSummary, Bucket } from "./types";

/**
 * Ranks the playbook library for one account from its risk factors (recommend-portfolio.ts does it for a portfolio). Pure and deterministic:
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

/**
 * Renewal Risk Mitigation: first, at relevance 1, for an account whose renewal date is near while it is not Healthy
 * (the renewal risk's DAYS_TO_RENEWAL_METRIC evidence): the save plan has a deadline no other playbook has.
 */
export const RENEWAL_PLAYBOOK_ID = 9;

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

/** An account with its risk factors and its ranked playbooks: what the decision routes reason about. */
export interface AccountAssessment {
  account: AccountSnapshot;
  risk_factors: RiskFactor[];
  recommendations: Recommendation[];
}

export type RecommendationAccount = Pick<AccountSummary, "arr" | "health_bucket">;

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

/** "the renewal on 2026-12-13 is 43 days away", from the renewal risk's evidence. */
function renewalCountdown(factors: readonly RiskFactor[]): string {
  const evidence = factors.find((factor) => factor.id === "renewal_risk")?.evidence ?? [];
  const date = evidence.find((item) => item.metric === "renewal_date")?.value;
  const days = evidence.find((item) => item.metric === DAYS_TO_RENEWAL_METRIC)?.value;
  return `the renewal on ${date ?? "its renewal date"} is ${days ?? "few"} days away`;
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
  const pinned = hasImminentRenewal(factors) ? RENEWAL_PLAYBOOK_ID : null;
  const recommendations: Recommendation[] = library
    .map((playbook) => scorePlaybook(playbook, factors, account.arr))
    .filter((scored) => scored.matches.length > 0)
    .map((scored) => {
      const first = scored.playbook.id === pinned;
      return {
        playbook: scored.playbook,
        relevance_score: first ? 1 : roundTo(scored.relevance, 2),
        matching_risk_factors: scored.matches.map((item) => item.label),
        matching_risk_factor_ids: scored.matches.map((item) => item.id),
        reason: first
          ? `${matchReason(scored, account.arr)} Ranked first: ${renewalCountdown(factors)} and the account is not Healthy.`
          : matchReason(scored, account.arr),
      };
    });

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
    (a, b) =>
      Number(b.playbook.id === pinned) - Number(a.playbook.id === pinned) ||
      b.relevance_score - a.relevance_score ||
      a.playbook.id - b.playbook.id,
  );
}
