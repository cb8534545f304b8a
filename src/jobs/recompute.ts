import type { HealthConfig } from "../lib/config";

export interface RecomputeOptions {
  /** Rescore only these accounts (e.g. the ones an upload touched); all accounts when absent. */
  accountIds?: readonly number[];
}

export interface RecomputeResult {
  accountsUpdated: number;
  scoresWritten: number;
  durationMs: number;
}

/**
 * Scores every date of every (or the given) account with set-based SQL, stores the history in
 * `health_scores`, and updates each account's current score, bucket, components and trends.
 * Shared by `POST /health/recompute`, the cron trigger and ingestion.
 */
export async function recomputeHealth(
  _d1: D1Database,
  _config: HealthConfig,
  _options: RecomputeOptions = {},
): Promise<RecomputeResult> {
  // Placeholder until the scoring job lands: scores nothing.
  return { accountsUpdated: 0, scoresWritten: 0, durationMs: 0 };
}
