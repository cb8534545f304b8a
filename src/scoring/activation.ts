import type { Queues } from "../bindings";
import { runBatch } from "../db/batch";
import { BUMP_DATA_VERSION } from "../db/queries/data-version";
import { insertBookEventStatement } from "../db/queries/events";
import { activateModelStatements, type HealthModelRow } from "../db/queries/health-models";
import { summarizePreview, type PreviewSummary } from "../domain/model-preview";
import type { Database } from "../lib/types";
import { nudgeFanOut } from "../webhooks/messages";
import { scoringFingerprint, scoringModelOf, specOf, type ScoringModel } from "./model";
import { previewAccounts } from "./preview";
import { recomputeScores } from "./recompute";
import { auditStatement } from "../db/queries/audit";
import { markBookStaleStatements } from "./state";
import type { RecomputeOutcome, RecomputeSettings } from "./types";

/*
 * Activating a model: one batch retires the active model, activates the draft, marks every account stale under the
 * new model's fingerprint (with the model as the marks' cause) and records `health.model_activated` with the figures
 * the rescore is about to store; then the rescore runs as any other, inline or queued.
 */

export interface Activation {
  previousModelId: number;
  summary: PreviewSummary;
  rescore: RecomputeOutcome;
}

/** Activates the draft `draft` in place of `active`; the caller has checked that `draft` is a draft. */
export async function activateModel(
  db: Database,
  queues: Queues,
  settings: RecomputeSettings,
  draft: HealthModelRow,
  active: HealthModelRow,
  actor: string | null,
): Promise<Activation> {
  const model: ScoringModel = scoringModelOf(draft, settings.health);
  const spec = specOf(model);
  const summary = summarizePreview(await previewAccounts(db, spec), spec.components.length);
  const activatedAt = new Date().toISOString();
  await runBatch(db, [
    ...activateModelStatements(db, draft.id, active.id, activatedAt),
    ...markBookStaleStatements(db, scoringFingerprint(model), draft.id),
    insertBookEventStatement(db, {
      type: "health.model_activated",
      occurredAt: activatedAt,
      asOf: null,
      data: {
        model_id: draft.id,
        model_name: draft.name,
        previous_model_id: active.id,
        accounts: summary.accounts,
        active: summary.active,
        draft: summary.draft,
        moves: summary.moves,
        score_change: summary.score_change,
      },
    }),
    db.run(BUMP_DATA_VERSION),
    db.run(
      auditStatement({
        actor,
        action: "health_model.activated",
        subjectId: draft.id,
        detail: { model_name: draft.name, version: draft.version, previous_model_id: active.id },
      }),
    ),
  ]);
  await nudgeFanOut(queues.webhooks, { model_id: draft.id });
  const rescore = await recomputeScores(db, queues, { settings, trigger: "api", scope: "stale" });
  return { previousModelId: active.id, summary, rescore };
}
