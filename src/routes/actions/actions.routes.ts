import { createRoute, z } from "@hono/zod-openapi";
import { requireApiKey, WRITE_SECURITY } from "../../lib/auth";
import { MIN_RECOMMENDATIONS } from "../../domain/recommend";
import { jsonContent, problemResponses } from "../../lib/openapi";
import { wholeNumber } from "../../lib/params";
import { bucketSchema } from "../accounts/accounts.schemas";
import { playbookSchema, riskFactorIdSchema, riskFactorSchema } from "../playbooks/playbooks.schemas";

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
    description: "The original product's `{account_id, recommendations}`, plus the account and its risk factors",
  });

export const recommendQuerySchema = z.object({
  account_id: wholeNumber(1, Number.MAX_SAFE_INTEGER).openapi({
    param: { name: "account_id", in: "query", required: true },
    description: "The account to recommend playbooks for",
    example: 7,
  }),
});

export const recommend = createRoute({
  method: "post",
  path: "/actions/recommend",
  tags: ["Playbooks"],
  security: WRITE_SECURITY,
  middleware: [requireApiKey("write")] as const,
  summary: "Playbooks ranked for one account, with the reasons",
  description: `Computes the account's risk factors (low engagement, low adoption, high support load, low or falling NPS,
low login frequency, declining health, renewal risk, data quality, and the positive signal) from its current health,
trends and last 90 days of metrics, and ranks the playbooks that address them.

A match weighs the factor's severity (high 0.8, medium 0.5, low 0.25) by how directly the factor threatens revenue, a
little less when the factor is not the playbook's main purpose; further matches add to the best one without passing 1.
ARR-sensitive playbooks (EBR, renewal risk mitigation) gain weight with the account's ARR (log scale, $10k to $1M).
A Healthy account always gets the proactive playbooks (Quarterly Success Planning, Champion User Program), and every
account gets at least ${MIN_RECOMMENDATIONS}: the general fits of its bucket fill in at relevance 0.2.`,
  request: { query: recommendQuerySchema },
  responses: {
    200: jsonContent(recommendationsSchema, "The ranked playbooks"),
    ...problemResponses("validation_error", "not_found", "unauthorized", "service_unavailable"),
  },
});
