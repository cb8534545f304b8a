import type { RouteHandler } from "@hono/zod-openapi";
import { getIngestRun, listIngestRuns as queryRuns } from "../../db/queries/ingest-runs";
import { ingestCsv as runIngest, type IngestReport } from "../../ingest/ingest-service";
import { openUploadSource } from "../../ingest/upload-source";
import { formatRowError, type RowError } from "../../ingest/validate-row";
import type { RecomputeMessage } from "../../jobs/recompute-jobs";
import { ApiError } from "../../lib/errors";
import type { AppEnv } from "../../lib/types";
import type { getIngestRun as getIngestRunRoute, ingestCsv, listIngestRuns } from "./ingest.routes";

function summarise(report: IngestReport): string {
  const accepted = report.rowsTotal - report.rowsRejected;
  const parts = [
    `Processed ${report.rowsTotal} rows: ${accepted} accepted, ${report.rowsRejected} rejected.`,
    `${report.accountsCreated} accounts created, ${report.accountsUpdated} updated; ` +
      `${report.metricsCreated} metrics created, ${report.metricsUpdated} updated.`,
  ];
  if (report.errorCount > report.rowErrors.length) {
    parts.push(
      `Showing the first ${report.rowErrors.length} of ${report.errorCount} errors (${report.errorCount - report.rowErrors.length} more).`,
    );
  }
  if (report.rescoreJobId !== null) {
    parts.push(
      `The ${report.accountsCreated + report.accountsUpdated} changed accounts are being rescored by job ${report.rescoreJobId}: follow it at /health/recompute/jobs/${report.rescoreJobId}.`,
    );
  }
  if (report.rescoreError) {
    parts.push("Rescoring the accounts failed; run POST /health/recompute to refresh their scores.");
  }
  return parts.join(" ");
}

export const ingest: RouteHandler<typeof ingestCsv, AppEnv> = async (c) => {
  const config = c.get("config");
  const source = await openUploadSource(c.req.raw, config.limits.maxUploadBytes);
  const report = await runIngest(
    {
      db: c.get("db"),
      d1: c.env.DB,
      health: config.health,
      queue: c.env.RECOMPUTE_QUEUE as Queue<RecomputeMessage>,
      inlineRescoreMaxAccounts: config.recompute.ingestInlineMaxAccounts,
    },
    source,
    { maxRecordChars: config.limits.maxLineChars, maxColumns: config.limits.maxColumns },
  );
  return c.json(
    {
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
      ingest_run_id: report.runId,
      file_name: report.fileName,
      bytes_read: report.bytesRead,
      accounts_rescored: report.accountsRescored,
      rescore_job_id: report.rescoreJobId,
      rescore_error: report.rescoreError,
      duration_ms: report.durationMs,
      timings_ms: {
        reading: report.timings.readingMs,
        writing: report.timings.writingMs,
        rescoring: report.timings.rescoringMs,
      },
    },
    200,
  );
};

type IngestRunRow = NonNullable<Awaited<ReturnType<typeof getIngestRun>>>;

function toIngestRunBody(run: IngestRunRow) {
  return {
    id: run.id,
    file_name: run.fileName,
    content_type: run.contentType,
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
    errors: (run.errors as RowError[] | null) ?? null,
    failure_reason: run.failureReason,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    duration_ms: run.durationMs,
  };
}

export const listRuns: RouteHandler<typeof listIngestRuns, AppEnv> = async (c) => {
  const { limit } = c.req.valid("query");
  const runs = await queryRuns(c.get("db"), limit);
  return c.json({ runs: runs.map(toIngestRunBody) }, 200);
};

export const getRun: RouteHandler<typeof getIngestRunRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const run = await getIngestRun(c.get("db"), id);
  if (!run) throw new ApiError("not_found", `No ingest run has id ${id}.`);
  return c.json(toIngestRunBody(run), 200);
};
