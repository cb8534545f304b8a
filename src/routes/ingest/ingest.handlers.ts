import type { RouteHandler } from "@hono/zod-openapi";
import { ingestCsv as runIngest, type IngestReport } from "../../ingest/ingest-service";
import { openUploadSource } from "../../ingest/upload-source";
import { formatRowError } from "../../ingest/validate-row";
import type { RecomputeMessage } from "../../jobs/recompute-jobs";
import type { AppEnv } from "../../lib/types";
import type { ingestCsv } from "./ingest.routes";

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
  const source = await openUploadSource(c.req.raw);
  const config = c.get("config");
  const report = await runIngest(
    {
      db: c.get("db"),
      d1: c.env.DB,
      health: config.health,
      queue: c.env.RECOMPUTE_QUEUE as Queue<RecomputeMessage>,
      inlineRescoreMaxAccounts: config.recompute.ingestInlineMaxAccounts,
    },
    source,
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
