import type { AccountAssessment } from "../../domain/recommend";
import { riskLabels } from "../../domain/risk";
import { accountFields } from "../../domain/types";
import { PROMPT_ACCOUNTS_LIMIT } from "../../insights/prompt";
import type { PortfolioInsightInput } from "../../insights/provider";
import type { AccountInsight, PortfolioInsight } from "../../insights/schema";
import type { InsightOutcome } from "../../services/insights";
import type { AccountInsightResponse, PortfolioInsightResponse, Provenance } from "../../contract/insights";

/** Who answered and when, as both insight responses report it. */
function provenance(outcome: InsightOutcome<unknown>): Provenance {
  return {
    generated_at: outcome.generated_at,
    source: outcome.source,
    model: outcome.model,
    cached: outcome.cached,
    fallback_code: outcome.fallback_code,
    fallback_reason: outcome.fallback_reason,
    checks: outcome.checks,
  };
}

/** `risk_factors` are always the computed labels, whatever the model wrote. */
export function toAccountInsightResponse(
  assessment: AccountAssessment,
  outcome: InsightOutcome<AccountInsight>,
): AccountInsightResponse {
  const { account, risk_factors: riskFactors, recommendations } = assessment;
  return {
    account_id: account.id,
    account_name: account.account_name,
    summary: outcome.insight.summary,
    health_analysis: outcome.insight.health_analysis,
    risk_factors: riskLabels(riskFactors),
    recommended_actions: outcome.insight.recommended_actions,
    ...provenance(outcome),
    based_on: {
      segment: account.segment,
      region: account.region,
      arr: account.arr,
      health_score: account.health_score,
      health_bucket: account.health_bucket,
      health_components: account.health_components,
      latest_metric_date: account.latest_metric_date,
      renewal_date: account.renewal_date,
      owner: account.owner,
      trend_30d: account.trend_30d,
      trend_90d: account.trend_90d,
      risk_factors: riskFactors,
      playbook_ids: recommendations.map((recommendation) => recommendation.playbook.id),
    },
  };
}

/** The focus accounts are the ones the prompt lists: the biggest accounts at risk, up to PROMPT_ACCOUNTS_LIMIT. */
export function toPortfolioInsightResponse(
  input: PortfolioInsightInput,
  outcome: InsightOutcome<PortfolioInsight>,
): PortfolioInsightResponse {
  const { portfolio } = input;
  return {
    summary: outcome.insight.summary,
    key_findings: outcome.insight.key_findings,
    top_risks: outcome.insight.top_risks,
    opportunities: outcome.insight.opportunities,
    ...provenance(outcome),
    focus_areas: input.request.focus_areas,
    focus_accounts: portfolio.accounts_at_risk.slice(0, PROMPT_ACCOUNTS_LIMIT).map((account) => ({
      id: account.id,
      ...accountFields(account),
      risk_factors: riskLabels(account.risk_factors),
    })),
    recommendations: input.request.include_recommendations ? input.recommendations : [],
    based_on: {
      total_accounts: portfolio.total_accounts,
      total_arr: portfolio.total_arr,
      avg_health_score: portfolio.avg_health_score,
      arr_at_risk: portfolio.arr_at_risk,
      arr_trend_30d: portfolio.arr_trend_30d,
      arr_trend_90d: portfolio.arr_trend_90d,
      as_of_date: portfolio.as_of_date,
    },
  };
}
