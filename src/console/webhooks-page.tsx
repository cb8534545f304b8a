import type { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { SUBSCRIBABLE_EVENT_TYPES } from "../domain/events";
import type { FieldError } from "../contract/problems";
import {
  createWebhookBodySchema,
  deliveryParamsSchema,
  listDeliveriesQuerySchema,
  updateWebhookBodySchema,
  webhookIdParamsSchema,
  type Webhook,
} from "../contract/webhooks";
import { queuesOf } from "../bindings";
import { formBodyLimit } from "../lib/body-limit";
import { fieldErrorsOf } from "../lib/create-router";
import { ApiError, validationError } from "../lib/errors";
import {
  changeEndpoint,
  createEndpoint,
  deleteEndpoint,
  endpointDeliveries,
  getEndpoint,
  listEndpoints,
  retryEndpointDelivery,
  rotateEndpointSecret,
  testEndpoint,
} from "../services/webhooks/manage";
import { requireSecretsKey } from "../services/webhooks/secrets";
import { requirePageScope, requireSameOrigin, requireViewer, type ConsoleApp, type ConsoleEnv, type Viewer } from "./access";
import { Layout } from "./layout";
import { EndpointActions, WebhookPage, WebhookState } from "./webhook-page";

/**
 * The webhooks pages (/app/webhooks), for admin keys only, as the API's webhook routes are: the endpoints, a form that
 * creates one (its secret shown on the answer, once), and each endpoint's page (webhook-page.tsx). Every action calls
 * the service the API's route calls (services/webhooks/manage.ts), audit record included. No conditionalRead: the
 * webhook writes do not move the data version (nor do the API's webhook reads answer ETags), so a tag would go stale.
 */

/** What the create form was sent, to fill it in again beside the API's messages. */
interface CreateForm {
  url: string;
  eventTypes: string[];
  description: string;
  includeModelChanges: boolean;
}

const EMPTY_FORM: CreateForm = { url: "", eventTypes: [], description: "", includeModelChanges: false };

/** The form fields each body field of the API is entered in, so a message can link to its field. */
const FIELD_IDS: Record<string, string> = { url: "webhook-url", event_types: "webhook-types", description: "webhook-description" };

function ErrorSummary(props: { problems: FieldError[] }) {
  return (
    <div class="error-summary" role="alert">
      <h2>The webhook was not created</h2>
      <ul>
        {props.problems.map((problem) => {
          const field = problem.field.split(".")[0] ?? problem.field;
          const id = FIELD_IDS[field];
          const text = `${problem.field}: ${problem.message}`;
          return <li class="error">{id ? <a href={`#${id}`}>{text}</a> : text}</li>;
        })}
      </ul>
    </div>
  );
}

function CreateWebhookForm(props: { form: CreateForm }) {
  const { form } = props;
  return (
    <form class="webhook" method="post" action="/app/webhooks">
      <h2>Add an endpoint</h2>
      <label class="field" for="webhook-url">
        URL
        <span class="hint">https:// (outside production also http://localhost and http://127.0.0.1)</span>
      </label>
      <input id="webhook-url" type="url" name="url" value={form.url} required />
      <fieldset id="webhook-types">
        <legend>Event types to receive</legend>
        <p class="hint">Choose at least one.</p>
        {SUBSCRIBABLE_EVENT_TYPES.map((type) => (
          <label class="choice">
            <input type="checkbox" name="event_types" value={type} checked={form.eventTypes.includes(type)} />
            {type}
          </label>
        ))}
      </fieldset>
      <label class="field" for="webhook-description">
        Description (optional)
      </label>
      <input id="webhook-description" type="text" name="description" value={form.description} />
      <label class="choice">
        <input type="checkbox" name="include_model_changes" value="true" checked={form.includeModelChanges} />
        Also the account events a health model change causes
      </label>
      <button type="submit">Create the webhook</button>
    </form>
  );
}

export function WebhooksPage(props: { viewer: Viewer; webhooks: Webhook[]; form: CreateForm; problems: FieldError[] }) {
  const { webhooks } = props;
  return (
    <Layout title="Webhooks" viewer={props.viewer}>
      <h1>Webhooks</h1>
      <p class="as-of">Endpoints that receive the change feed's events as they are written, signed (Standard Webhooks).</p>
      {props.problems.length > 0 && <ErrorSummary problems={props.problems} />}
      {webhooks.length === 0 ? (
        <p class="empty">No endpoints yet: add one below.</p>
      ) : (
        <div class="table-scroll" tabindex={0} role="region" aria-label="Webhook endpoints">
          <table>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Event types</th>
                <th scope="col">State</th>
                <th scope="col" class="number">
                  Failed in a row
                </th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {webhooks.map((webhook) => (
                <tr>
                  <td class="url">
                    <a href={`/app/webhooks/${webhook.id}`}>{webhook.url}</a>
                  </td>
                  <td>{webhook.event_types.join(", ")}</td>
                  <td>
                    <WebhookState webhook={webhook} />
                  </td>
                  <td class="number">{webhook.consecutive_failures}</td>
                  <td>
                    <EndpointActions webhook={webhook} withDelete={false} withDeliveriesLink />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CreateWebhookForm form={props.form} />
    </Layout>
  );
}

/** The answer to a creation or a rotation: the secret, this once. */
export function SecretPage(props: { viewer: Viewer; title: string; webhook: Webhook; secret: string; note: string }) {
  return (
    <Layout title={props.title} viewer={props.viewer}>
      <h1>{props.title}</h1>
      <div class="secret-box" role="status">
        <h2>Signing secret</h2>
        <p>
          <strong>Copy it now: it is not shown again.</strong> Store it where the receiver can read it; it verifies the
          signature of every delivery.
        </p>
        <code class="secret">{props.secret}</code>
      </div>
      <p>{props.note}</p>
      <dl class="settings">
        <dt>URL</dt>
        <dd class="url">{props.webhook.url}</dd>
        <dt>Event types</dt>
        <dd>{props.webhook.event_types.join(", ")}</dd>
      </dl>
      <p>
        <a href={`/app/webhooks/${props.webhook.id}`}>This endpoint's page</a> · <a href="/app/webhooks">All webhooks</a>
      </p>
    </Layout>
  );
}

function textOf(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** The create form as the API's body: every checked type; no type checked is the API's empty list, which it refuses. */
async function readCreateForm(c: Context<ConsoleEnv>): Promise<{ form: CreateForm; body: unknown }> {
  const fields = await c.req.parseBody({ all: true });
  const types = fields.event_types;
  const form: CreateForm = {
    url: textOf(fields.url).trim(),
    eventTypes: (Array.isArray(types) ? types : [types]).filter((type): type is string => typeof type === "string"),
    description: textOf(fields.description).trim(),
    includeModelChanges: textOf(fields.include_model_changes) === "true",
  };
  const body = {
    url: form.url,
    event_types: form.eventTypes,
    ...(form.description === "" ? {} : { description: form.description }),
    include_model_changes: form.includeModelChanges,
  };
  return { form, body };
}

/** Input as the API's schema parses it; the page of a 400 with the API's words otherwise. */
function parsedOr400<T>(schema: z.ZodType<T>, value: unknown, target: "param" | "query" | "form"): T {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(target, fieldErrorsOf(result.error));
  return result.data;
}

/** Secret pages are not kept by the browser's cache: the secret is shown once, on this answer only. */
function neverStored(c: Context<ConsoleEnv>): void {
  c.header("Cache-Control", "no-store");
}

const adminOnly = [
  requireViewer,
  requirePageScope("admin"),
  createMiddleware<ConsoleEnv>(async (c, next) => {
    requireSecretsKey(c.get("config").secrets);
    await next();
  }),
] as const;

/** An action (a POST form): an admin's, within the API's body limit. */
const adminAction = [...adminOnly, formBodyLimit] as const;

const actorOf = (c: Context<ConsoleEnv>) => c.get("apiKeyName") ?? null;

export function registerWebhooksPage(pages: ConsoleApp) {
  pages.get("/app/webhooks", ...adminOnly, async (c) => {
    const webhooks = await listEndpoints(c.get("db"));
    return c.html(<WebhooksPage viewer={c.get("viewer")} webhooks={webhooks} form={EMPTY_FORM} problems={[]} />);
  });

  pages.post("/app/webhooks", ...adminAction, async (c) => {
    requireSameOrigin(c, "Creating a webhook");
    const db = c.get("db");
    const { form, body } = await readCreateForm(c);
    const refused = async (problems: FieldError[]) => {
      c.status(400);
      return c.html(<WebhooksPage viewer={c.get("viewer")} webhooks={await listEndpoints(db)} form={form} problems={problems} />);
    };
    const parsed = createWebhookBodySchema.safeParse(body);
    if (!parsed.success) return refused(fieldErrorsOf(parsed.error));
    try {
      const created = await createEndpoint(db, c.get("config"), parsed.data, actorOf(c));
      neverStored(c);
      c.status(201);
      const note = "Deliveries start with the next event of a type it receives; send a test from its page to check the receiver.";
      return c.html(<SecretPage viewer={c.get("viewer")} title="Webhook created" webhook={created} secret={created.secret} note={note} />);
    } catch (error) {
      // The URL rules the schema cannot check (webhooks/url-rules.ts): the same 400 and words as the API's.
      if (error instanceof ApiError && error.code === "validation_error") return refused(error.fieldErrors ?? []);
      throw error;
    }
  });

  pages.get("/app/webhooks/:id", ...adminOnly, async (c) => {
    const { id } = parsedOr400(webhookIdParamsSchema, c.req.param(), "param");
    const { limit } = parsedOr400(listDeliveriesQuerySchema, c.req.query(), "query");
    const db = c.get("db");
    const webhook = await getEndpoint(db, id);
    const deliveries = await endpointDeliveries(db, id, limit);
    return c.html(<WebhookPage viewer={c.get("viewer")} webhook={webhook} deliveries={deliveries} />);
  });

  pages.post("/app/webhooks/:id/test", ...adminAction, async (c) => {
    requireSameOrigin(c, "Sending a test");
    const { id } = parsedOr400(webhookIdParamsSchema, c.req.param(), "param");
    await testEndpoint(c.get("db"), c.get("config").secrets, id);
    return c.redirect(`/app/webhooks/${id}`, 303);
  });

  pages.post("/app/webhooks/:id/rotate-secret", ...adminAction, async (c) => {
    requireSameOrigin(c, "Rotating a secret");
    const { id } = parsedOr400(webhookIdParamsSchema, c.req.param(), "param");
    const db = c.get("db");
    const rotated = await rotateEndpointSecret(db, c.get("config").secrets, id, actorOf(c));
    const webhook = await getEndpoint(db, id);
    neverStored(c);
    const note = `Until ${rotated.previous_secret_expires_at.slice(0, 16).replace("T", " ")} UTC every delivery is signed with both the new and the previous secret, so the receiver can switch without losing one.`;
    return c.html(<SecretPage viewer={c.get("viewer")} title="Secret rotated" webhook={webhook} secret={rotated.secret} note={note} />);
  });

  pages.post("/app/webhooks/:id/enabled", ...adminAction, async (c) => {
    requireSameOrigin(c, "Enabling or disabling a webhook");
    const { id } = parsedOr400(webhookIdParamsSchema, c.req.param(), "param");
    const wanted = textOf((await c.req.parseBody()).enabled);
    const body = parsedOr400(updateWebhookBodySchema, { enabled: wanted === "true" ? true : wanted === "false" ? false : wanted }, "form");
    await changeEndpoint(c.get("db"), c.get("config"), id, body);
    return c.redirect(`/app/webhooks/${id}`, 303);
  });

  pages.post("/app/webhooks/:id/delete", ...adminAction, async (c) => {
    requireSameOrigin(c, "Deleting a webhook");
    const { id } = parsedOr400(webhookIdParamsSchema, c.req.param(), "param");
    await deleteEndpoint(c.get("db"), id, actorOf(c));
    return c.redirect("/app/webhooks", 303);
  });

  pages.post("/app/webhooks/:id/deliveries/:delivery_id/retry", ...adminAction, async (c) => {
    requireSameOrigin(c, "Retrying a delivery");
    const { id, delivery_id: deliveryId } = parsedOr400(deliveryParamsSchema, c.req.param(), "param");
    await retryEndpointDelivery(c.get("db"), queuesOf(c.env).webhooks, id, deliveryId);
    return c.redirect(`/app/webhooks/${id}`, 303);
  });
}
