import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import { riskLabels } from "../../domain/risk";
import { PROMPT_ACCOUNTS_LIMIT } from "../../insights/prompt";
import { accountInsight as runAccountInsight, portfolioInsight as runPortfolioInsight, type InsightContext } from "../../insights/service";
import { ApiError } from "../../lib/errors";
import type { AppEnv } from "../../lib/types";
import type { accountInsight, portfolioInsight } from "./insights.routes";

function insightContext(c: Context<AppEnv>): InsightContext {
  return {
    d1: c.env.DB,
    db: c.get("db"),
    config: c.get("config").insights,
    dependencies: { ai: c.env.AI },
  };
}

export const forAccount: RouteHandler<typeof accountInsight, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const { refresh } = c.req.valid("query");
  const result = await runAccountInsight(insightContext(c), id, refresh);
  if (!result) throw new ApiError("not_found", `No account has id ${id}.`);
  const { account, risk_factors: riskFactors, recommendations } = result.assessment;
  const { insight, ...outcome } = result.outcome;
  return c.json(
    {
      account_id: account.id,
      account_name: account.account_name,
      summary: insight.summary,
      health_analysis: insight.health_analysis,
      risk_factors: riskLabels(riskFactors),
      recommended_actions: insight.recommended_actions,
      generated_at: outcome.generated_at,
      source: outcome.source,
      model: outcome.model,
      cached: outcome.cached,
      fallback_code: outcome.fallback_code,
      fallback_reason: outcome.fallback_reason,
      based_on: {
        segment: account.segment,
        region: account.region,
        arr: account.arr,
        health_score: account.health_score,
        health_bucket: account.health_bucket,
        health_components: account.health_components,
        latest_metric_date: account.latest_metric_date,
        trend_30d: account.trend_30d,
        trend_90d: account.trend_90d,
        risk_factors: riskFactors,
        playbook_ids: recommendations.map((recommendation) => recommendation.playbook.id),
      },
    },
    200,
  );
};

export const forPortfolio: RouteHandler<typeof portfolioInsight, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  const { refresh } = c.req.valid("query");
  const request = { include_recommendations: body.include_recommendations ?? true, focus_areas: body.focus_areas ?? [] };
  const { input, outcome } = await runPortfolioInsight(insightContext(c), request, refresh);
  const { portfolio } = input;
  return c.json(
    {
      summary: outcome.insight.summary,
      key_findings: outcome.insight.key_findings,
      top_risks: outcome.insight.top_risks,
      opportunities: outcome.insight.opportunities,
      generated_at: outcome.generated_at,
      source: outcome.source,
      model: outcome.model,
      cached: outcome.cached,
      fallback_code: outcome.fallback_code,
      fallback_reason: outcome.fallback_reason,
      focus_areas: input.request.focus_areas,
      focus_accounts: portfolio.accounts_at_risk.slice(0, PROMPT_ACCOUNTS_LIMIT).map((account) => ({
        id: account.id,
        account_name: account.account_name,
        segment: account.segment,
        region: account.region,
        arr: account.arr,
        health_score: account.health_score,
        health_bucket: account.health_bucket,
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
    },
    200,
  );
};
