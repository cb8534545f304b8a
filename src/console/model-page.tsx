import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { queuesOf } from "../bindings";
import { healthModelDocumentSchema, healthModelIdParamsSchema, type HealthModel } from "../contract/health-models";
import { modelPreviewQuerySchema, type ModelPreview } from "../contract/model-preview";
import type { FieldError } from "../contract/problems";
import { formatMoney, formatSigned } from "../domain/format";
import { bucketChanges } from "../domain/model-preview";
import { SEGMENTS } from "../domain/types";
import { conditionalRead } from "../lib/conditional-read";
import { fieldErrorsOf } from "../lib/create-router";
import { ApiError, validationError } from "../lib/errors";
import { MAX_JSON_BODY_BYTES } from "../lib/body-limit";
import {
  activateDraftModel,
  createDraftModel,
  getActiveModel,
  getModel,
  listModels,
  previewModel,
  requireDraft,
} from "../services/health-models";
import { requirePageScope, requireSameOrigin, requireViewer, viewerCan, type ConsoleApp, type ConsoleEnv, type Viewer } from "./access";
import { Layout } from "./layout";
import { documentOf, draftFromForm, draftValues, type DraftValues } from "./model-draft";
import { DraftEditor, EDITOR_ID } from "./model-editor";
import { BucketTable, ModelDescription, ModelList, modelTitle, MoveMatrix, PreviewHeadline, TopMovers } from "./model-view";

/**
 * The health model pages: /app/model (the active model in words and numbers, the models, the draft editor),
 * /app/model/{id} (a model, and a draft's preview on the whole book) and /app/model/{id}/activate (the confirmation
 * that restates the preview before the activation). Each calls the service its API route calls
 * (services/health-models.ts), with the scope that route needs: reading `read`, drafts and previews `ingest`,
 * activation `admin`.
 */

interface Editor {
  base: HealthModel;
  values: DraftValues;
  errors: FieldError[];
}

export interface ModelOverview {
  active: HealthModel;
  models: HealthModel[];
  /** The editor, for a viewer who may create drafts. */
  editor: Editor | null;
  /** Set after an activation: the model now active, and the job of its rescore when queued. */
  activated: { rescoreJob: string | null } | null;
}

export function ModelPage(props: { viewer: Viewer; view: ModelOverview }) {
  const { active, models, editor, activated } = props.view;
  return (
    <Layout title={editor && editor.errors.length > 0 ? "Error: Health model" : "Health model"} viewer={props.viewer}>
      <h1>Health model</h1>
      {activated && (
        <p class="notice" role="status">
          {modelTitle(active)} is now the active model: every account is rescored under it
          {activated.rescoreJob ? ` by job ${activated.rescoreJob} (GET /health/recompute/jobs/${activated.rescoreJob}); scores change as it runs.` : "."}
        </p>
      )}
      <section class="panel" aria-labelledby="active-model">
        <h2 id="active-model">Active: {modelTitle(active)}</h2>
        <ModelDescription model={active} label="Components of the active model" />
      </section>
      <section class="panel" aria-labelledby="models">
        <h2 id="models">Models</h2>
        <ModelList models={models} />
      </section>
      {editor && <DraftEditor base={editor.base} values={editor.values} errors={editor.errors} />}
    </Layout>
  );
}

function PreviewSection(props: { model: HealthModel; preview: ModelPreview; canActivate: boolean }) {
  const { model, preview } = props;
  const change = preview.score_change;
  return (
    <section class="panel" aria-labelledby="preview">
      <h2 id="preview">Preview on {preview.segment ? `the ${preview.segment} accounts` : "the whole book"}</h2>
      <form class="filters" method="get" action={`/app/model/${model.id}`}>
        <label>
          Segment
          <select name="segment">
            <option value="">All segments</option>
            {SEGMENTS.map((segment) => (
              <option value={segment} selected={preview.segment === segment}>
                {segment}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Preview</button>
      </form>
      <p>
        Each account's latest metric date scored under this draft, beside its score under the active model (model{" "}
        {preview.active_model_id}). Nothing is stored: activating the draft stores exactly these scores.
      </p>
      <PreviewHeadline preview={preview} />
      <h3>Moves between buckets</h3>
      <MoveMatrix preview={preview} />
      <h3>Buckets</h3>
      <BucketTable preview={preview} />
      <p>
        Score change (draft − now): mean {formatSigned(change.mean, 2)}, 10th percentile {formatSigned(change.p10)}, median{" "}
        {formatSigned(change.p50)}, 90th percentile {formatSigned(change.p90)}.
      </p>
      {preview.warnings.length > 0 && (
        <ul class="warnings">
          {preview.warnings.map((warning) => (
            <li>{warning}</li>
          ))}
        </ul>
      )}
      <h3>Top movers</h3>
      <TopMovers preview={preview} />
      {props.canActivate && (
        <p>
          <a class="button" href={`/app/model/${model.id}/activate`}>
            Activate…
          </a>
        </p>
      )}
    </section>
  );
}

const STATUS_WORDS = {
  active: "This is the active model: the scores follow it.",
  retired: "This model is retired: it is not activated again (start a new draft from it instead).",
  draft: "A draft: it changes no score until it is activated.",
} as const;

export function ModelDetailPage(props: { viewer: Viewer; model: HealthModel; preview: ModelPreview | null }) {
  const { viewer, model, preview } = props;
  const canDraft = viewerCan(viewer, "ingest");
  return (
    <Layout title={`Health model ${model.id}`} viewer={viewer}>
      <p>
        <a href="/app/model">All models</a>
      </p>
      <h1>{modelTitle(model)}</h1>
      <p class="as-of">{STATUS_WORDS[model.status]}</p>
      <section class="panel" aria-labelledby="definition">
        <h2 id="definition">Definition</h2>
        <ModelDescription model={model} label={`Components of model ${model.id}`} />
        {canDraft && (
          <p>
            <a href={`/app/model?from=${model.id}#${EDITOR_ID}`}>Start a new draft from this model</a>
          </p>
        )}
      </section>
      {preview ? (
        <PreviewSection model={model} preview={preview} canActivate={viewerCan(viewer, "admin")} />
      ) : (
        model.status === "draft" && <p class="empty">Previewing a draft needs a key with the 'ingest' scope.</p>
      )}
    </Layout>
  );
}

export function ActivatePage(props: { viewer: Viewer; model: HealthModel; preview: ModelPreview }) {
  const { model, preview } = props;
  const changes = bucketChanges(preview.moves);
  return (
    <Layout title={`Activate health model ${model.id}`} viewer={props.viewer}>
      <h1>Activate {modelTitle(model)}?</h1>
      <section class="panel" aria-labelledby="restated">
        <h2 id="restated">What its preview says</h2>
        <p class="restated">
          Every account is rescored under it. By its preview, {changes.accounts.toLocaleString("en-US")} of{" "}
          {preview.accounts.toLocaleString("en-US")} accounts change bucket, moving {formatMoney(changes.arr)} of ARR; the mean
          score change is {formatSigned(preview.score_change.mean, 2)}. Model {preview.active_model_id} retires and is not
          activated again.
        </p>
        <MoveMatrix preview={preview} />
        {preview.warnings.length > 0 && (
          <ul class="warnings">
            {preview.warnings.map((warning) => (
              <li>{warning}</li>
            ))}
          </ul>
        )}
        <form method="post" action={`/app/model/${model.id}/activate`} class="confirm">
          <button type="submit">
            Activate model {model.id} ({model.name})
          </button>
          <a href={`/app/model/${model.id}`}>Back to the preview</a>
        </form>
      </section>
    </Layout>
  );
}

/** A model id from the path, the query or a form, refused with the API's 400 when it is not one. */
function modelIdOf(id: unknown, target: "param" | "query" | "form"): number {
  const parsed = healthModelIdParamsSchema.safeParse({ id });
  if (!parsed.success) throw validationError(target, fieldErrorsOf(parsed.error));
  return parsed.data.id;
}

async function modelOrNotFound(c: Context<ConsoleEnv>, id: number): Promise<HealthModel> {
  const model = await getModel(c.get("db"), id, c.get("config").health);
  if (!model) throw new ApiError("not_found", `No health model has id ${id}.`);
  return model;
}

async function overview(c: Context<ConsoleEnv>, editor: Editor | null): Promise<ModelOverview> {
  const health = c.get("config").health;
  const [active, models] = await Promise.all([getActiveModel(c.get("db"), health), listModels(c.get("db"), health)]);
  return { active, models, editor, activated: null };
}

/** A form's text fields: a file field is no value of the editor's. */
function textFields(form: Record<string, string | File | (string | File)[]>): DraftValues {
  return Object.fromEntries(Object.entries(form).flatMap(([name, value]) => (typeof value === "string" ? [[name, value]] : [])));
}

/**
 * The draft the form describes over `base`, created as POST /health/models creates one; or the API's field errors
 * for it: its schema's, then the service's own (an unknown measure). Any other failure is no form error and is thrown.
 */
async function createFromForm(
  c: Context<ConsoleEnv>,
  base: HealthModel,
  values: DraftValues,
): Promise<{ draft: HealthModel } | { errors: FieldError[] }> {
  const parsed = healthModelDocumentSchema.safeParse(draftFromForm(documentOf(base), values));
  if (!parsed.success) return { errors: fieldErrorsOf(parsed.error) };
  try {
    return { draft: await createDraftModel(c.get("db"), parsed.data, c.get("apiKeyName") ?? null, c.get("config").health) };
  } catch (error) {
    if (error instanceof ApiError && error.code === "validation_error" && error.fieldErrors) return { errors: error.fieldErrors };
    throw error;
  }
}

const formBodyLimit = bodyLimit({
  maxSize: MAX_JSON_BODY_BYTES,
  onError: () => {
    throw new ApiError("payload_too_large", `The form is larger than ${MAX_JSON_BODY_BYTES} bytes.`);
  },
});

export function registerModelPage(pages: ConsoleApp) {
  pages.get("/app/model", requireViewer, conditionalRead, async (c) => {
    const viewer = c.get("viewer");
    const from = c.req.query("from");
    const base = !viewerCan(viewer, "ingest")
      ? null
      : from === undefined
        ? await getActiveModel(c.get("db"), c.get("config").health)
        : await modelOrNotFound(c, modelIdOf(from, "query"));
    const editor = base && { base, values: draftValues(documentOf(base)), errors: [] };
    const view = await overview(c, editor);
    // The notice says only what is true now: the model the redirect names is the active one.
    const job = c.req.query("rescore_job");
    const activated = c.req.query("activated") === String(view.active.id) ? { rescoreJob: job && /^\d+$/.test(job) ? job : null } : null;
    return c.html(<ModelPage viewer={viewer} view={{ ...view, activated }} />);
  });

  pages.post("/app/model", requireViewer, requirePageScope("ingest"), formBodyLimit, async (c) => {
    requireSameOrigin(c, "Creating a draft");
    const { from, ...values } = textFields(await c.req.parseBody());
    const base = await modelOrNotFound(c, modelIdOf(from, "form"));
    const outcome = await createFromForm(c, base, values);
    if ("draft" in outcome) return c.redirect(`/app/model/${outcome.draft.id}`, 303);
    c.status(400);
    return c.html(<ModelPage viewer={c.get("viewer")} view={await overview(c, { base, values, errors: outcome.errors })} />);
  });

  pages.get("/app/model/:id", requireViewer, conditionalRead, async (c) => {
    const model = await modelOrNotFound(c, modelIdOf(c.req.param("id"), "param"));
    let preview: ModelPreview | null = null;
    if (model.status === "draft" && viewerCan(c.get("viewer"), "ingest")) {
      const query = Object.fromEntries(Object.entries(c.req.query()).filter(([, value]) => value.trim() !== ""));
      const parsed = modelPreviewQuerySchema.safeParse(query);
      if (!parsed.success) throw validationError("query", fieldErrorsOf(parsed.error));
      preview = await previewModel(c.get("db"), model.id, c.get("config").health, parsed.data.segment);
    }
    return c.html(<ModelDetailPage viewer={c.get("viewer")} model={model} preview={preview} />);
  });

  pages.get("/app/model/:id/activate", requireViewer, requirePageScope("admin"), conditionalRead, async (c) => {
    const model = await modelOrNotFound(c, modelIdOf(c.req.param("id"), "param"));
    requireDraft(model);
    const preview = await previewModel(c.get("db"), model.id, c.get("config").health);
    return c.html(<ActivatePage viewer={c.get("viewer")} model={model} preview={preview} />);
  });

  pages.post("/app/model/:id/activate", requireViewer, requirePageScope("admin"), async (c) => {
    requireSameOrigin(c, "Activating a health model");
    const id = modelIdOf(c.req.param("id"), "param");
    const activation = await activateDraftModel(c.get("db"), queuesOf(c.env), c.get("config"), id, c.get("apiKeyName") ?? null);
    const job = activation.rescore.mode === "queued" ? `&rescore_job=${activation.rescore.job.id}` : "";
    return c.redirect(`/app/model?activated=${id}${job}`, 303);
  });
}
