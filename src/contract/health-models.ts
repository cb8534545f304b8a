import { z } from "@hono/zod-openapi";
import { componentForSegment } from "../domain/health-model";
import { SEGMENTS } from "../domain/types";
import { measureName } from "./measures";
import { idPathParams } from "./params";

/*
 * A health model as a document: what the score is made of (its components, their measures, weights and scales, per
 * segment where they differ), the window the measures are aggregated over and the bucket thresholds. Every rule a
 * model must keep is checked here, so a broken model is refused with each broken rule named.
 */

/** The measures every upload carries; a component scores one of them, or a declared one (POST /measures). */
export const BUILT_IN_MEASURES = [
  "daily_active_users",
  "feature_adoption_rate",
  "support_tickets_open",
  "nps_score",
  "login_frequency",
] as const;

export const MAX_MODEL_COMPONENTS = 12;
export const MAX_MODEL_WINDOW_DAYS = 90;
export const MAX_CARRY_DAYS = 365;
/** Weights are points: per segment they sum to this. */
export const MODEL_POINTS = 100;

const perSegment = <T extends z.ZodType>(value: T, description: string) =>
  z.partialRecord(z.enum(SEGMENTS), value).optional().openapi({ description });

const aggregationSchema = z
  .object({
    type: z.enum(["mean", "latest"]).openapi({
      description: "`mean`: the mean of the rows present in the window; `latest`: the newest value in the window",
      example: "mean",
    }),
    carry_days: z.number().int().min(0).max(MAX_CARRY_DAYS).optional().openapi({
      description: "When the window has no value: use the latest one of this many days before it (as NPS is carried today)",
      example: 90,
    }),
  })
  .openapi("ModelAggregation");

const scaleSchema = z
  .object({
    zero_at: z.number().finite().openapi({ description: "The aggregated value worth 0 points", example: 0 }),
    full_at: z.number().finite().openapi({
      description: "The value worth the component's whole weight; below `zero_at` for a measure where less is better",
      example: 200,
    }),
    zero_at_by_segment: perSegment(z.number().finite(), "`zero_at` for the segments it names"),
    full_at_by_segment: perSegment(z.number().finite(), "`full_at` for the segments it names (as the DAU benchmarks)"),
  })
  .openapi("ModelScale", {
    description: "Linear from `zero_at` to `full_at`, in either direction, clamped to [0, 1] of the weight",
  });

const componentSchema = z
  .object({
    key: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,39}$/, { error: "Expected a key of lowercase letters, digits and _, starting with a letter" })
      .openapi({ description: "The component's name in `health_components`", example: "daily_active_users" }),
    measure: measureName(
      `What it scores: one of ${BUILT_IN_MEASURES.join(", ")}, or a declared measure (GET /measures); creating a ` +
        "model refuses any other",
    ).openapi({ example: "daily_active_users" }),
    weight: z.number().finite().min(0).max(MODEL_POINTS).openapi({ description: "Points, out of 100", example: 25 }),
    weight_by_segment: perSegment(z.number().finite().min(0).max(MODEL_POINTS), "`weight` for the segments it names"),
    aggregation: aggregationSchema,
    scale: scaleSchema,
  })
  .openapi("ModelComponent");

/** Every rule a model keeps beyond each field's own: each broken one is an issue at the field that breaks it. */
function checkModelRules(model: z.infer<typeof modelFields>, context: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => context.addIssue({ code: "custom", path, message });
  if (model.buckets.at_risk_min >= model.buckets.healthy_min) {
    issue(["buckets", "at_risk_min"], `Expected at_risk_min (${model.buckets.at_risk_min}) below healthy_min (${model.buckets.healthy_min})`);
  }
  const seenKeys = new Set<string>();
  model.components.forEach((component, index) => {
    if (seenKeys.has(component.key)) issue(["components", index, "key"], `Expected a key of its own: '${component.key}' is used twice`);
    seenKeys.add(component.key);
    for (const segment of SEGMENTS) {
      const { zeroAt, fullAt } = componentForSegment(component, segment);
      if (zeroAt === fullAt) {
        issue(["components", index, "scale"], `Expected zero_at and full_at to differ (both ${zeroAt} for ${segment})`);
        break;
      }
    }
  });
  for (const segment of SEGMENTS) {
    const total = model.components.reduce((sum, component) => sum + componentForSegment(component, segment).weight, 0);
    if (Math.abs(total - MODEL_POINTS) > 1e-9) {
      issue(["components"], `Expected the weights to sum to ${MODEL_POINTS} for ${segment}, not ${total}`);
    }
  }
}

const modelFields = z.object({
  name: z.string().trim().min(1, { error: "Expected a name" }).max(100).openapi({ example: "Usage first" }),
  window_days: z.number().int().min(1).max(MAX_MODEL_WINDOW_DAYS).openapi({
    description: `The trailing window, in days ending at the score date, the measures are aggregated over (1-${MAX_MODEL_WINDOW_DAYS})`,
    example: 14,
  }),
  buckets: z
    .object({
      healthy_min: z.number().min(0).max(100).openapi({ description: "Scores at or above: Healthy", example: 75 }),
      at_risk_min: z.number().min(0).max(100).openapi({ description: "Scores at or above, below healthy_min: At-Risk", example: 45 }),
    })
    .openapi("ModelBuckets"),
  components: z.array(componentSchema).min(1).max(MAX_MODEL_COMPONENTS).openapi({
    description:
      `1 to ${MAX_MODEL_COMPONENTS} components. A component without data for an account and date gives its weight to ` +
      "the components that have data, in proportion to their weights",
  }),
});

export const healthModelDocumentSchema = modelFields.superRefine(checkModelRules).openapi("HealthModelDocument", {
  description: "A health model: its components, window and buckets. Per segment the weights sum to 100.",
});

export const healthModelSchema = modelFields
  .extend({
    id: z.number().int().openapi({ example: 2 }),
    version: z.number().int().openapi({ description: "Models are numbered in the order they were created", example: 2 }),
    status: z.enum(["draft", "active", "retired"]).openapi({ example: "draft" }),
    defined_by: z.enum(["configuration", "api"]).openapi({
      description:
        "`configuration`: model 1, today's formula, whose window, DAU benchmarks and ticket ceiling come from " +
        "HEALTH_WINDOW_DAYS, DAU_BENCHMARK_* and TICKET_CEILING; `api`: created with POST /health/models",
      example: "api",
    }),
    created_at: z.string().openapi({ example: "2026-12-07T03:40:00.000Z" }),
    created_by: z.string().nullable().openapi({ description: "The name of the API key that created it", example: "cs-ops" }),
    activated_at: z.string().nullable().openapi({ example: null }),
  })
  .openapi("HealthModel");

export const healthModelListSchema = z.object({ models: z.array(healthModelSchema) }).openapi("HealthModelList");

export const healthModelIdParamsSchema = idPathParams("Health model id (a positive whole number)", 1);

export type HealthModelDocument = z.infer<typeof healthModelDocumentSchema>;
export type HealthModel = z.infer<typeof healthModelSchema>;

/** A stored model document (health_models.document), read back through the schema it was checked against. */
export function parseModelDocument(text: string): HealthModelDocument {
  return healthModelDocumentSchema.parse(JSON.parse(text));
}
