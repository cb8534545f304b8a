import type { RecomputeOutcome } from "../../scoring";
import type { RecomputeResultBody } from "../../contract/health";

/** The answer of POST /health/recompute: the v1 API's `{message, accounts_updated, computation_time_seconds}` and ours. */
export function toRecomputeResultBody(outcome: RecomputeOutcome): RecomputeResultBody {
  if (outcome.mode === "queued") {
    const { job } = outcome;
    return {
      message: `Queued the recompute of ${job.accounts_total} accounts as job ${job.id} (${job.chunks_total} chunks); follow it at /health/recompute/jobs/${job.id}.`,
      accounts_updated: 0,
      computation_time_seconds: outcome.durationMs / 1000,
      scores_written: 0,
      duration_ms: outcome.durationMs,
      started_at: job.created_at,
      finished_at: new Date().toISOString(),
      mode: "queued",
      job,
    };
  }
  const { result } = outcome;
  const seconds = Math.round(result.durationMs) / 1000;
  return {
    message: `Recomputed health scores for ${result.accountsUpdated} accounts (${result.scoresWritten} dated scores) in ${seconds.toFixed(3)} s.`,
    accounts_updated: result.accountsUpdated,
    computation_time_seconds: seconds,
    scores_written: result.scoresWritten,
    duration_ms: result.durationMs,
    started_at: result.startedAt,
    finished_at: result.finishedAt,
    mode: "inline",
    job: null,
  };
}
