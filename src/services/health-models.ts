import { parseModelDocument, type HealthModel, type HealthModelDocument } from "../contract/health-models";
import { getActiveModelRow, getModelRow, insertDraftModel, listModelRows, type HealthModelRow } from "../db/queries/health-models";
import { bumpAfter } from "../db/queries/data-version";
import type { HealthConfig } from "../domain/health";
import { configuredModelSpec } from "../domain/health-model";
import type { Queues } from "../bindings";
import type { ModelPreview } from "../contract/model-preview";
import { previewWarnings, summarizePreview } from "../domain/model-preview";
import type { Segment } from "../domain/types";
import type { AppConfig } from "../lib/config";
import { ApiError, validationError } from "../lib/errors";
import {
  activateModel,
  previewAccounts,
  previewMovers,
  recomputeSettings,
  scoringModelOf,
  specOf,
  type RecomputeOutcome,
} from "../scoring";
import type { Database } from "../lib/types";
import { unknownMeasureIssues } from "./measures";

/**
 * The health models as the API shows them. Model 1 is the formula the configuration defines: its document is built
 * from the configuration each time, so HEALTH_WINDOW_DAYS, DAU_BENCHMARK_* and TICKET_CEILING keep working while it is
 * the active model.
 */

/** Today's formula as a model document (see configuredModelSpec). */
export function configuredModelDocument(health: HealthConfig): HealthModelDocument {
  const spec = configuredModelSpec(health);
  return { name: "Configured formula", ...spec, components: [...spec.components] };
}

function toHealthModel(row: HealthModelRow, health: HealthConfig): HealthModel {
  const document =
    row.document === null ? configuredModelDocument(health) : parseModelDocument(row.document);
  return {
    ...document,
    name: row.name,
    id: row.id,
    version: row.version,
    status: row.status,
    defined_by: row.document === null ? "configuration" : "api",
    created_at: row.created_at,
    created_by: row.created_by,
    activated_at: row.activated_at,
  };
}

export async function createDraftModel(
  db: Database,
  model: HealthModelDocument,
  createdBy: string | null,
  health: HealthConfig,
): Promise<HealthModel> {
  // Whether a measure is declared is the database's to say, so this rule is checked once the schema's rules pass.
  const unknownMeasures = await unknownMeasureIssues(db, model);
  if (unknownMeasures.length > 0) throw validationError("json", unknownMeasures);
  // A new draft changes what GET /health/models and the console's model pages answer (I5).
  return toHealthModel(await bumpAfter(db, insertDraftModel(db, model, createdBy)), health);
}

export async function listModels(db: Database, health: HealthConfig): Promise<HealthModel[]> {
  return (await listModelRows(db)).map((row) => toHealthModel(row, health));
}

export async function getModel(db: Database, id: number, health: HealthConfig): Promise<HealthModel | null> {
  const row = await getModelRow(db, id);
  return row ? toHealthModel(row, health) : null;
}

/** The model the scores follow. The migrations create model 1 active, and one model is active at any time. */
export async function getActiveModel(db: Database, health: HealthConfig): Promise<HealthModel> {
  return toHealthModel(await getActiveModelRow(db), health);
}

async function modelRowOrNotFound(db: Database, id: number): Promise<HealthModelRow> {
  const row = await getModelRow(db, id);
  if (!row) throw new ApiError("not_found", `No health model has id ${id}.`);
  return row;
}

/**
 * The book at each account's latest metric date under model `id` beside the active model's stored scores (of
 * `segment` only, when given); writes nothing.
 */
export async function previewModel(db: Database, id: number, health: HealthConfig, segment?: Segment): Promise<ModelPreview> {
  const [row, active] = await Promise.all([modelRowOrNotFound(db, id), getActiveModelRow(db)]);
  const spec = specOf(scoringModelOf(row, health));
  const summary = summarizePreview(await previewAccounts(db, spec, segment), spec.components.length);
  return {
    model_id: row.id,
    active_model_id: active.id,
    segment: segment ?? null,
    accounts: summary.accounts,
    active: summary.active,
    draft: summary.draft,
    moves: summary.moves,
    score_change: summary.score_change,
    top_movers: await previewMovers(db, spec, summary.top_mover_ids),
    warnings: previewWarnings(summary, spec.components),
  };
}

/** Only a draft is activated: 409 for the active model and for a retired one (the console's confirmation asks too). */
export function requireDraft(model: { id: number; status: HealthModelRow["status"] }): void {
  if (model.status === "active") throw new ApiError("conflict", `Health model ${model.id} is already the active model.`);
  if (model.status === "retired") {
    throw new ApiError(
      "conflict",
      `Health model ${model.id} is retired: a retired model is not activated again; create it anew (POST /health/models) to get a draft.`,
    );
  }
}

/**
 * Activates the draft `id`: the active model retires, every account is rescored under the draft (inline or queued, as
 * any recompute), and one `health.model_activated` event records the figures. 409 unless `id` is a draft.
 */
export async function activateDraftModel(
  db: Database,
  queues: Queues,
  config: AppConfig,
  id: number,
  actor: string | null,
): Promise<{ model: HealthModel; previous_model_id: number; rescore: RecomputeOutcome }> {
  const [row, active] = await Promise.all([modelRowOrNotFound(db, id), getActiveModelRow(db)]);
  requireDraft(row);
  const activation = await activateModel(db, queues, recomputeSettings(config, "api"), row, active, actor);
  const activated = await modelRowOrNotFound(db, id);
  return { model: toHealthModel(activated, config.health), previous_model_id: activation.previousModelId, rescore: activation.rescore };
}
