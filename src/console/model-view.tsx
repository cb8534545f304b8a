import type { HealthModel, HealthModelDocument } from "../contract/health-models";
import type { ModelPreview } from "../contract/model-preview";
import { formatMoney, formatSigned } from "../domain/format";
import { bucketChanges } from "../domain/model-preview";
import { BUCKETS, SEGMENTS } from "../domain/types";

/**
 * A health model in words and numbers, the list of models, and a preview's figures: the pieces the model pages are
 * made of, as the API answers them (GET /health/model, GET /health/models, POST /health/models/{id}/preview).
 */

type Component = HealthModelDocument["components"][number];

const BUCKET_TONES = { Healthy: "healthy", "At-Risk": "at-risk", Critical: "critical" } as const;

export function aggregationWords(aggregation: Component["aggregation"]): string {
  const over = aggregation.type === "mean" ? "mean over the window" : "latest value in the window";
  return aggregation.carry_days === undefined ? over : `${over}, else the latest value carried up to ${aggregation.carry_days} days`;
}

function scaleWords(component: Component): string {
  const { zero_at, full_at } = component.scale;
  return `linear from ${zero_at} (0 points) to ${full_at} (${component.weight} points)${full_at < zero_at ? ": less is better" : ""}`;
}

/** The per-segment overrides, one line per segment that has any. */
function overrideLines(component: Component): string[] {
  return SEGMENTS.flatMap((segment) => {
    const parts = [
      component.weight_by_segment?.[segment] === undefined ? null : `${component.weight_by_segment[segment]} points`,
      component.scale.zero_at_by_segment?.[segment] === undefined ? null : `zero at ${component.scale.zero_at_by_segment[segment]}`,
      component.scale.full_at_by_segment?.[segment] === undefined ? null : `full at ${component.scale.full_at_by_segment[segment]}`,
    ].filter((part) => part !== null);
    return parts.length > 0 ? [`${segment}: ${parts.join(", ")}`] : [];
  });
}

function thresholdWords(buckets: HealthModelDocument["buckets"]): string {
  return `Healthy from ${buckets.healthy_min}; At-Risk from ${buckets.at_risk_min} to below ${buckets.healthy_min}; Critical below ${buckets.at_risk_min}`;
}

export function modelTitle(model: HealthModel): string {
  return `Model ${model.id}: ${model.name} (version ${model.version})`;
}

/** A model's window, thresholds and components, each component in words and numbers. */
export function ModelDescription(props: { model: HealthModel; label: string }) {
  const { model } = props;
  return (
    <>
      <dl class="facts">
        <div>
          <dt>Status</dt>
          <dd>{model.status}</dd>
        </div>
        <div>
          <dt>Window</dt>
          <dd>{model.window_days} days</dd>
        </div>
        <div>
          <dt>Thresholds</dt>
          <dd>{thresholdWords(model.buckets)}</dd>
        </div>
        <div>
          <dt>Defined by</dt>
          <dd>{model.defined_by === "configuration" ? "the configuration (HEALTH_WINDOW_DAYS, DAU_BENCHMARK_*, TICKET_CEILING)" : model.created_by ? `the API, by ${model.created_by}` : "the API"}</dd>
        </div>
      </dl>
      <div class="table-scroll" tabindex={0} role="region" aria-label={props.label}>
        <table class="components">
          <thead>
            <tr>
              <th scope="col">Component</th>
              <th scope="col">Measure</th>
              <th scope="col">Aggregation</th>
              <th scope="col">Scale</th>
              <th scope="col" class="number">
                Weight
              </th>
              <th scope="col">Per segment</th>
            </tr>
          </thead>
          <tbody>
            {model.components.map((component) => {
              const overrides = overrideLines(component);
              return (
                <tr>
                  <th scope="row">{component.key}</th>
                  <td>{component.measure}</td>
                  <td>{aggregationWords(component.aggregation)}</td>
                  <td>{scaleWords(component)}</td>
                  <td class="number">{component.weight} points</td>
                  <td>{overrides.length === 0 ? "none" : overrides.map((line) => <div>{line}</div>)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** Every model, newest first, each linked to its page. */
export function ModelList(props: { models: HealthModel[] }) {
  return (
    <div class="table-scroll" tabindex={0} role="region" aria-label="Health models">
      <table>
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            <th scope="col">Activated</th>
          </tr>
        </thead>
        <tbody>
          {props.models.map((model) => (
            <tr>
              <td>
                <a href={`/app/model/${model.id}`}>{modelTitle(model)}</a>
              </td>
              <td>{model.status}</td>
              <td>
                {model.created_at.slice(0, 10)}
                {model.created_by && ` by ${model.created_by}`}
              </td>
              <td>{model.activated_at?.slice(0, 10) ?? "–"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The headline of a preview: what changes bucket, and how much ARR with it. */
export function PreviewHeadline(props: { preview: ModelPreview }) {
  const { preview } = props;
  const changes = bucketChanges(preview.moves);
  const cards: [string, string][] = [
    ["Accounts previewed", preview.accounts.toLocaleString("en-US")],
    ["Accounts changing bucket", changes.accounts.toLocaleString("en-US")],
    ["ARR moved", formatMoney(changes.arr)],
    ["Mean score change", formatSigned(preview.score_change.mean, 2)],
  ];
  return (
    <dl class="cards">
      {cards.map(([label, value]) => (
        <div class="card">
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** From bucket × to bucket: the accounts and the ARR of each of the nine moves. */
export function MoveMatrix(props: { preview: ModelPreview }) {
  const move = (from: string, to: string) => props.preview.moves.find((candidate) => candidate.from === from && candidate.to === to);
  return (
    <div class="table-scroll" tabindex={0} role="region" aria-label="Moves between buckets">
      <table class="moves">
        <caption>Accounts and ARR by bucket now (rows) and under the draft (columns)</caption>
        <thead>
          <tr>
            <th scope="col">Now</th>
            {BUCKETS.map((to) => (
              <th scope="col" class="number">
                To {to}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {BUCKETS.map((from) => (
            <tr>
              <th scope="row" class={`bucket ${BUCKET_TONES[from]}`}>
                {from}
              </th>
              {BUCKETS.map((to) => {
                const figures = move(from, to);
                return (
                  <td class={`number${from === to ? " stay" : ""}`} data-move={`${from}>${to}`}>
                    {figures ? `${figures.accounts} · ${formatMoney(figures.arr)}` : "–"}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Accounts and ARR per bucket under the active model and under the draft. */
export function BucketTable(props: { preview: ModelPreview }) {
  const { active, draft } = props.preview;
  return (
    <div class="table-scroll" tabindex={0} role="region" aria-label="Buckets now and under the draft">
      <table>
        <thead>
          <tr>
            <th scope="col">Bucket</th>
            <th scope="col" class="number">
              Accounts now
            </th>
            <th scope="col" class="number">
              Under the draft
            </th>
            <th scope="col" class="number">
              ARR now
            </th>
            <th scope="col" class="number">
              Under the draft
            </th>
          </tr>
        </thead>
        <tbody>
          {BUCKETS.map((bucket) => (
            <tr>
              <th scope="row" class={`bucket ${BUCKET_TONES[bucket]}`}>
                {bucket}
              </th>
              <td class="number">{active.accounts_by_bucket[bucket]}</td>
              <td class="number">{draft.accounts_by_bucket[bucket]}</td>
              <td class="number">{formatMoney(active.arr_by_bucket[bucket])}</td>
              <td class="number">{formatMoney(draft.arr_by_bucket[bucket])}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The accounts whose score moves most, linked to their pages. */
export function TopMovers(props: { preview: ModelPreview }) {
  const movers = props.preview.top_movers;
  if (movers.length === 0) return <p class="empty">No account's score changes.</p>;
  return (
    <div class="table-scroll" tabindex={0} role="region" aria-label="Top movers">
      <table class="movers">
        <thead>
          <tr>
            <th scope="col">Account</th>
            <th scope="col">Segment</th>
            <th scope="col" class="number">
              ARR
            </th>
            <th scope="col" class="number">
              Score now
            </th>
            <th scope="col" class="number">
              Under the draft
            </th>
            <th scope="col">Bucket now</th>
            <th scope="col">Under the draft</th>
          </tr>
        </thead>
        <tbody>
          {movers.map((mover) => (
            <tr>
              <td>
                <a href={`/app/accounts/${mover.account_id}`}>{mover.account_name}</a>
              </td>
              <td>{mover.segment}</td>
              <td class="number">{formatMoney(mover.arr)}</td>
              <td class="number">{mover.score_before.toFixed(1)}</td>
              <td class="number">{mover.score_after.toFixed(1)}</td>
              <td class={`bucket ${BUCKET_TONES[mover.bucket_before]}`}>{mover.bucket_before}</td>
              <td class={`bucket ${BUCKET_TONES[mover.bucket_after]}`}>{mover.bucket_after}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
