import { z } from "@hono/zod-openapi";
import { PLAYBOOK_PRIORITIES } from "../domain/playbooks";
import { accountIdAndName, count, money } from "./fields";
import { flag } from "./params";
import { bucketSchema, healthComponentsSchema, segmentSchema, trendSchema } from "./accounts";
import { playbookSchema, riskFactorSchema } from "./playbooks";

/** Who can write an insight: a model, or the rules. */
export const PROVIDER_SOURCES = ["workers-ai", "openai", "rules"] as const;
export type ProviderSource = (typeof PROVIDER_SOURCES)[number];
/** Who wrote the answer served: a provider, or a model whose failed parts the rules replaced. */
export const INSIGHT_SOURCES = [...PROVIDER_SOURCES, "workers-ai+rules", "openai+rules"] as const;
export type InsightSource = (typeof INSIGHT_SOURCES)[number];

/** How many actions an account insight recommends. */
export const ACCOUNT_INSIGHT_ACTIONS = 3;

/** Why a provider's answer was not used; stable codes for logs and for `fallback_reason`. */
export const FALLBACK_CODES = [
  "timeout",
  "rate_limited",
  "http_error",
  "refusal",
  "invalid_json",
  "schema_mismatch",
  "checks_failed",
  "json_mode_failed",
  "provider_error",
  "not_configured",
] as const;
export type FallbackCode = (typeof FALLBACK_CODES)[number];

export const refreshQuerySchema = z.object({
  refresh: flag().openapi({
    param: { name: "refresh", in: "query" },
    description: "`true` asks the provider again even when a stored answer for the same data exists",
    example: false,
  }),
});

export const insightSourceSchema = z.enum(INSIGHT_SOURCES).openapi("InsightSource", {
  description:
    "Who wrote the answer: `workers-ai` (the AI binding), `openai` (Chat Completions), `rules` (deterministic, " +
    "no network: configured so, or the fallback when the model failed), or `workers-ai+rules` / `openai+rules` (the " +
    "model's answer with the parts that failed the checks replaced by the rules' versions, listed in `checks.replaced`)",
  example: "rules",
});

export const insightChecksSchema = z
  .object({
    figures_checked: count("Figures the model's answer states (percentages, money, scores, counts, dates)", 14),
    figures_unsupported: count("Of those, the figures no figure of the data supports; none of them is shown", 0),
    replaced: z.array(z.string()).openapi({
      description:
        "The parts of the model's answer that failed a check (a figure, a bucket or a trend's direction the data does " +
        "not support, a playbook not called for or repeated, an account not in the data) and were replaced by the " +
        "rules' version; every part when the whole answer fell back to the rules",
      example: ["recommended_actions[2]"],
    }),
  })
  .openapi("InsightChecks", {
    description: "What the checks between the model and the user found in the model's answer",
  });
export type InsightChecks = z.infer<typeof insightChecksSchema>;

/** Fields every insight response carries besides those of the v1 API: who answered, and why not a model. */
const provenanceFields = {
  source: insightSourceSchema,
  model: z.string().nullable().openapi({
    description: "The model that answered; null for the rules",
    example: "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
  }),
  cached: z.boolean().openapi({
    description:
      "True when this is a stored answer computed from exactly the same data by the same provider (ask with " +
      "`refresh=true` for a new one); `generated_at` is then when it was first written",
    example: false,
  }),
  fallback_code: z.enum(FALLBACK_CODES).nullable().openapi({
    description: "Set when a model was configured but the rules answered: why",
    example: null,
  }),
  fallback_reason: z.string().nullable().openapi({
    description: "The same, readable: which provider failed and how",
    example: null,
  }),
  checks: insightChecksSchema.nullable().openapi({
    description: "What the checks found in the model's answer; null when the rules wrote it without a model answer to check",
  }),
};

export const recommendedActionSchema = z
  .object({
    title: z.string().openapi({ example: "Run the Feature Adoption Campaign" }),
    description: z.string().openapi({
      example: "Feature adoption averages 32% over the last 7 days (below 40%): drive the unused features with guides and a webinar.",
    }),
    priority: z.enum(PLAYBOOK_PRIORITIES).openapi({ example: "High" }),
    estimated_impact: z.string().openapi({ example: "Feature adoption up by 15 percentage points within a month" }),
    playbook_id: z.number().int().min(1).max(10).openapi({ description: "The playbook this action applies", example: 2 }),
  })
  .openapi("RecommendedAction");

export const accountInsightResponseSchema = z
  .object({
    account_id: z.number().int().openapi({ example: 7 }),
    account_name: z.string().openapi({ example: "Initech Corp" }),
    summary: z.string().openapi({
      example: "Initech Corp (Mid-Market, EU) is At-Risk at 52.3 with $300,000 ARR; the score moved -6.4 points over 30 days.",
    }),
    health_analysis: z.string().openapi({
      example: "Feature adoption is the weakest component at 8.0 of 25 points.",
    }),
    risk_factors: z.array(z.string()).openapi({
      description: "Labels of the account's computed risk factors (never the model's own list)",
      example: ["Renewal at risk", "Low feature adoption"],
    }),
    recommended_actions: z
      .array(recommendedActionSchema)
      .length(ACCOUNT_INSIGHT_ACTIONS)
      .openapi({ description: "Exactly 3 actions, most important first, each applying a different recommended playbook" }),
    generated_at: z.string().openapi({ example: "2026-11-25T10:00:00.000Z" }),
    ...provenanceFields,
    based_on: z
      .object({
        segment: segmentSchema,
        region: z.string().openapi({ example: "EU" }),
        arr: z.number().openapi({ example: 300000 }),
        health_score: z.number().nullable().openapi({ example: 52.3 }),
        health_bucket: bucketSchema.nullable(),
        health_components: healthComponentsSchema.nullable(),
        latest_metric_date: z.string().nullable().openapi({ example: "2026-10-31" }),
        renewal_date: z.string().nullable().openapi({ description: "Null when unknown", example: "2026-12-13" }),
        owner: z.string().nullable().openapi({ description: "The account's owner (CSM); null when unknown", example: "Dana Scully" }),
        trend_30d: trendSchema.nullable(),
        trend_90d: trendSchema.nullable(),
        risk_factors: z.array(riskFactorSchema),
        playbook_ids: z
          .array(z.number().int())
          .openapi({ description: "The playbooks offered, most relevant first; every action applies one of them", example: [9, 2, 1, 4] }),
      })
      .openapi("AccountInsightBasis", { description: "The figures the insight was written from" }),
  })
  .openapi("AccountInsight", {
    description: "The v1 API's fields (`account_id` to `generated_at`), then who answered, whether from the cache, and `based_on`",
  });

export const focusAccountSchema = z
  .object({
    ...accountIdAndName(12, "Stark Inc"),
    segment: segmentSchema,
    region: z.string().openapi({ example: "APAC" }),
    arr: z.number().openapi({ example: 1207217 }),
    health_score: z.number().nullable().openapi({ example: 38.1 }),
    health_bucket: bucketSchema.nullable(),
    risk_factors: z.array(z.string()).openapi({ example: ["Renewal at risk", "Low user engagement"] }),
  })
  .openapi("FocusAccount");

export const portfolioRecommendationSchema = z
  .object({
    playbook: playbookSchema,
    relevance_score: z.number().openapi({ description: "ARR-weighted mean relevance over the accounts it addresses", example: 0.58 }),
    accounts: count("Accounts at risk it addresses", 4),
    arr: money("Their ARR", 2_150_000),
    matching_risk_factors: z.array(z.string()).openapi({ example: ["Renewal at risk"] }),
    account_ids: z.array(z.number().int()).openapi({ description: "Biggest ARR first", example: [12, 30, 7] }),
  })
  .openapi("PortfolioRecommendation");

export const portfolioInsightResponseSchema = z
  .object({
    summary: z.string().openapi({
      example: "40 accounts with $16,335,672 ARR average a health score of 66.7; $5,062,936 ARR is At-Risk or Critical.",
    }),
    key_findings: z.array(z.string()),
    top_risks: z.array(z.string()),
    opportunities: z.array(z.string()),
    generated_at: z.string().openapi({ example: "2026-11-25T10:00:00.000Z" }),
    ...provenanceFields,
    focus_areas: z.array(z.string()).openapi({ description: "The focus areas applied, trimmed and deduplicated", example: ["churn"] }),
    focus_accounts: z.array(focusAccountSchema).openapi({
      description: "The At-Risk and Critical accounts to look at first, biggest ARR at risk first (at most 10)",
    }),
    recommendations: z.array(portfolioRecommendationSchema).openapi({
      description: "Playbooks for the accounts at risk, most relevant first; empty when `include_recommendations` is false",
    }),
    based_on: z
      .object({
        total_accounts: z.number().int().openapi({ example: 40 }),
        total_arr: z.number().openapi({ example: 16_335_672 }),
        avg_health_score: z.number().openapi({ example: 66.7 }),
        arr_at_risk: z.number().openapi({ example: 5_062_936 }),
        arr_trend_30d: z.number().openapi({ example: 180_776 }),
        arr_trend_90d: z.number().openapi({ example: 1_294_349 }),
        as_of_date: z.string().nullable().openapi({ example: "2026-10-31" }),
      })
      .openapi("PortfolioInsightBasis", { description: "The /portfolio/summary figures the analysis was written from" }),
  })
  .openapi("PortfolioInsight", {
    description:
      "The fields of the v1 API (`summary` to `generated_at`), then who answered, whether from the cache, the focus " +
      "areas applied, the accounts and playbooks to act on, and the figures behind it.",
  });

export const portfolioInsightRequestSchema = z
  .object({
    include_recommendations: z.boolean().optional().openapi({
      description: "Include playbook recommendations for the accounts at risk (default true)",
      example: true,
    }),
    focus_areas: z
      .array(z.string().trim().min(1).max(100))
      .max(10)
      .optional()
      .openapi({
        description:
          "Topics to put first: a risk (churn, renewal, adoption, engagement, support, NPS, logins, data quality), " +
          "growth or expansion, trends, a segment or a region present in the data (at most 10, 100 characters each)",
        example: ["adoption", "Enterprise"],
      }),
  })
  .openapi("PortfolioInsightRequest");

export type AccountInsightResponse = z.infer<typeof accountInsightResponseSchema>;
export type PortfolioInsightResponse = z.infer<typeof portfolioInsightResponseSchema>;
export type Provenance = Pick<AccountInsightResponse, keyof typeof provenanceFields | "generated_at">;
