import { parseModelDocument } from "../contract/health-models";
import { documentModelFingerprint, getActiveModelRow, requireActiveModel, type HealthModelRow } from "../db/queries/health-models";
import { healthConfigFingerprint, NPS_CARRY_DAYS, type HealthConfig } from "../domain/health";
import { configuredModelSpec, type ModelSpec } from "../domain/health-model";
import type { Database } from "../lib/types";

/**
 * The model a rescore scores with. Model 1 is the formula the configuration defines, scored by its own statement
 * (scores-sql.ts); any other model is a document, scored by the statement built from it (model-scores-sql.ts). Both
 * store a component's points in the points column of its position.
 */
export type ScoringModel =
  | { kind: "configured"; id: number; config: HealthConfig }
  | { kind: "document"; id: number; spec: ModelSpec };

/** Model 1 under the given configuration. */
export function configuredModel(config: HealthConfig): ScoringModel {
  return { kind: "configured", id: 1, config };
}

/** The scoring model a stored model row describes; `health` gives model 1 its values. */
export function scoringModelOf(row: Pick<HealthModelRow, "id" | "document">, health: HealthConfig): ScoringModel {
  if (row.document === null) return { kind: "configured", id: row.id, config: health };
  return { kind: "document", id: row.id, spec: parseModelDocument(row.document) };
}

/** What the model scores, as a document: model 1's is the configuration's formula written as one. */
export function specOf(model: ScoringModel): ModelSpec {
  return model.kind === "configured" ? configuredModelSpec(model.config) : model.spec;
}

/** The scoring model of the active model's row, as a batch read it (see requireActiveModel). */
export function activeScoringModel(row: HealthModelRow | undefined, health: HealthConfig): ScoringModel {
  return scoringModelOf(requireActiveModel(row), health);
}

export async function loadActiveScoringModel(db: Database, health: HealthConfig): Promise<ScoringModel> {
  return scoringModelOf(await getActiveModelRow(db), health);
}

/**
 * What the stored scores record they follow (scoring_config): model 1's is the configuration's, as before models
 * existed, so a deploy that changes nothing rescores nothing; another model's is its id, which never changes meaning.
 */
export function scoringFingerprint(model: ScoringModel): string {
  return model.kind === "configured" ? healthConfigFingerprint(model.config) : documentModelFingerprint(model.id);
}

export function windowDaysOf(model: ScoringModel): number {
  return model.kind === "configured" ? model.config.windowDays : model.spec.window_days;
}

/**
 * A score at date t reads the window ending at t and the values carried from up to the longest carry before t, so a
 * change of the metrics at date d can move only the scores of d … d + this many days.
 */
export function rescoreReachDays(model: ScoringModel): number {
  const windowReach = windowDaysOf(model) - 1;
  if (model.kind === "configured") return Math.max(windowReach, NPS_CARRY_DAYS);
  return Math.max(windowReach, ...model.spec.components.map((component) => component.aggregation.carry_days ?? 0));
}
