import { findCachedInsight, storeInsight } from "../db/queries/insight-cache";
import type { AccountAssessment } from "../domain/recommend";
import { recommendForPortfolio } from "../domain/recommend-portfolio";
import { PROMPT_VERSION } from "../insights/prompt";
import type { PortfolioInsightInput, PortfolioInsightRequest } from "../insights/provider";
import type { AccountInsight, PortfolioInsight } from "../insights/schema";
import {
  ACCOUNT_STEPS,
  chooseProvider,
  PORTFOLIO_STEPS,
  recheckedAnswer,
  runAccountInsight,
  runPortfolioInsight,
  type InsightResult,
  type ProviderDependencies,
} from "../insights/select";
import type { InsightChecks } from "../contract/insights";
import type { AppConfig, InsightsConfig } from "../lib/config";
import { sha256Hex } from "../lib/hash";
import type { Database } from "../lib/types";
import { assessAccount, assessPortfolio } from "./assessment";

/**
 * Insights end to end: load the figures, look for a stored answer computed from exactly the same input, else ask the
 * configured provider (falling back to the rules) and store its answer. Only an answer that is wholly the provider's
 * is stored: a fallback, or a model's answer with parts replaced after failing the checks, is not, so the next request
 * asks the model again. A stored model answer is checked again when served.
 */

export interface InsightContext {
  db: Database;
  config: InsightsConfig;
  dependencies: ProviderDependencies;
}

/** The context of an insight in a request: the request's database, the insights configuration, the Workers AI binding. */
export function insightContext(db: Database, config: AppConfig, env: Pick<Env, "AI">): InsightContext {
  return { db, config: config.insights, dependencies: { ai: env.AI } };
}

/** The provider's result, served from the cache or not; `generated_at` is when the answer was first written. */
export type InsightOutcome<T> = Omit<InsightResult<T>, "duration_ms"> & { cached: boolean; generated_at: string };

/**
 * Serves `scope` from the cache when the same provider already answered the same data, else generates and stores.
 * `data` is the whole input of the answer (figures, metrics, risk factors, playbooks, request), so any change of the
 * data it was computed from makes a new answer.
 */
async function cachedOrGenerated<T>(
  context: InsightContext,
  cacheKey: { scope: string; accountId: number | null; data: unknown },
  refresh: boolean,
  generate: () => Promise<InsightResult<T>>,
  recheck: (answer: T) => InsightChecks | null,
): Promise<InsightOutcome<T>> {
  const { provider } = chooseProvider(context.config, context.dependencies);
  const inputHash = await sha256Hex(
    JSON.stringify({ prompt_version: PROMPT_VERSION, source: provider.source, model: provider.model, data: cacheKey.data }),
  );
  if (!refresh) {
    const cached = await findCachedInsight<T>(context.db, cacheKey.scope, inputHash);
    const checks = cached && cached.source !== "rules" ? recheck(cached.answer) : null;
    if (cached && (cached.source === "rules" || checks)) {
      return {
        insight: cached.answer,
        source: cached.source,
        model: cached.model,
        cached: true,
        fallback_code: null,
        fallback_reason: null,
        checks,
        generated_at: cached.generatedAt,
      };
    }
  }
  const result = await generate();
  const generatedAt = new Date().toISOString();
  const wholly = result.source === "openai" || result.source === "workers-ai" || result.source === "rules" ? result.source : null;
  if (result.fallback_code === null && wholly !== null) {
    await storeInsight(context.db, {
      scope: cacheKey.scope,
      accountId: cacheKey.accountId,
      inputHash,
      source: wholly,
      model: result.model,
      answer: result.insight,
      generatedAt,
    });
  }
  return {
    insight: result.insight,
    source: result.source,
    model: result.model,
    cached: false,
    fallback_code: result.fallback_code,
    fallback_reason: result.fallback_reason,
    checks: result.checks,
    generated_at: generatedAt,
  };
}

/** Null when there is no such account. */
export async function generateAccountInsight(
  context: InsightContext,
  accountId: number,
  refresh: boolean,
): Promise<{ assessment: AccountAssessment; outcome: InsightOutcome<AccountInsight> } | null> {
  const assessment = await assessAccount(context.db, accountId);
  if (!assessment) return null;
  const outcome = await cachedOrGenerated(
    context,
    { scope: `account:${accountId}`, accountId, data: assessment },
    refresh,
    () =>
      runAccountInsight(chooseProvider(context.config, context.dependencies), assessment, {
        timeoutMs: context.config.timeoutMs,
      }),
    (answer) => recheckedAnswer(ACCOUNT_STEPS, answer, assessment),
  );
  return { assessment, outcome };
}

/** Focus areas compared without case or surrounding space, in the order given, each once. */
function normaliseRequest(request: PortfolioInsightRequest): PortfolioInsightRequest {
  const seen = new Set<string>();
  const focusAreas: string[] = [];
  for (const area of request.focus_areas) {
    const trimmed = area.trim();
    const key = trimmed.toLowerCase();
    if (trimmed === "" || seen.has(key)) continue;
    seen.add(key);
    focusAreas.push(trimmed);
  }
  return { include_recommendations: request.include_recommendations, focus_areas: focusAreas };
}

export async function generatePortfolioInsight(
  context: InsightContext,
  request: PortfolioInsightRequest,
  refresh: boolean,
): Promise<{ input: PortfolioInsightInput; outcome: InsightOutcome<PortfolioInsight> }> {
  const portfolio = await assessPortfolio(context.db);
  const input: PortfolioInsightInput = {
    portfolio,
    request: normaliseRequest(request),
    recommendations: recommendForPortfolio(portfolio.accounts_at_risk),
  };
  const requestKey = await sha256Hex(JSON.stringify(input.request));
  const outcome = await cachedOrGenerated(
    context,
    { scope: `portfolio:${requestKey.slice(0, 16)}`, accountId: null, data: input },
    refresh,
    () =>
      runPortfolioInsight(chooseProvider(context.config, context.dependencies), input, {
        timeoutMs: context.config.timeoutMs,
      }),
    (answer) => recheckedAnswer(PORTFOLIO_STEPS, answer, input),
  );
  return { input, outcome };
}
