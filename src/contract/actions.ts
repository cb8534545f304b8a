import { z } from "@hono/zod-openapi";
import { MIN_RECOMMENDATIONS, type AccountAssessment } from "../domain/recommend";
import { positiveId } from "./params";
import { bucketSchema } from "./accounts";
import { playbookSchema, riskFactorIdSchema, riskFactorSchema } from "./playbooks";

export const recommendationSchema = z
  .object({
    playbook: playbookSchema,
    relevance_score: z.number().min(0).max(1).openapi({ description: "How well it fits the account, 0-1", example: 0.62 }),
    matching_risk_factors: z
      .array(z.string())
      .openapi({ description: "Labels of the account's risk factors it addresses", example: ["Low feature adoption"] }),
    matching_risk_factor_ids: z.array(riskFactorIdSchema).openapi({ example: ["low_adoption"] }),
    reason: z.string().openapi({ description: "Why it is recommended", example: "Addresses Low feature adoption (medium)." }),
  })
  .openapi("Recommendation");

export const recommendationsSchema = z
  .object({
    account_id: z.number().int().openapi({ example: 7 }),
    recommendations: z.array(recommendationSchema).openapi({
      description: `Playbooks, most relevant first (ties by id); at least ${MIN_RECOMMENDATIONS}, never empty`,
    }),
    account_name: z.string().openapi({ example: "Initech Corp" }),
    health_score: z.number().nullable().openapi({ example: 52.3 }),
    health_bucket: bucketSchema.nullable(),
    arr: z.number().openapi({ example: 300000 }),
    risk_factors: z.array(riskFactorSchema).openapi({
      description: "The account's risk factors with their evidence, most severe first; the positive signal last",
    }),
  })
  .openapi("Recommendations", {
    description: "`{account_id, recommendations}` as in the v1 API, plus the account and its risk factors",
  });

export const recommendQuerySchema = z.object({
  account_id: positiveId().openapi({
    param: { name: "account_id", in: "query", required: true },
    description: "The account to recommend playbooks for",
    example: 7,
  }),
});

export type RecommendationsResponse = z.infer<typeof recommendationsSchema>;

/** The v1 API's `{account_id, recommendations}` first, then the account and its risk factors. */
export function toRecommendationsResponse(assessment: AccountAssessment): RecommendationsResponse {
  const { account, risk_factors: riskFactors, recommendations } = assessment;
  return {
    account_id: account.id,
    recommendations,
    account_name: account.account_name,
    health_score: account.health_score,
    health_bucket: account.health_bucket,
    arr: account.arr,
    risk_factors: riskFactors,
  };
}
