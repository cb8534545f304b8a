import { sql, type SQL } from "drizzle-orm";
import { parseModelDocument, type HealthModelDocument } from "../../contract/health-models";
import { COMPONENT_POINTS } from "../../domain/health";
import type { Database } from "../../lib/types";

/** A stored model; `document` is null for model 1, whose values the configuration holds. */
export interface HealthModelRow {
  id: number;
  name: string;
  version: number;
  document: string | null;
  status: "draft" | "active" | "retired";
  created_at: string;
  created_by: string | null;
  activated_at: string | null;
}

const COLUMNS = sql.raw("id, name, version, document, status, created_at, created_by, activated_at");

/** Stores a draft, numbered after the models of the same name, in one statement. */
export async function insertDraftModel(
  db: Database,
  model: HealthModelDocument,
  createdBy: string | null,
): Promise<HealthModelRow> {
  const row = await db.get<HealthModelRow>(sql`
    INSERT INTO health_models (name, version, document, status, created_by)
    SELECT ${model.name}, 1 + count(*), ${JSON.stringify(model)}, 'draft', ${createdBy}
    FROM health_models WHERE name = ${model.name}
    RETURNING ${COLUMNS}`);
  if (!row) throw new Error("Could not record the health model");
  return row;
}

/** Every model, newest first. */
export function listModelRows(db: Database): Promise<HealthModelRow[]> {
  return db.all<HealthModelRow>(sql`SELECT ${COLUMNS} FROM health_models ORDER BY id DESC`);
}

export async function getModelRow(db: Database, id: number): Promise<HealthModelRow | null> {
  return (await db.get<HealthModelRow>(sql`SELECT ${COLUMNS} FROM health_models WHERE id = ${id}`)) ?? null;
}

/** The read of the active model (health_models_one_active_idx holds only it), to await or to send in a batch. */
export function activeModelRowQuery(db: Database) {
  return db.get<HealthModelRow | undefined>(sql`SELECT ${COLUMNS} FROM health_models WHERE status = 'active'`);
}

/** The active model's row; one is active at any time (the migrations create model 1 active). */
export function requireActiveModel(row: HealthModelRow | undefined): HealthModelRow {
  if (!row) throw new Error("No health model is active: the migrations create model 1 active");
  return row;
}

export async function getActiveModelRow(db: Database): Promise<HealthModelRow> {
  return requireActiveModel(await activeModelRowQuery(db));
}

/** What the stored scores record they follow under a model other than model 1: its id, which never changes meaning. */
export function documentModelFingerprint(id: number): string {
  return `model=${id}`;
}

/**
 * The fingerprint the stored scores must carry to be current, in SQL: the active model's (documentModelFingerprint),
 * or under model 1 the configuration's (`configurationFingerprint`), so a reader needs no round trip for the model.
 */
export function currentFingerprintSql(configurationFingerprint: string): SQL {
  return sql`(SELECT CASE WHEN document IS NULL THEN ${configurationFingerprint} ELSE 'model=' || id END
              FROM health_models WHERE status = 'active')`;
}

/**
 * The statements that make `id` the active model and retire `previousId`, to run in one batch (the partial unique
 * index allows one active model, so the retirement comes first).
 */
export function activateModelStatements(db: Database, id: number, previousId: number, activatedAt: string) {
  return [
    db.run(sql`UPDATE health_models SET status = 'retired' WHERE id = ${previousId} AND status = 'active'`),
    db.run(sql`
      UPDATE health_models SET status = 'active', activated_at = ${activatedAt}, replaced_model_id = ${previousId}
      WHERE id = ${id} AND status = 'draft'`),
  ] as const;
}

/** Each activation after the first: when it happened and which model it replaced, oldest first. */
export function listModelChanges(db: Database) {
  return db.all<{ activated_at: string; from_model: number; to_model: number }>(sql`
    SELECT activated_at, replaced_model_id AS from_model, id AS to_model FROM health_models
    WHERE replaced_model_id IS NOT NULL ORDER BY activated_at, id`);
}

/** Model 1's component keys, in the order of its points columns. */
const MODEL_ONE_KEYS = Object.keys(COMPONENT_POINTS);

/**
 * The component keys of the given models (model 1's without a read): what names the points columns of their scores.
 * A model that no longer exists has none.
 */
export async function componentKeysOfModels(db: Database, ids: ReadonlySet<number>): Promise<Map<number, readonly string[]>> {
  const keys = new Map<number, readonly string[]>([[1, MODEL_ONE_KEYS]]);
  const others = [...ids].filter((id) => id !== 1);
  if (others.length === 0) return keys;
  const rows = await db.all<{ id: number; document: string | null }>(
    sql`SELECT id, document FROM health_models WHERE id IN (SELECT value FROM json_each(${JSON.stringify(others)}))`,
  );
  for (const row of rows) {
    if (row.document !== null) keys.set(row.id, parseModelDocument(row.document).components.map((component) => component.key));
  }
  return keys;
}
