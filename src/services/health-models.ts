import { healthModelDocumentSchema, type HealthModel, type HealthModelDocument } from "../contract/health-models";
import { getActiveModelRow, getModelRow, insertDraftModel, listModelRows, type HealthModelRow } from "../db/queries/health-models";
import {
  AT_RISK_MIN_SCORE,
  COMPONENT_POINTS,
  HEALTHY_MIN_SCORE,
  NPS_CARRY_DAYS,
  type HealthConfig,
} from "../domain/health";
import { validationError } from "../lib/errors";
import type { Database } from "../lib/types";
import { unknownMeasureIssues } from "./measures";

/**
 * The health models as the API shows them. Model 1 is the formula the configuration defines: its document is built
 * from the configuration each time, so HEALTH_WINDOW_DAYS, DAU_BENCHMARK_* and TICKET_CEILING keep working while it is
 * the active model.
 */

/** Today's formula as a model document: the five components, their points, scales and the NPS carried 90 days. */
export function configuredModelDocument(health: HealthConfig): HealthModelDocument {
  const { Enterprise, "Mid-Market": midMarket, SMB } = health.dauBenchmarks;
  const mean = { type: "mean" as const };
  return {
    name: "Configured formula",
    window_days: health.windowDays,
    buckets: { healthy_min: HEALTHY_MIN_SCORE, at_risk_min: AT_RISK_MIN_SCORE },
    components: [
      {
        key: "daily_active_users",
        measure: "daily_active_users",
        weight: COMPONENT_POINTS.daily_active_users,
        aggregation: mean,
        scale: { zero_at: 0, full_at: Enterprise, full_at_by_segment: { "Mid-Market": midMarket, SMB } },
      },
      {
        key: "feature_adoption",
        measure: "feature_adoption_rate",
        weight: COMPONENT_POINTS.feature_adoption,
        aggregation: mean,
        scale: { zero_at: 0, full_at: 1 },
      },
      {
        key: "support_tickets",
        measure: "support_tickets_open",
        weight: COMPONENT_POINTS.support_tickets,
        aggregation: mean,
        scale: { zero_at: health.ticketCeiling, full_at: 0 },
      },
      {
        key: "nps",
        measure: "nps_score",
        weight: COMPONENT_POINTS.nps,
        aggregation: { type: "mean", carry_days: NPS_CARRY_DAYS },
        scale: { zero_at: -100, full_at: 100 },
      },
      {
        key: "login_frequency",
        measure: "login_frequency",
        weight: COMPONENT_POINTS.login_frequency,
        aggregation: mean,
        scale: { zero_at: 0, full_at: 1 },
      },
    ],
  };
}

function toHealthModel(row: HealthModelRow, health: HealthConfig): HealthModel {
  const document =
    row.document === null ? configuredModelDocument(health) : healthModelDocumentSchema.parse(JSON.parse(row.document));
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
  return toHealthModel(await insertDraftModel(db, model, createdBy), health);
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
  const row = await getActiveModelRow(db);
  if (!row) throw new Error("No health model is active: the migrations create model 1 active");
  return toHealthModel(row, health);
}
