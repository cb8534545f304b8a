import type { HealthModel, HealthModelDocument } from "../contract/health-models";
import type { FieldError } from "../contract/problems";
import { SEGMENTS, type Segment } from "../domain/types";

/**
 * The draft editor's form as plain values. Each input is named by its field's path in the API's model document
 * (`buckets.healthy_min`, `components.0.scale.full_at_by_segment.SMB`), the path the API's field errors name, so an
 * error lands next to its input and a value the user typed goes back into the input it came from. The form edits the
 * numbers and the name; each component's key, measure and aggregation come from the model the draft starts from.
 */

/** The form's values by input name, as typed (strings). */
export type DraftValues = Record<string, string>;

/** The per-segment values of a component, by the path of their record in the component. */
export const SEGMENT_FIELDS = ["weight_by_segment", "scale.zero_at_by_segment", "scale.full_at_by_segment"] as const;
type SegmentField = (typeof SEGMENT_FIELDS)[number];

export function componentField(index: number, field: string): string {
  return `components.${index}.${field}`;
}

export function segmentField(index: number, field: SegmentField, segment: Segment): string {
  return componentField(index, `${field}.${segment}`);
}

/** A model's document: what POST /health/models takes, without the stored model's id, status and dates. */
export function documentOf(model: HealthModel): HealthModelDocument {
  const { name, window_days, buckets, components } = model;
  return { name, window_days, buckets, components };
}

function overridesOf(component: HealthModelDocument["components"][number], field: SegmentField) {
  switch (field) {
    case "weight_by_segment":
      return component.weight_by_segment;
    case "scale.zero_at_by_segment":
      return component.scale.zero_at_by_segment;
    case "scale.full_at_by_segment":
      return component.scale.full_at_by_segment;
  }
}

/** The form's values for `document`: what the editor shows before the user changes anything. */
export function draftValues(document: HealthModelDocument): DraftValues {
  const values: DraftValues = {
    name: document.name,
    window_days: String(document.window_days),
    "buckets.healthy_min": String(document.buckets.healthy_min),
    "buckets.at_risk_min": String(document.buckets.at_risk_min),
  };
  document.components.forEach((component, index) => {
    values[componentField(index, "weight")] = String(component.weight);
    values[componentField(index, "scale.zero_at")] = String(component.scale.zero_at);
    values[componentField(index, "scale.full_at")] = String(component.scale.full_at);
    for (const field of SEGMENT_FIELDS) {
      for (const segment of SEGMENTS) {
        const value = overridesOf(component, field)?.[segment];
        if (value !== undefined) values[segmentField(index, field, segment)] = String(value);
      }
    }
  });
  return values;
}

/**
 * A typed number, or undefined when the input is blank (the schema then names the missing field); text that is no
 * number reads NaN, which the schema refuses as it refuses any value that is not a finite number.
 */
function numberOf(value: string | undefined): number | undefined {
  const text = value?.trim() ?? "";
  return text === "" ? undefined : Number(text);
}

/** A per-segment record of the non-blank inputs; absent when every one is blank (no override). */
function segmentRecord(values: DraftValues, index: number, field: SegmentField): Partial<Record<Segment, number>> | undefined {
  const entries = SEGMENTS.flatMap((segment) => {
    const value = numberOf(values[segmentField(index, field, segment)]);
    return value === undefined ? [] : [[segment, value] as const];
  });
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** Drops the absent optional fields, so the stored document has no key the user left blank. */
function present<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

/**
 * The document the form describes, over `base`'s components (their keys, measures and aggregations), for the API's
 * schema to check: nothing here decides whether it is a valid model.
 */
export function draftFromForm(base: HealthModelDocument, values: DraftValues): unknown {
  return {
    name: values.name ?? "",
    window_days: numberOf(values.window_days),
    buckets: { healthy_min: numberOf(values["buckets.healthy_min"]), at_risk_min: numberOf(values["buckets.at_risk_min"]) },
    components: base.components.map((component, index) =>
      present({
        key: component.key,
        measure: component.measure,
        weight: numberOf(values[componentField(index, "weight")]),
        weight_by_segment: segmentRecord(values, index, "weight_by_segment"),
        aggregation: component.aggregation,
        scale: present({
          zero_at: numberOf(values[componentField(index, "scale.zero_at")]),
          full_at: numberOf(values[componentField(index, "scale.full_at")]),
          zero_at_by_segment: segmentRecord(values, index, "scale.zero_at_by_segment"),
          full_at_by_segment: segmentRecord(values, index, "scale.full_at_by_segment"),
        }),
      }),
    ),
  };
}

/** The field errors to show at `name`: those of that input exactly. */
export function errorsAt(errors: readonly FieldError[], name: string): string[] {
  return errors.filter((error) => error.field === name).map((error) => error.message);
}

/**
 * The field errors of component `index` that name no input of the form (its scale as a whole, its measure, its key):
 * shown on the component's row.
 */
export function componentErrors(errors: readonly FieldError[], index: number, inputs: ReadonlySet<string>): string[] {
  const own = (field: string) => field === `components.${index}` || field.startsWith(componentField(index, ""));
  return errors.filter((error) => own(error.field) && !inputs.has(error.field)).map((error) => error.message);
}

/** The name of every input the editor shows for a draft over `base`. */
export function inputNames(base: HealthModelDocument): Set<string> {
  const names = new Set(["name", "window_days", "buckets.healthy_min", "buckets.at_risk_min"]);
  base.components.forEach((_, index) => {
    for (const field of ["weight", "scale.zero_at", "scale.full_at"]) names.add(componentField(index, field));
    for (const field of SEGMENT_FIELDS) for (const segment of SEGMENTS) names.add(segmentField(index, field, segment));
  });
  return names;
}
