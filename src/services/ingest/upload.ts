import { finishIngestRun, startIngestRun } from "../../db/queries/ingest-runs";
import { decodeUtf8 } from "../../ingest/csv-stream";
import { UploadReadError } from "../../ingest/errors";
import type { UploadSource } from "../../ingest/upload-source";
import { DEFAULT_MAX_LINE_CHARS } from "../../lib/config";
import { describeError } from "../../lib/errors";
import { log } from "../../lib/logger";
import { recoverAbandonedRuns } from "./abandoned-runs";
import { BatchPipeline } from "./batch-pipeline";
import { isRefusal, stoppedUploadError } from "./failures";
import { readAndStore } from "./read-and-store";
import { rescore, type RescoreOutcome } from "./rescore";
import { IngestTally } from "./tally";
import type { IngestContext, IngestOptions, IngestReport } from "./types";

/**
 * One upload, end to end: decode ► parse ► validate ► write in batches as the rows arrive ► rescore the accounts
 * whose data changed. Memory stays bounded by the batch size whatever the file size. Each batch is atomic, so
 * when the upload breaks off midway the rows of the batches already written stay valid and the run says so.
 * A refused or stopped upload throws an IngestError (ingest/errors.ts), which the route answers as a problem.
 */

const DEFAULT_BATCH_SIZE = 10000;
const DEFAULT_MAX_REPORTED_ERRORS = 100;
const DEFAULT_MAX_COLUMNS = 200;

export async function ingestCsv(
  context: IngestContext,
  source: UploadSource,
  ingestOptions: IngestOptions = {},
): Promise<IngestReport> {
  const options: Required<IngestOptions> = {
    batchSize: ingestOptions.batchSize ?? DEFAULT_BATCH_SIZE,
    maxReportedErrors: ingestOptions.maxReportedErrors ?? DEFAULT_MAX_REPORTED_ERRORS,
    maxLineChars: ingestOptions.maxLineChars ?? DEFAULT_MAX_LINE_CHARS,
    maxColumns: ingestOptions.maxColumns ?? DEFAULT_MAX_COLUMNS,
  };
  const { db } = context;
  // Uploads cut off by a crash are reported failed; the stale marks of their rows make this upload rescore them.
  await recoverAbandonedRuns(db);
  const started = Date.now();
  const runId = await startIngestRun(db, {
    fileName: source.fileName,
    contentType: source.contentType,
    startedAt: new Date(started).toISOString(),
    createdBy: context.createdBy,
  });
  const tally = new IngestTally(options.maxReportedErrors);
  const pipeline = new BatchPipeline(db, runId, tally);
  const text = source.stream.pipeThrough(
    decodeUtf8((byteLength) => {
      tally.bytesRead += byteLength;
    }),
  );

  try {
    await readAndStore(text, pipeline, tally, options);
  } catch (error) {
    await pipeline.settle();
    const stopped = stoppedUploadError(error, runId, tally.rowsCommitted);
    // A refusal is about the file (header, encoding, format) and stored nothing; anything else is a failure.
    const refused = isRefusal(stopped, tally.rowsCommitted);
    const rescored = await rescore(context, runId);
    await finishIngestRun(db, runId, {
      ...tally.runOutcome(refused ? "rejected" : "failed", stopped?.message ?? String(error), started),
      ...rescoreFigures(rescored),
    });
    // A refusal or an upload the client broke off is the client's problem; anything else is ours.
    log(refused ? "info" : error instanceof UploadReadError ? "warn" : "error", "csv ingest stopped", {
      ingest_run_id: runId,
      status: refused ? "rejected" : "failed",
      rows_committed: tally.rowsCommitted,
      error: describeError(error),
    });
    throw stopped ?? error;
  }

  const rescoreStarted = Date.now();
  const rescored = await rescore(context, runId);
  const { accountsRescored, jobId, rescoreError } = rescored;
  const rescoringMs = Date.now() - rescoreStarted;
  const storedMs = rescoreStarted - started;
  const finished = tally.runOutcome("completed", rescoreError ? `Rows stored; rescoring failed: ${rescoreError}` : null, started);
  await finishIngestRun(db, runId, { ...finished, ...rescoreFigures(rescored) });
  log("info", "csv ingested", {
    ingest_run_id: runId,
    bytes: tally.bytesRead,
    rows: tally.rowsTotal,
    rejected: tally.rowsRejected,
    metrics_created: tally.metricsCreated,
    metrics_updated: tally.metricsUpdated,
    duration_ms: finished.durationMs,
    writing_ms: pipeline.waitedMs,
    rescoring_ms: rescoringMs,
    scores_written: rescored.scoresWritten,
    d1_rows_written: tally.rowsWritten + rescored.rowsWritten,
  });
  return {
    runId,
    fileName: source.fileName,
    ...tally.counts(),
    errorCount: tally.errorCount,
    rowErrors: tally.rowErrors,
    accountsRescored,
    scoresWritten: rescored.scoresWritten,
    datesRescored: rescored.datesRescored,
    d1RowsWritten: tally.rowsWritten + rescored.rowsWritten,
    rescoreError,
    rescoreJobId: jobId,
    durationMs: finished.durationMs,
    timings: { readingMs: storedMs - pipeline.waitedMs, writingMs: pipeline.waitedMs, rescoringMs },
  };
}

/** The rescore's figures as the run record stores them. */
function rescoreFigures(rescored: RescoreOutcome) {
  return {
    scoresWritten: rescored.scoresWritten,
    rescoredAccounts: rescored.datesRescored?.accounts ?? null,
    rescoredDates: rescored.datesRescored?.dates ?? null,
  };
}
