import type { PortfolioSnapshot } from "../domain/portfolio";
import type { AccountAssessment } from "../domain/recommend";
import type { PortfolioRecommendation } from "../domain/recommend-portfolio";
import type { ProviderSource } from "../contract/insights";
import type { AccountInsight, PortfolioInsight } from "./schema";

/**
 * One interface, one implementation per backend (rules, Workers AI, OpenAI). The caller computes the figures, risk
 * factors and recommendations; a provider only writes the text and picks among the playbooks offered.
 */


/** The account's assessment; its ranked playbooks (at least 3) are the only ones an action may apply. */
export type AccountInsightInput = AccountAssessment;

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
  readonly source: ProviderSource;
  /** The model id for LLM providers; null for the rules. */
  readonly model: string | null;
  /** Answers the account insight, or throws an InsightProviderError; `signal` aborts at the timeout. */
  accountInsight(input: AccountInsightInput, signal: AbortSignal): Promise<AccountInsight>;
  portfolioInsight(input: PortfolioInsightInput, signal: AbortSignal): Promise<PortfolioInsight>;
}
