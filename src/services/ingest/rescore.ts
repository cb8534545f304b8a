import { errorMessage } from "../../lib/errors";
import { log } from "../../lib/logger";
import { adoptPendingRescores, recomputeScores, type UploadChanges } from "../../scoring";
import type { IngestContext } from "./types";

export interface RescoreOutcome {
  accountsRescored: number;
  /** Score rows written; null when the rescore went to the queue or failed. */
  scoresWritten: number | null;
  /** The accounts and score dates rescored; null when the rescore went to the queue or failed. */
  datesRescored: { accounts: number; dates: number } | null;
  /** D1 rows the inline rescore wrote (0 when queued or failed). */
  rowsWritten: number;
  /** Health events the inline rescore wrote; null when the rescore went to the queue or failed. */
  eventsWritten: number | null;
  /** Set when the stale accounts were too many to rescore before answering and went to the recompute queue. */
  jobId: number | null;
  rescoreError: string | null;
}

/** An upload whose accounts were not rescored before it answered: none were (a dry run), or queued, or failed. */
export const NOT_RESCORED_INLINE: RescoreOutcome = {
  accountsRescored: 0,
  scoresWritten: null,
  datesRescored: null,
  rowsWritten: 0,
  eventsWritten: null,
  jobId: null,
  rescoreError: null,
};

/**
 * Rescores what is behind after an upload: the dates it changed and any account marked stale (a crashed upload's,
 * a failed rescore's), each over the dates its changes reach. Before answering when they are few enough, else as a
 * queued job (a big backfill would not fit one invocation). A failure leaves the rows stored and their accounts
 * marked stale: the next upload or the cron rescores them.
 */
export async function rescore(context: IngestContext, upload: UploadChanges): Promise<RescoreOutcome> {
  const runId = upload.runId;
  try {
    const outcome = await recomputeScores(context.db, context.queues, {
      settings: context.scoring,
      trigger: "ingest",
      scope: "stale",
      upload,
    });
    if (outcome.mode === "queued") return { ...NOT_RESCORED_INLINE, jobId: outcome.job.id };
    const { accountsUpdated, scoresWritten, rowsWritten, eventsWritten } = outcome.result;
    return {
      accountsRescored: accountsUpdated,
      scoresWritten,
      datesRescored: { accounts: accountsUpdated, dates: scoresWritten },
      rowsWritten,
      eventsWritten,
      jobId: null,
      rescoreError: null,
    };
  } catch (error) {
    const reason = errorMessage(error);
    log("error", "rescoring after ingest failed", { ingest_run_id: runId, error: reason });
    // So the account detail and the portfolio say at once that these scores are behind; if even this fails, the
    // pending rescores stay and the cron adopts them.
    await adoptPendingRescores(context.db, { runId }).catch((adoptError: unknown) => {
      log("error", "marking the upload's accounts stale failed", { ingest_run_id: runId, error: errorMessage(adoptError) });
    });
    return { ...NOT_RESCORED_INLINE, rescoreError: reason };
  }
}
