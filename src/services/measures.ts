import { BUILT_IN_MEASURES, type HealthModelDocument } from "../contract/health-models";
import type { Measure, MeasureDeclaration } from "../contract/measures";
import type { FieldError } from "../contract/problems";
import { bumpAfter } from "../db/queries/data-version";
import { clashingMeasure, insertMeasure, listMeasureRanges, removeMeasure } from "../db/queries/measures";
import { matchKey } from "../domain/match-key";
import { automaticMatch } from "../ingest/csv-header";
import { ApiError } from "../lib/errors";
import type { Database } from "../lib/types";

/**
 * Custom measures: declaring one (its name must not be read as another column of an upload), listing them with the
 * metric rows that carry each, removing one no model uses, and the check that a model scores only known measures.
 */

/** The 409 of a name an upload would read as a column of the table (its name or an alias, however written). */
function builtInClash(name: string, column: NonNullable<ReturnType<typeof automaticMatch>>): ApiError {
  const what = column.matchedBy === "alias" ? "an alias of the built-in column" : "the built-in column";
  return new ApiError("conflict", `The measure name '${name}' is ${what} ${column.column}: an upload would read it as that column.`);
}

/** The 409 of a name an upload would read as a declared measure's: the same name, or the same but for underscores. */
async function declaredClash(db: Database, name: string, headerKey: string): Promise<ApiError> {
  const declared = (await clashingMeasure(db, headerKey)) ?? name;
  const readAs = declared === name ? "" : ` (headers are matched ignoring case and underscores, so '${name}' would be read as it)`;
  return new ApiError("conflict", `The measure '${declared}' is already declared${readAs}.`);
}

export async function declareMeasure(db: Database, declaration: MeasureDeclaration, createdBy: string | null): Promise<Measure> {
  const column = automaticMatch(declaration.name);
  if (column) throw builtInClash(declaration.name, column);
  const headerKey = matchKey(declaration.name);
  const measure = await insertMeasure(db, { ...declaration, created_by: createdBy }, headerKey);
  if (!measure) throw await declaredClash(db, declaration.name, headerKey);
  return measure;
}

/** Removes the measure and its stored values; 404 when it is not declared, 409 naming the models that use it. */
export async function deleteMeasure(db: Database, name: string): Promise<void> {
  // Its values are part of the metrics history the conditional reads answer.
  const removal = await bumpAfter(db, removeMeasure(db, name), (result) => result.removed);
  if (removal.removed) return;
  if (!removal.declared) throw new ApiError("not_found", `No measure is named '${name}'.`);
  const models = removal.usedBy.map((model) => `${model.id} (${model.name})`).join(", ");
  throw new ApiError(
    "conflict",
    `The measure '${name}' is used by the health model(s) ${models}: change or retire them before deleting it.`,
  );
}

const BUILT_IN = new Set<string>(BUILT_IN_MEASURES);

/**
 * The field errors of a model's components whose measure is neither built-in nor declared (path
 * `components.<i>.measure`); none when every measure is known. Reads the declared measures only when a component
 * names another than the built-in ones.
 */
export async function unknownMeasureIssues(db: Database, document: HealthModelDocument): Promise<FieldError[]> {
  if (document.components.every((component) => BUILT_IN.has(component.measure))) return [];
  const declared = (await listMeasureRanges(db)).map((measure) => measure.name);
  const known = new Set([...BUILT_IN, ...declared]);
  const expected =
    `a built-in measure (${BUILT_IN_MEASURES.join(", ")}) or a declared one ` +
    (declared.length > 0 ? `(${declared.join(", ")})` : "(none is declared: POST /measures declares one)");
  return document.components.flatMap((component, index) =>
    known.has(component.measure)
      ? []
      : [{ field: `components.${index}.measure`, message: `Unknown measure '${component.measure}': expected ${expected}` }],
  );
}
