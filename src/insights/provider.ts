import type { PortfolioAccount, PortfolioRecommendation, Recommendation } from "../domain/recommend";
import type { AccountSnapshot, RiskFactor } from "../domain/risk";
import type { Bucket, Segment } from "../domain/types";
import type { AccountInsight, PortfolioInsight } from "./schema";

/**
 * One interface, one implementation per backend (rules, Workers AI, OpenAI). The caller computes the figures, risk
 * factors and recommendations; a provider only writes the text and picks among the playbooks offered.
 */

export const INSIGHT_SOURCES = ["workers-ai", "openai", "rules"] as const;
export type InsightSource = (typeof INSIGHT_SOURCES)[number];

export interface AccountInsightInput {
  account: AccountSnapshot;
  risk_factors: RiskFactor[];
  /** The ranked playbooks for the account (at least 3): the only ones an action may apply. */
  recommendations: Recommendation[];
}

/** The /portfolio/summary figures an insight is grounded in, plus the accounts most at risk. */
export interface PortfolioSnapshot {
  total_accounts: number;
  total_arr: number;
  arr_by_bucket: Record<Bucket, number>;
  /** Percent of scored accounts per bucket. */
  risk_breakdown: Record<Bucket, number>;
  avg_health_score: number;
  arr_at_risk: number;
  arr_trend_30d: number;
  arr_trend_90d: number;
  by_segment: { segment: Segment; accounts: number; arr: number; avg_health_score: number | null }[];
  by_region: { region: string; accounts: number; arr: number; avg_health_score: number | null }[];
  trend_counts: { improving: number; stable: number; declining: number; unknown: number };
  as_of_date: string | null;
  /** How many accounts are At-Risk or Critical in the whole portfolio. */
  at_risk_accounts: number;
  /**
   * At-Risk and Critical accounts with their risk factors, the biggest ARR first (see prioritiseAccounts); the biggest
   * ones only when the portfolio holds more than the service loads (then shorter than `at_risk_accounts`).
   */
  accounts_at_risk: PortfolioAccount[];
  /** Healthy accounts whose factors include the positive signal (healthy and growing), biggest ARR first. */
  growing_accounts?: PortfolioAccount[];
}

export interface PortfolioInsightRequest {
  include_recommendations: boolean;
  /** Free-text topics to steer the analysis: e.g. "churn", "adoption", "Enterprise", "EU", "expansion". */
  focus_areas: string[];
}

export interface PortfolioInsightInput {
  portfolio: PortfolioSnapshot;
  request: PortfolioInsightRequest;
  /** Playbooks for the accounts at risk (recommendForPortfolio), used when recommendations are asked for. */
  recommendations: PortfolioRecommendation[];
}

export interface InsightProvider {
  readonly source: InsightSource;
  /** The model id for LLM providers; null for the rules. */
  readonly model: string | null;
  /** Answers the account insight, or throws an InsightProviderError; `signal` aborts at the timeout. */
  accountInsight(input: AccountInsightInput, signal: AbortSignal): Promise<AccountInsight>;
  portfolioInsight(input: PortfolioInsightInput, signal: AbortSignal): Promise<PortfolioInsight>;
}

/** Why a provider's answer was not used; stable codes for logs and for `fallback_reason`. */
export const FALLBACK_CODES = [
  "timeout",
  "rate_limited",
  "http_error",
  "refusal",
  "invalid_json",
  "schema_mismatch",
  "unknown_playbook",
  "json_mode_failed",
  "provider_error",
  "not_configured",
] as const;
export type FallbackCode = (typeof FALLBACK_CODES)[number];

export class InsightProviderError extends Error {
  override name = "InsightProviderError";
  constructor(
    readonly code: FallbackCode,
    message: string,
  ) {
    super(message);
  }
}
