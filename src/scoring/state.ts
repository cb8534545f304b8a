import { sql, type SQL } from "drizzle-orm";
import { runBatch } from "../db/batch";
import { activeModelRowQuery, type HealthModelRow } from "../db/queries/health-models";
import { widenStaleRanges } from "../db/queries/stale-marks";
import type { ChangedRange } from "../db/schema";
import type { Database } from "../lib/types";

/*
 * What is behind: the scoring state every rescore starts from (docs/architecture.md, "Data flow").
 * - The fingerprint of the health configuration the stored scores follow (scoring_config).
 * - Each account's stale marks (accounts.scores_stale_from/to): the dates whose scores are behind its metrics.
 * - Pending rescores (pending_rescores, one row per upload batch): an upload's own changes. The upload rescores them
 *   itself and deletes them; rows left by an upload that did not get that far (its rescore failed, or it was cut off)
 *   are adopted by the next rescore of scope `stale`: turned into stale marks on their accounts.
 */

/** One upload's pending rescores, or those of every upload but one (null: every upload). */
export type PendingRescoresOf = { runId: number } | { exceptRunId: number | null };

function pendingOf(of: PendingRescoresOf): SQL {
  if ("runId" in of) return sql`p.ingest_run_id = ${of.runId}`;
  return of.exceptRunId === null ? sql`true` : sql`p.ingest_run_id <> ${of.exceptRunId}`;
}

/** The fingerprint of the health configuration the stored scores were computed with; null before the first rescore. */
export async function getScoringFingerprint(db: Database): Promise<string | null> {
  const row = await db.get<{ fingerprint: string }>(sql`SELECT fingerprint FROM scoring_config WHERE id = 1`);
  return row?.fingerprint ?? null;
}

/**
 * The statements that mark every account with metrics stale over its whole history and record the new fingerprint:
 * the model changed, so every stored score is behind. `modelChange` (the model now active) is kept with the marks, so
 * the events of whichever rescore clears them say the model caused them; null when no model changed (the first rescore).
 */
export function markBookStaleStatements(db: Database, fingerprint: string, modelChange: number | null) {
  return [
    db.run(sql`
      UPDATE accounts
      SET scores_stale_from = (SELECT min(m.date) FROM account_metrics AS m WHERE m.account_id = accounts.id),
          scores_stale_to = (SELECT max(m.date) FROM account_metrics AS m WHERE m.account_id = accounts.id),
          stale_model_change = ${modelChange}
      WHERE EXISTS (SELECT 1 FROM account_metrics AS m WHERE m.account_id = accounts.id)`),
    db.run(sql`
      INSERT INTO scoring_config (id, fingerprint, applied_at) VALUES (1, ${fingerprint}, ${new Date().toISOString()})
      ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, applied_at = excluded.applied_at`),
  ] as const;
}

/** markBookStaleStatements in one batch; answers how many accounts were marked. */
export async function markBookStale(db: Database, fingerprint: string, modelChange: number | null): Promise<number> {
  const [marked] = await runBatch(db, markBookStaleStatements(db, fingerprint, modelChange));
  return marked.meta.changes ?? 0;
}

/**
 * The accounts marked stale with their marks, by id, as changed ranges (from accounts_stale_idx, which holds only the
 * marked accounts: no scan of the book).
 */
export function staleMarks(db: Database) {
  // Not async: the query itself, to await or to send in a batch.
  return db.values<ChangedRange>(
    sql`SELECT id, scores_stale_from, scores_stale_to FROM accounts WHERE scores_stale_from IS NOT NULL ORDER BY id`,
  );
}

/**
 * Turns pending rescores into stale marks, atomically. Another upload's may still be running (or may have been cut
 * off a moment ago: a crash is only known half an hour later): adopting its rows is harmless, since they describe
 * committed rows and rescoring is idempotent, and it is what lets a re-upload right after a crash score everything.
 */
export async function adoptPendingRescores(db: Database, of: PendingRescoresOf): Promise<void> {
  await runBatch(db, [
    db.run(
      widenStaleRanges(sql`
        SELECT r.value ->> 0 AS id, min(r.value ->> 1) AS first_date, max(r.value ->> 2) AS last_date
        FROM pending_rescores AS p, json_each(p.ranges) AS r
        WHERE ${pendingOf(of)}
        GROUP BY 1`),
    ),
    db.run(sql`DELETE FROM pending_rescores AS p WHERE ${pendingOf(of)}`),
  ]);
}

/** What a stale rescore starts from: see readScoringState. */
export interface ScoringState {
  /** The fingerprint of the health configuration the stored scores follow; null before the first rescore. */
  fingerprint: string | null;
  /** Every account's stale marks, by id. */
  marks: ChangedRange[];
  /** Whether pending rescores `of` are waiting to be adopted (an upload cut off or whose rescore failed). */
  pending: boolean;
  /** The active model's row (the migrations create model 1 active, and one model is active at any time). */
  activeModel: HealthModelRow | undefined;
}

/**
 * What a stale rescore starts from, in one read-only round trip: the fingerprint, the stale marks, whether there are
 * pending rescores `of` to adopt (seldom: reading first spares the common case a write) and the active model.
 */
export async function readScoringState(db: Database, of: PendingRescoresOf): Promise<ScoringState> {
  const [state, marks, activeModel] = await runBatch(db, [
    db.get<{ fingerprint: string | null; pending: number }>(sql`
      SELECT (SELECT fingerprint FROM scoring_config WHERE id = 1) AS fingerprint,
             EXISTS (SELECT 1 FROM pending_rescores AS p WHERE ${pendingOf(of)}) AS pending`),
    staleMarks(db),
    activeModelRowQuery(db),
  ]);
  return { fingerprint: state.fingerprint, marks, pending: state.pending === 1, activeModel };
}

/** Deletes an upload's pending rescores: in the batch of the rescore's last chunk (see rescore.ts). */
export function deletePendingRescoresSql(runId: number): SQL {
  return sql`DELETE FROM pending_rescores WHERE ingest_run_id = ${runId}`;
}
