import type { IngestCounts } from "../../db/queries/ingest-runs";
import type { ColumnMatch, HeaderMapping } from "../../ingest/csv-header";
import type { RowWarning } from "../../ingest/columns";
import type { RowError } from "../../ingest/validate-row";
import type { Queues } from "../../bindings";
import type { Database } from "../../lib/types";
import type { RecomputeSettings } from "../../scoring";

export interface IngestContext {
  db: Database;
  /** The rescore's settings: an upload that changed more accounts than `inlineMaxAccounts` is rescored by a queued job. */
  scoring: RecomputeSettings;
  /** Where a rescore too big to do before answering goes, and the nudge that delivers the upload's events. */
  queues: Queues;
  /** The uploading API key's name, recorded on the run; null without auth. */
  createdBy: string | null;
}

export interface IngestOptions {
  /**
   * Valid rows per D1 batch (the fastest size in the benchmark, docs/performance.md); a batch whose JSON would pass
   * D1's 1 MB value limit is split by the writer.
   */
  batchSize?: number;
  /** Row errors kept for the response and the run record. */
  maxReportedErrors?: number;
  /** Longest record accepted, in characters (guards against an unclosed quote swallowing the file). */
  maxLineChars?: number;
  /** Most fields the header may have. */
  maxColumns?: number;
  /** The earliest metric date accepted (MIN_METRIC_DATE); the latest is the day after `now`'s UTC date. */
  minMetricDate?: string;
  /** The upload's time, which dates are checked against (tests set it). */
  now?: Date;
  /** The explicit header mapping: header in the file ► column. */
  mapping?: HeaderMapping;
  /** Validate and count as a real upload would, writing no account, metric or score. */
  dryRun?: boolean;
}

export type IngestReport = IngestCounts & {
  runId: number;
  fileName: string | null;
  /** Every row error found; only the first `maxReportedErrors` are in `rowErrors`. */
  errorCount: number;
  rowErrors: RowError[];
  /** Every warning found; only the first `maxReportedErrors` are in `warnings`. */
  warningCount: number;
  warnings: RowWarning[];
  /** How each header was matched to a column, and the headers that matched none. */
  columns: ColumnMatch[];
  ignoredHeaders: string[];
  /** Nothing was written: the counts say what the upload would have created and updated. */
  dryRun: boolean;
  accountsRescored: number;
  /** Score rows the rescore wrote; null when it was queued or failed. */
  scoresWritten: number | null;
  /** The accounts and score dates the rescore covered; null when it was queued or failed. */
  datesRescored: { accounts: number; dates: number } | null;
  /** D1 rows written by the upload's batches and its inline rescore (what D1 bills), indexes included. */
  d1RowsWritten: number;
  /** Set when the rows were stored but rescoring them failed (scores catch up at the next recompute). */
  rescoreError: string | null;
  /** The recompute job rescoring the changed accounts, when they were too many to rescore before answering. */
  rescoreJobId: number | null;
  durationMs: number;
  /** Where the time went: waiting for batch writes, rescoring, and the rest (reading, parsing, validating). */
  timings: { readingMs: number; writingMs: number; rescoringMs: number };
};
