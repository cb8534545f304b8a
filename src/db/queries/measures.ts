import { sql } from "drizzle-orm";
import type { Database } from "../../lib/types";
import { runBatch } from "../batch";

/**
 * The declared measures (`measures`) and their values, stored with each metric row as a JSON object by measure name
 * (`account_metrics.measures`, null when the row has none).
 */

/** A declared measure as stored, with how many metric rows carry it. */
export interface MeasureRow {
  name: string;
  description: string;
  min: number;
  max: number;
  rows: number;
  created_at: string;
  created_by: string | null;
}

/** A draft or the active model whose components score the measure. */
export interface ModelUsingMeasure {
  id: number;
  name: string;
}

/**
 * The key two names share when headers would match them alike. Measure names are lowercase letters, digits and `_`,
 * so of what header matching ignores (case, spaces, hyphens, underscores) only the underscores can differ.
 */
const HEADER_KEY = sql.raw("replace(name, '_', '')");

/** Where a measure's value sits in a metric row's JSON; names need no quoting in a JSON path. */
const valuePath = (name: string) => `$.${name}`;

/**
 * Declares a measure, unless a declared one has the same header key (`headerKey`: the name without underscores), in
 * one statement so two declarations at once cannot both pass. Null: one has; `clashingMeasure` names it.
 */
export async function insertMeasure(
  db: Database,
  measure: Omit<MeasureRow, "rows" | "created_at">,
  headerKey: string,
): Promise<MeasureRow | null> {
  const row = await db.get<MeasureRow | undefined>(sql`
    INSERT INTO measures (name, description, min, max, created_by)
    SELECT ${measure.name}, ${measure.description}, ${measure.min}, ${measure.max}, ${measure.created_by}
    WHERE NOT EXISTS (SELECT 1 FROM measures WHERE ${HEADER_KEY} = ${headerKey})
    RETURNING name, description, min, max, 0 AS rows, created_at, created_by`);
  return row ?? null;
}

/** The declared measure whose header key is `headerKey`, if any. */
export async function clashingMeasure(db: Database, headerKey: string): Promise<string | null> {
  const row = await db.get<{ name: string } | undefined>(sql`SELECT name FROM measures WHERE ${HEADER_KEY} = ${headerKey}`);
  return row?.name ?? null;
}

/** Every declared measure by name, with its range: what an upload reads once, before its first row. */
export function listMeasureRanges(db: Database): Promise<Pick<MeasureRow, "name" | "min" | "max">[]> {
  return db.all<Pick<MeasureRow, "name" | "min" | "max">>(sql`SELECT name, min, max FROM measures ORDER BY name`);
}

/**
 * Every declared measure by name, with the metric rows that carry a value of it. The count reads every metric row
 * that has measures (no index holds them: a partial one would cost each such row an index entry written at upload).
 */
export function listMeasures(db: Database): Promise<MeasureRow[]> {
  return db.all<MeasureRow>(sql`
    SELECT d.name, d.description, d.min, d.max, coalesce(carried.rows, 0) AS rows, d.created_at, d.created_by
    FROM measures AS d
    LEFT JOIN (SELECT value.key AS name, count(*) AS rows
               FROM account_metrics AS m, json_each(m.measures) AS value
               WHERE m.measures IS NOT NULL
               GROUP BY value.key) AS carried ON carried.name = d.name
    ORDER BY d.name`);
}

/** The drafts and the active model whose components score `name` (model 1 has no document and scores none). */
const modelsUsing = (name: string) => sql`
  SELECT model.id, model.name FROM health_models AS model
  WHERE model.status IN ('draft', 'active')
    AND EXISTS (SELECT 1 FROM json_each(model.document, '$.components') AS component
                WHERE component.value ->> 'measure' = ${name})`;

/** The measure is declared and no draft nor the active model uses it: it may go. */
const removable = (name: string) => sql`
  EXISTS (SELECT 1 FROM measures WHERE name = ${name}) AND NOT EXISTS (${modelsUsing(name)})`;

export type MeasureRemoval = { removed: true } | { removed: false; declared: boolean; usedBy: ModelUsingMeasure[] };

/**
 * Removes a measure and its values from every metric row (the object without its key; null once empty), in one
 * atomic batch whose writes both check that no draft nor the active model uses it, so a model created meanwhile
 * keeps it. The condition does not depend on the row, so SQLite tests it once, before the scan.
 */
export async function removeMeasure(db: Database, name: string): Promise<MeasureRemoval> {
  const path = valuePath(name);
  const [declared, usedBy, , deleted] = await runBatch(db, [
    db.all<{ name: string }>(sql`SELECT name FROM measures WHERE name = ${name}`),
    db.all<ModelUsingMeasure>(sql`${modelsUsing(name)} ORDER BY model.id`),
    db.run(sql`
      UPDATE account_metrics SET measures = nullif(json_remove(measures, ${path}), '{}')
      WHERE ${removable(name)} AND measures ->> ${path} IS NOT NULL`),
    db.all<{ name: string }>(sql`DELETE FROM measures WHERE name = ${name} AND ${removable(name)} RETURNING name`),
  ]);
  return deleted.length > 0 ? { removed: true } : { removed: false, declared: declared.length > 0, usedBy };
}
