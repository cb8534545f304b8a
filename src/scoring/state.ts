import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../lib/types";
import { runBatch } from "../batch";
import type { ChangedRange } from "./metric-batches";
import { staleMarks, widenStaleRanges } from "./scoring-state";

/**
 * The rescores an upload's batches recorded (pending_rescores, one row per batch; see metric-batches.ts). The upload
 * rescores them itself and then deletes them; rows left by an upload that did not get that far (its rescore failed, or
 * it was cut off) are adopted by the next rescore of scope `stale`: turned into stale marks on their accounts.
 */

/** The account ids of every pending rescore, as a subquery. */
export const PENDING_ACCOUNT_IDS = sql.raw(`
  SELECT r.value ->> 0 FROM pending_rescores AS p, json_each(p.ranges) AS r`);

/** One upload's pending rescores, or those of every upload but one (null: every upload). */
export type PendingRescoresOf = { runId: number } | { exceptRunId: number | null };

function pendingOf(of: PendingRescoresOf): SQL {
  if ("runId" in of) return sql`p.ingest_run_id = ${of.runId}`;
  return of.exceptRunId === null ? sql`true` : sql`p.ingest_run_id <> ${of.exceptRunId}`;
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
}

/**
 * What a stale rescore starts from, in one read-only round trip: the fingerprint, the stale marks and whether there
 * are pending rescores `of` to adopt (seldom: reading first spares the common case a write).
 */
export async function readScoringState(db: Database, of: PendingRescoresOf): Promise<ScoringState> {
  const [state, marks] = await runBatch(db, [
    db.get<{ fingerprint: string | null; pending: number }>(sql`
      SELECT (SELECT fingerprint FROM scoring_config WHERE id = 1) AS fingerprint,
             EXISTS (SELECT 1 FROM pending_rescores AS p WHERE ${pendingOf(of)}) AS pending`),
    staleMarks(db),
  ]);
  return { fingerprint: state.fingerprint, marks, pending: state.pending === 1 };
}

/** Deletes an upload's pending rescores: in the batch of the rescore's last chunk (see recomputeHealth). */
export function deletePendingRescoresSql(runId: number): SQL {
  return sql`DELETE FROM pending_rescores WHERE ingest_run_id = ${runId}`;
}
