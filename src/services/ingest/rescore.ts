import { recomputeHealth } from "../../jobs/recompute";
import { errorMessage } from "../../lib/errors";
import { log } from "../../lib/logger";
import { startAccountsRecomputeJob } from "../recompute";
import type { IngestContext } from "./types";

export interface RescoreOutcome {
  accountsRescored: number;
  /** Set when the changed accounts were too many to rescore before answering and went to the recompute queue. */
  jobId: number | null;
  rescoreError: string | null;
}

/**
 * Rescores the accounts an upload changed: before answering when they are few enough, else as a queued job (a big
 * backfill would not fit one invocation). A failure leaves the rows stored; the scores catch up at the next recompute.
 */
export async function rescore(context: IngestContext, accountIds: readonly number[], runId: number): Promise<RescoreOutcome> {
  if (accountIds.length === 0) return { accountsRescored: 0, jobId: null, rescoreError: null };
  try {
    if (accountIds.length > context.inlineRescoreMaxAccounts) {
      const job = await startAccountsRecomputeJob(context.db, context.queue, "ingest", accountIds);
      return { accountsRescored: 0, jobId: job.id, rescoreError: null };
    }
    const result = await recomputeHealth(context.db, context.health, { accountIds });
    return { accountsRescored: result.accountsUpdated, jobId: null, rescoreError: null };
  } catch (error) {
    const reason = errorMessage(error);
    log("error", "rescoring after ingest failed", { ingest_run_id: runId, accounts: accountIds.length, error: reason });
    return { accountsRescored: 0, jobId: null, rescoreError: reason };
  }
}
