import { accessWith, READ_ACCESS, WRITE_ACCESS } from "../../lib/auth";
import { jsonBodyLimit } from "../../lib/body-limit";
import { defineRoute, jsonBody } from "../../lib/openapi";
import { jsonContent } from "../../contract/problems";
import {
  healthModelDocumentSchema,
  healthModelIdParamsSchema,
  healthModelListSchema,
  healthModelSchema,
  MAX_MODEL_COMPONENTS,
  MAX_MODEL_WINDOW_DAYS,
} from "../../contract/health-models";

const TAG = "Health models";

const RULES = `A model is refused with 400 naming every broken rule: per segment the weights sum to 100 (\`weight_by_segment\`
replaces the weight for the segments it names); \`at_risk_min\` is below \`healthy_min\`; \`zero_at\` and \`full_at\` differ
(per segment too); every measure is known; the window is 1-${MAX_MODEL_WINDOW_DAYS} days; at most ${MAX_MODEL_COMPONENTS}
components, each with a key of its own.`;

export const createModel = defineRoute({
  method: "post",
  path: "/health/models",
  operationId: "createHealthModel",
  tag: TAG,
  access: accessWith(WRITE_ACCESS, jsonBodyLimit),
  summary: "Create a draft health model",
  errors: ["validation_error", "bad_request", "payload_too_large"],
  request: { body: jsonBody(healthModelDocumentSchema) },
  responses: {
    201: jsonContent(healthModelSchema, "The draft, numbered after the models of the same name"),
  },
  description: `Stores a health model as a draft: the components of the score (a measure each, aggregated over the
window as a \`mean\` or the \`latest\` value, scaled linearly from \`zero_at\` to \`full_at\`, worth \`weight\` points), the
window and the bucket thresholds. A component without data for an account and date gives its weight to the others, in
proportion to theirs. A draft changes no score: the scores follow the active model (\`GET /health/model\`).

${RULES}`,
});

export const listModels = defineRoute({
  method: "get",
  path: "/health/models",
  operationId: "listHealthModels",
  tag: TAG,
  access: READ_ACCESS,
  summary: "List the health models",
  responses: { 200: jsonContent(healthModelListSchema, "Every model, newest first") },
  description: "Every model, newest first: the drafts, the active model and the retired ones.",
});

export const getModel = defineRoute({
  method: "get",
  path: "/health/models/{id}",
  operationId: "getHealthModel",
  tag: TAG,
  access: READ_ACCESS,
  summary: "One health model",
  errors: ["validation_error", "not_found"],
  request: { params: healthModelIdParamsSchema },
  responses: { 200: jsonContent(healthModelSchema, "The model") },
  description: "The model's document and its status.",
});

export const getActiveModel = defineRoute({
  method: "get",
  path: "/health/model",
  operationId: "getActiveHealthModel",
  tag: TAG,
  access: READ_ACCESS,
  summary: "The active health model",
  responses: { 200: jsonContent(healthModelSchema, "The model the scores follow") },
  description: `The model the stored scores follow. Until another model is activated that is model 1, the formula the
configuration defines (\`defined_by: "configuration"\`): its window, DAU benchmarks and ticket ceiling are
HEALTH_WINDOW_DAYS, DAU_BENCHMARK_* and TICKET_CEILING.`,
});

export type CreateModelRoute = typeof createModel;
export type ListModelsRoute = typeof listModels;
export type GetModelRoute = typeof getModel;
export type GetActiveModelRoute = typeof getActiveModel;
