import type { Delivery, Webhook } from "../contract/webhooks";
import type { Viewer } from "./access";
import { Layout } from "./layout";

/**
 * One webhook endpoint's page (/app/webhooks/{id}): its settings, what may be done to it, and its latest deliveries
 * as GET /webhooks/{id}/deliveries answers them. The actions are POST forms (no script), each answered by a redirect
 * back here, but the rotation, whose new secret is shown on its answer once.
 */

const DELIVERY_TONES: Record<Delivery["status"], string> = { delivered: "good", pending: "waiting", retrying: "waiting", failed: "bad" };

function when(timestamp: string | null): string {
  return timestamp === null ? "–" : timestamp.slice(0, 19).replace("T", " ");
}

export function WebhookState(props: { webhook: Webhook }) {
  const { webhook } = props;
  if (webhook.enabled) return <span class="state good">Enabled</span>;
  return (
    <>
      <span class="state bad">Disabled</span>
      {webhook.disabled_reason && `: ${webhook.disabled_reason}`}
    </>
  );
}

/** A button whose visible words are short and whose accessible name says which endpoint (or delivery) it acts on. */
function ActionButton(props: { action: string; label: string; target: string; danger?: boolean; fields?: Record<string, string> }) {
  return (
    <form method="post" action={props.action}>
      {Object.entries(props.fields ?? {}).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <button type="submit" class={props.danger ? "action danger" : "action"}>
        {props.label}
        <span class="visually-hidden"> {props.target}</span>
      </button>
    </form>
  );
}

/** What an admin can do to an endpoint; deleting only from its own page, where its settings are in view. */
export function EndpointActions(props: { webhook: Webhook; withDelete: boolean; withDeliveriesLink: boolean }) {
  const { webhook } = props;
  const base = `/app/webhooks/${webhook.id}`;
  const target = `for ${webhook.url}`;
  return (
    <div class="actions">
      {props.withDeliveriesLink && (
        <a href={base}>
          Deliveries<span class="visually-hidden"> {target}</span>
        </a>
      )}
      <ActionButton action={`${base}/test`} label="Send a test" target={target} />
      <ActionButton action={`${base}/rotate-secret`} label="Rotate secret" target={target} />
      {webhook.enabled ? (
        <ActionButton action={`${base}/enabled`} label="Disable" target={target} fields={{ enabled: "false" }} />
      ) : (
        <ActionButton action={`${base}/enabled`} label="Enable" target={target} fields={{ enabled: "true" }} />
      )}
      {props.withDelete && <ActionButton action={`${base}/delete`} label="Delete" target={target} danger />}
    </div>
  );
}

function DeliveryRow(props: { webhook: Webhook; delivery: Delivery }) {
  const { webhook, delivery } = props;
  return (
    <tr>
      <td class="number">{delivery.id}</td>
      <td>
        {delivery.event_type} <span class="as-of">#{delivery.event_id}</span>
      </td>
      <td class={`state ${DELIVERY_TONES[delivery.status]}`}>{delivery.status}</td>
      <td class="number">{delivery.attempts}</td>
      <td class="number">{delivery.last_status_code ?? "–"}</td>
      <td>{delivery.last_error ?? "–"}</td>
      <td>{when(delivery.next_attempt_at)}</td>
      <td>{when(delivery.created_at)}</td>
      <td>
        {webhook.enabled ? (
          <ActionButton
            action={`/app/webhooks/${webhook.id}/deliveries/${delivery.id}/retry`}
            label="Retry"
            target={`delivery ${delivery.id}`}
          />
        ) : (
          "Enable first"
        )}
      </td>
    </tr>
  );
}

export function WebhookPage(props: { viewer: Viewer; webhook: Webhook; deliveries: Delivery[] }) {
  const { webhook, deliveries } = props;
  return (
    <Layout title={`Webhook ${webhook.id}`} viewer={props.viewer}>
      <p>
        <a href="/app/webhooks">All webhooks</a>
      </p>
      <h1>Webhook {webhook.id}</h1>
      <dl class="settings">
        <dt>URL</dt>
        <dd class="url">{webhook.url}</dd>
        <dt>Event types</dt>
        <dd>{webhook.event_types.join(", ")}</dd>
        <dt>Description</dt>
        <dd>{webhook.description ?? "–"}</dd>
        <dt>State</dt>
        <dd>
          <WebhookState webhook={webhook} />
        </dd>
        <dt>Failed in a row</dt>
        <dd>{webhook.consecutive_failures}</dd>
        <dt>Model-change events</dt>
        <dd>{webhook.include_model_changes ? "Included" : "Left out"}</dd>
        {webhook.previous_secret_expires_at && (
          <>
            <dt>Previous secret signs until</dt>
            <dd>{when(webhook.previous_secret_expires_at)} UTC</dd>
          </>
        )}
        <dt>Created</dt>
        <dd>{when(webhook.created_at)} UTC</dd>
      </dl>
      <EndpointActions webhook={webhook} withDelete withDeliveriesLink={false} />
      <p class="as-of">Deleting removes the endpoint and its deliveries; the events stay in the feed.</p>
      <h2>Latest deliveries</h2>
      {deliveries.length === 0 ? (
        <p class="empty">No deliveries yet: send a test, or wait for the next event of a type it receives.</p>
      ) : (
        <div class="table-scroll" tabindex={0} role="region" aria-label="Deliveries">
          <table>
            <thead>
              <tr>
                <th scope="col" class="number">
                  Delivery
                </th>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col" class="number">
                  Attempts
                </th>
                <th scope="col" class="number">
                  Response
                </th>
                <th scope="col">Last error</th>
                <th scope="col">Next attempt (UTC)</th>
                <th scope="col">Created (UTC)</th>
                <th scope="col">Retry</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((delivery) => (
                <DeliveryRow webhook={webhook} delivery={delivery} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}
