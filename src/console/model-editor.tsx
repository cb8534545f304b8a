import type { HealthModel } from "../contract/health-models";
import type { FieldError } from "../contract/problems";
import { SEGMENTS } from "../domain/types";
import {
  componentErrors,
  componentField,
  errorsAt,
  inputNames,
  SEGMENT_FIELDS,
  segmentField,
  type DraftValues,
} from "./model-draft";
import { aggregationWords, modelTitle } from "./model-view";

/**
 * The draft editor: a POST form over a model's numbers (name, window, thresholds, and each component's weight and
 * scale, per segment where they differ). The API's schema checks what it describes; its field errors come back next
 * to the inputs they name, in a summary that links to them, with the values as the user typed them.
 */

export const EDITOR_ID = "editor";

const SEGMENT_LABELS = {
  weight_by_segment: "weight (points)",
  "scale.zero_at_by_segment": "value worth 0 points",
  "scale.full_at_by_segment": "value worth the full weight",
} as const;

export function inputId(name: string): string {
  return `field-${name.replaceAll(".", "-")}`;
}

function FieldMessages(props: { name: string; messages: string[] }) {
  if (props.messages.length === 0) return null;
  return (
    <span class="field-error" id={`${inputId(props.name)}-error`}>
      {props.messages.join(" ")}
    </span>
  );
}

/** One text input (numbers too: what the user typed comes back as typed, and the API's schema names what is wrong). */
function Input(props: { name: string; label: string; hiddenLabel?: boolean; values: DraftValues; errors: readonly FieldError[]; numeric?: boolean }) {
  const messages = errorsAt(props.errors, props.name);
  const id = inputId(props.name);
  return (
    <>
      <label for={id} class={props.hiddenLabel ? "visually-hidden" : undefined}>
        {props.label}
      </label>
      <input
        id={id}
        name={props.name}
        type="text"
        inputmode={props.numeric === false ? undefined : "decimal"}
        value={props.values[props.name] ?? ""}
        aria-invalid={messages.length > 0 ? "true" : undefined}
        aria-describedby={messages.length > 0 ? `${id}-error` : undefined}
      />
      <FieldMessages name={props.name} messages={messages} />
    </>
  );
}

/** Where a field error's link in the summary goes: its input, else its component's row, else the components. */
function anchorOf(field: string, inputs: ReadonlySet<string>): string {
  if (inputs.has(field)) return inputId(field);
  const component = /^components\.(\d+)/.exec(field);
  return component ? `component-${component[1]}` : field.startsWith("components") ? "field-components" : EDITOR_ID;
}

export function DraftEditor(props: { base: HealthModel; values: DraftValues; errors: readonly FieldError[] }) {
  const { base, values, errors } = props;
  const inputs = inputNames(base);
  const field = (name: string, label: string, numeric = true) => (
    <div class="field">
      <Input name={name} label={label} values={values} errors={errors} numeric={numeric} />
    </div>
  );
  const cell = (name: string, label: string) => (
    <td>
      <Input name={name} label={label} hiddenLabel values={values} errors={errors} />
    </td>
  );
  return (
    <section class="panel editor" aria-labelledby={EDITOR_ID}>
      <h2 id={EDITOR_ID}>New draft</h2>
      <p>
        Starts from <a href={`/app/model/${base.id}`}>{modelTitle(base)}</a>. Change the numbers: each component keeps its
        measure and aggregation. A draft changes no score until it is activated; its preview shows what it would change.
      </p>
      {errors.length > 0 && (
        <div class="error-summary" role="alert">
          <p>The draft was not created:</p>
          <ul>
            {errors.map((error) => (
              <li>
                <a href={`#${anchorOf(error.field, inputs)}`}>
                  {error.field}: {error.message}
                </a>
              </li>
            ))}
          </ul>
        </div>
      )}
      {/* The fragment brings a refused draft's page back to its errors (a redirect keeps it, to no effect). */}
      <form method="post" action={`/app/model#${EDITOR_ID}`} class="draft">
        <input type="hidden" name="from" value={String(base.id)} />
        <div class="fields">
          {field("name", "Name", false)}
          {field("window_days", "Window (days)")}
          {field("buckets.healthy_min", "Healthy from (score)")}
          {field("buckets.at_risk_min", "At-Risk from (score)")}
        </div>
        <h3 id="field-components">Components</h3>
        <p class="hint">The weights are points: for every segment they sum to 100.</p>
        <FieldMessages name="components" messages={errorsAt(errors, "components")} />
        <div class="table-scroll" tabindex={0} role="region" aria-label="The draft's components">
          <table>
            <thead>
              <tr>
                <th scope="col">Component</th>
                <th scope="col">Weight (points)</th>
                <th scope="col">0 points at</th>
                <th scope="col">Full points at</th>
              </tr>
            </thead>
            <tbody>
              {base.components.map((component, index) => {
                const messages = componentErrors(errors, index, inputs);
                return (
                  <tr id={`component-${index}`}>
                    <th scope="row">
                      {component.key}
                      <span class="hint">
                        {component.measure}, {aggregationWords(component.aggregation)}
                      </span>
                      {messages.length > 0 && <span class="field-error">{messages.join(" ")}</span>}
                    </th>
                    {cell(componentField(index, "weight"), `Weight of ${component.key} (points)`)}
                    {cell(componentField(index, "scale.zero_at"), `${component.key}: value worth 0 points`)}
                    {cell(componentField(index, "scale.full_at"), `${component.key}: value worth the full weight`)}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <h3>Per segment</h3>
        <p class="hint">A value here replaces the component's own for that segment; blank: the component's own.</p>
        <div class="table-scroll" tabindex={0} role="region" aria-label="The draft's values per segment">
          <table>
            <thead>
              <tr>
                <th scope="col">Component and segment</th>
                <th scope="col">Weight (points)</th>
                <th scope="col">0 points at</th>
                <th scope="col">Full points at</th>
              </tr>
            </thead>
            <tbody>
              {base.components.flatMap((component, index) =>
                SEGMENTS.map((segment) => (
                  <tr>
                    <th scope="row">
                      {component.key}, {segment}
                    </th>
                    {SEGMENT_FIELDS.map((segmentValue) =>
                      cell(
                        segmentField(index, segmentValue, segment),
                        `${component.key}, ${segment}: ${SEGMENT_LABELS[segmentValue]}`,
                      ),
                    )}
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </div>
        <button type="submit">Create the draft</button>
      </form>
    </section>
  );
}
