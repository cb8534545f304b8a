import type { IngestRunRecord } from "../../db/queries/ingest-runs";
import type { IngestError, IngestErrorKind } from "../../ingest/errors";
import { formatRowError } from "../../ingest/validate-row";
import type { ProblemCode } from "../../contract/problems";
import { ApiError } from "../../lib/errors";
import type { IngestReport } from "../../services/ingest/types";
import type { IngestResult } from "../../contract/ingest";
import type { IngestRun } from "../../contract/ingest-runs";

/** The ingest answers: an upload's report and a recorded run as their bodies, and an IngestError as its problem. */

function summarise(report: IngestReport): string {
  const accepted = report.rowsTotal - report.rowsRejected;
  const would = report.dryRun ? "would be " : "";
  const parts = [
    ...(report.dryRun ? ["Dry run: nothing was written."] : []),
    `Processed ${report.rowsTotal} rows: ${accepted} accepted, ${report.rowsRejected} rejected.`,
    `${report.accountsCreated} accounts ${would}created, ${report.accountsUpdated} ${would}updated; ` +
      `${report.metricsCreated} metrics ${would}created, ${report.metricsUpdated} ${would}updated.`,
  ];
  if (report.errorCount > report.rowErrors.length) {
    parts.push(
      `Showing the first ${report.rowErrors.length} of ${report.errorCount} errors (${report.errorCount - report.rowErrors.length} more).`,
    );
  }
  if (report.warningCount > 0) {
    parts.push(`${report.warningCount} warning${report.warningCount === 1 ? "" : "s"}: see \`warnings\`.`);
  }
  if (report.rescoreJobId !== null) {
    parts.push(
      `The changed accounts are being rescored by job ${report.rescoreJobId}: follow it at /health/recompute/jobs/${report.rescoreJobId}.`,
    );
  }
  if (report.rescoreError) {
    parts.push(
      "Rescoring the accounts failed; they stay marked stale, and the next upload, the daily cron or " +
        "POST /health/recompute?scope=stale rescores them.",
    );
  }
  return parts.join(" ");
}

export function toIngestResult(report: IngestReport): IngestResult {
  return {
    message: summarise(report),
    accounts_created: report.accountsCreated,
    accounts_updated: report.accountsUpdated,
    metrics_created: report.metricsCreated,
    errors: report.rowErrors.map(formatRowError),
    metrics_updated: report.metricsUpdated,
    rows_total: report.rowsTotal,
    rows_rejected: report.rowsRejected,
    row_errors: report.rowErrors,
    error_count: report.errorCount,
    warnings: report.warnings,
    warning_count: report.warningCount,
    columns: report.columns.map((match) => ({ header: match.header, column: match.column, matched_by: match.matchedBy })),
    ignored_headers: report.ignoredHeaders,
    dry_run: report.dryRun,
    ingest_run_id: report.runId,
    file_name: report.fileName,
    bytes_read: report.bytesRead,
    accounts_rescored: report.accountsRescored,
    scores_written: report.scoresWritten,
    dates_rescored: report.datesRescored,
    d1_rows_written: report.d1RowsWritten,
    rescore_job_id: report.rescoreJobId,
    rescore_error: report.rescoreError,
    duration_ms: report.durationMs,
    timings_ms: {
      reading: report.timings.readingMs,
      writing: report.timings.writingMs,
      rescoring: report.timings.rescoringMs,
    },
  };
}

export function toIngestRun(run: IngestRunRecord): IngestRun {
  return {
    id: run.id,
    file_name: run.fileName,
    content_type: run.contentType,
    created_by: run.createdBy,
    status: run.status,
    bytes_read: run.bytesRead,
    rows_total: run.rowsTotal,
    rows_rejected: run.rowsRejected,
    rows_committed: run.rowsCommitted,
    committed_through_line: run.committedThroughLine,
    accounts_created: run.accountsCreated,
    accounts_updated: run.accountsUpdated,
    metrics_created: run.metricsCreated,
    metrics_updated: run.metricsUpdated,
    scores_written: run.scoresWritten,
    dates_rescored:
      run.rescoredAccounts === null || run.rescoredDates === null
        ? null
        : { accounts: run.rescoredAccounts, dates: run.rescoredDates },
    errors: (run.errors as IngestRun["errors"]) ?? null,
    failure_reason: run.failureReason,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    duration_ms: run.durationMs,
  };
}

/** The problem each kind of ingest error answers with. */
const PROBLEM_CODE_OF_INGEST_ERROR: Record<IngestErrorKind, ProblemCode> = {
  invalid_csv: "invalid_csv",
  too_large: "payload_too_large",
  unreadable: "bad_request",
  unsupported_media_type: "unsupported_media_type",
  invalid_mapping: "validation_error",
  storage_failed: "internal_error",
};

/** The problem an upload refused or stopped answers with: its message as `detail`, its header columns as `errors`. */
export function toProblem(error: IngestError): ApiError {
  return new ApiError(PROBLEM_CODE_OF_INGEST_ERROR[error.kind], error.message, error.fieldErrors);
}
