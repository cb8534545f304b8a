import { z } from "@hono/zod-openapi";
import { PLAYBOOK_PRIORITIES } from "../domain/playbooks";
import { RISK_FACTOR_IDS, SEVERITIES } from "../domain/risk";

/* The decision vocabulary as named OpenAPI components: risk factors with their evidence, and playbooks. */

export const riskFactorIdSchema = z.enum(RISK_FACTOR_IDS).openapi("RiskFactorId", {
  description: "Stable identifier of a risk factor (see the README for each threshold)",
  example: "low_adoption",
});

const numberOrText = z.union([z.number(), z.string()]).nullable();
/**
 * zod-to-openapi renders a nullable union as `anyOf: [..., {nullable: true}]`, which OpenAPI 3.0 does not allow
 * (`nullable` needs a `type` beside it), so the document spells the union out.
 */
const NUMBER_OR_TEXT_OR_NULL = {
  anyOf: [
    { type: "number" as const, nullable: true },
    { type: "string" as const, nullable: true },
  ],
};

export const riskEvidenceSchema = z
  .object({
    metric: z.string().openapi({ description: "The figure compared", example: "feature_adoption_rate" }),
    value: numberOrText.openapi({ ...NUMBER_OR_TEXT_OR_NULL, description: "The account's value", example: 0.32 }),
    threshold: numberOrText.openapi({ ...NUMBER_OR_TEXT_OR_NULL, description: "The threshold it was compared with", example: 0.4 }),
  })
  .openapi("RiskEvidence");

export const riskFactorSchema = z
  .object({
    id: riskFactorIdSchema,
    label: z.string().openapi({ description: "The readable name, as in `risk_factors: [string]`", example: "Low feature adoption" }),
    kind: z.enum(["risk", "positive"]).openapi({
      description: "`positive` is the healthy-and-growing signal, listed so proactive playbooks can build on it",
      example: "risk",
    }),
    severity: z.enum(SEVERITIES).openapi({ example: "medium" }),
    detail: z.string().openapi({
      description: "One sentence quoting the figures",
      example: "Feature adoption averages 32% over the last 7 days (below 40%).",
    }),
    evidence: z.array(riskEvidenceSchema),
  })
  .openapi("RiskFactor", { description: "A computed, deterministic risk factor with the evidence that raised it" });

export const playbookSchema = z
  .object({
    id: z.number().int().min(1).max(10).openapi({ example: 2 }),
    title: z.string().openapi({ example: "Feature Adoption Campaign" }),
    description: z.string().openapi({
      example: "A targeted campaign that drives the use of the features the account pays for but does not use.",
    }),
    category: z.string().openapi({ example: "Adoption" }),
    priority: z.enum(PLAYBOOK_PRIORITIES).openapi({ example: "Medium" }),
    estimated_effort: z.string().openapi({ example: "2-4 weeks" }),
    risk_factors: z
      .array(z.string())
      .openapi({ description: "Labels of the risk factors it addresses", example: ["Low feature adoption", "Low user engagement"] }),
    steps: z.array(z.string()).openapi({ example: ["Identify the unused features that match the customer's use case"] }),
    slug: z.string().openapi({ example: "feature-adoption-campaign" }),
    owner_role: z.string().openapi({ example: "Customer Success Manager" }),
    duration_days: z.number().int().openapi({ example: 28 }),
    expected_outcome: z.string().openapi({ example: "Feature adoption up by 15 percentage points within a month" }),
    risk_factor_ids: z
      .array(riskFactorIdSchema)
      .openapi({ description: "Ids of the risk factors it addresses, main purpose first", example: ["low_adoption", "low_engagement"] }),
    arr_sensitive: z.boolean().openapi({
      description: "Whether a bigger contract makes it more urgent (its relevance is weighted up by the account's ARR)",
      example: false,
    }),
  })
  .openapi("Playbook", {
    description: "A customer-success playbook. The fields up to `steps` are those of the v1 API; the rest were added since.",
  });

export const playbookListSchema = z.array(playbookSchema);

export type Playbook = z.infer<typeof playbookSchema>;
