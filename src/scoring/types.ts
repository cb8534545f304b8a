import type { RecomputeJob } from "../contract/health";
import type { ChangedRange } from "../db/schema";
import type { HealthConfig } from "../domain/health";

/**
 * `all`: every date of each account. `stale`: only the accounts marked stale (accounts.scores_stale_from), and of
 * those only the dates their changes can reach (rescoreReachDays, rescore.ts).
 */
export const RESCORE_SCOPES = ["all", "stale"] as const;
export type RescoreScope = (typeof RESCORE_SCOPES)[number];

export interface RecomputeOptions {
  /** Rescore only these accounts (e.g. the stale ones an upload sees); all accounts when absent. */
  accountIds?: readonly number[];
  /** Rescore only the accounts whose id is in [first, last] (a chunk of a queued job). */
  idRange?: { first: number; last: number };
  /** `all` when absent. */
  scope?: RescoreScope;
  /**
   * Scope `stale`: dates to rescore besides the stale marks, per account (an upload's changes, which it records as
   * pending rescores rather than as marks on every account).
   */
  changedRanges?: readonly ChangedRange[];
  /** `health.score_dropped` when the 30-day change falls to −this or below (ALERT_SCORE_DROP); 10 when absent. */
  alertScoreDrop?: number;
  /** The upload whose changed ranges these are: its pending rescores are deleted with the last chunk. */
  settlesRunId?: number;
}

export interface RecomputeResult {
  /** Accounts whose current health, components and trends were rewritten (each rescored account). */
  accountsUpdated: number;
  /** Rows of `health_scores` inserted or rewritten (one per account and metric date). */
  scoresWritten: number;
  /** D1 rows written by every statement (`meta.rows_written`, what D1 bills), indexes included. */
  rowsWritten: number;
  /** Health events written (bucket changes, score drops and recoveries), in the chunks' batches. */
  eventsWritten: number;
  durationMs: number;
  startedAt: string;
  finishedAt: string;
}

/** What started a recompute, as its job records it. */
export type RecomputeTrigger = RecomputeJob["trigger"];

/** What a recompute takes from the configuration (recomputeSettings builds it). */
export interface RecomputeSettings {
  health: HealthConfig;
  /** ALERT_SCORE_DROP, for the health events the rescore writes. */
  alertScoreDrop: number;
  /** At most this many accounts are rescored in the invocation itself; more go to the queue. */
  inlineMaxAccounts: number;
}

/** What an upload changed: its run (whose pending_rescores rows record it) and, per account, the dates. */
export interface UploadChanges {
  runId: number;
  /** Null when the upload changed more accounts than it keeps in memory: it is rescored by a queued job. */
  ranges: readonly ChangedRange[] | null;
}

export type RecomputeOutcome =
  | { mode: "inline"; result: RecomputeResult }
  | { mode: "queued"; job: RecomputeJob; durationMs: number };
