import { accessWith, ADMIN_ACCESS, READ_ACCESS, WRITE_ACCESS } from "../../lib/auth";
import { jsonBodyLimit } from "../../lib/body-limit";
import { defineRoute, jsonBody } from "../../lib/openapi";
import { jsonContent } from "../../contract/problems";
import { modelActivationSchema, modelPreviewQuerySchema, modelPreviewSchema } from "../../contract/model-preview";
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

export const previewModel = defineRoute({
  method: "post",
  path: "/health/models/{id}/preview",
  operationId: "previewHealthModel",
  tag: TAG,
  access: WRITE_ACCESS,
  summary: "Preview a health model on the whole book",
  errors: ["validation_error", "not_found"],
  request: { params: healthModelIdParamsSchema, query: modelPreviewQuerySchema },
  responses: { 200: jsonContent(modelPreviewSchema, "The book under the active model and under this one") },
  description: `Scores every account's latest metric date under the model and answers, beside the active model's stored
scores: accounts and ARR per bucket, the moves between buckets (accounts and ARR), the distribution of the score change
and the 20 accounts that move most with their components before and after, plus warnings (a measure missing for many
accounts, accounts not scored yet). Writes nothing. Activating the model stores exactly these scores, so these are the
figures the book shows after it (as long as no upload lands in between). \`segment\` narrows it to one segment; an
empty book answers zeros.`,
});

export const activateModel = defineRoute({
  method: "post",
  path: "/health/models/{id}/activate",
  operationId: "activateHealthModel",
  tag: TAG,
  access: ADMIN_ACCESS,
  summary: "Activate a draft health model",
  errors: ["validation_error", "not_found", "conflict"],
  request: { params: healthModelIdParamsSchema },
  responses: {
    200: jsonContent(modelActivationSchema, "Activated, every account rescored in this request"),
    202: jsonContent(modelActivationSchema, "Activated, the rescore queued as `rescore.job`"),
  },
  description: `Makes the draft the active model and retires the previous one, in one batch that also marks every
account for rescoring and records one \`health.model_activated\` event with the preview's figures. The rescore then
runs as any recompute: inline when the book is small enough (200), else as a queued job (202, \`rescore.job\`). The
bucket changes and score drops it causes are events with \`cause: "model_change"\` and the model's id; webhooks receive
them only if they opted in (\`include_model_changes\`). Once another model is active, HEALTH_WINDOW_DAYS,
DAU_BENCHMARK_* and TICKET_CEILING no longer change any score. 409 when the model is already active or retired (a
retired model is not activated again: create it anew).`,
});

export type CreateModelRoute = typeof createModel;
export type PreviewModelRoute = typeof previewModel;
export type ActivateModelRoute = typeof activateModel;
export type ListModelsRoute = typeof listModels;
export type GetModelRoute = typeof getModel;
export type GetActiveModelRoute = typeof getActiveModel;
