import { finishIngestRun, startIngestRun } from "../../db/queries/ingest-runs";
import { listMeasureRanges } from "../../db/queries/measures";
import { listAliasTargets } from "../../db/queries/account-changes";
import { decodeUtf8 } from "../../ingest/decode-utf8";
import type { ResolvedHeader } from "../../ingest/csv-header";
import { UploadReadError } from "../../ingest/errors";
import type { UploadSource } from "../../ingest/upload-source";
import { validationContext } from "../../ingest/values";
import { DEFAULT_MAX_COLUMNS, DEFAULT_MAX_LINE_CHARS, DEFAULT_MIN_METRIC_DATE } from "../../lib/config";
import { describeError } from "../../lib/errors";
import { log } from "../../lib/logger";
import type { IngestCompletedData } from "../../contract/events";
import { nudgeFanOut } from "../../webhooks/messages";
import { recoverAbandonedRuns } from "./abandoned-runs";
import { BatchPipeline, NO_WRITES } from "./batch-pipeline";
import { BatchReview } from "./batch-review";
import { isRefusal, stoppedUploadError } from "./failures";
import { readAndStore } from "./read-and-store";
import { NOT_RESCORED_INLINE, rescore, type RescoreOutcome } from "./rescore";
import { IngestTally } from "./tally";
import type { IngestContext, IngestOptions, IngestReport } from "./types";

/**
 * One upload, end to end: decode ► parse ► validate ► review (warnings) ► write in batches as the rows arrive ►
 * rescore the accounts whose data changed. Memory stays bounded by the batch size and the ledger's bounds
 * (ledger.ts) whatever the file size. A dry run does all of it but the writes and the rescore, and counts from
 * read-only queries what the writes would have created and updated. Each batch is atomic, so
 * when the upload breaks off midway the rows of the batches already written stay valid and the run says so.
 * A refused or stopped upload throws an IngestError (ingest/errors.ts), which the route answers as a problem.
 */

const DEFAULT_BATCH_SIZE = 10000;
const DEFAULT_MAX_REPORTED_ERRORS = 100;

/** A dry run rescores nothing. */
const NOT_RESCORED: RescoreOutcome = { ...NOT_RESCORED_INLINE, eventsWritten: 0 };

/**
 * Records how the run ended (with its ingest.completed event, when it completed) and announces the events the upload
 * wrote to the webhook fan-out: its rescore's and that one, in one nudge once both have committed (recomputeScores
 * leaves an upload's announcement to it).
 */
async function finishRun(
  context: IngestContext,
  runId: number,
  run: {
    outcome: Parameters<typeof finishIngestRun>[2];
    completedEvent?: Parameters<typeof finishIngestRun>[3];
    announce: boolean;
  },
): Promise<void> {
  await finishIngestRun(context.db, runId, run.outcome, run.completedEvent);
  if (run.announce) await nudgeFanOut(context.queues.webhooks, { ingest_run_id: runId });
}

export async function ingestCsv(
  context: IngestContext,
  source: UploadSource,
  ingestOptions: IngestOptions = {},
): Promise<IngestReport> {
  const limits = {
    batchSize: ingestOptions.batchSize ?? DEFAULT_BATCH_SIZE,
    maxLineChars: ingestOptions.maxLineChars ?? DEFAULT_MAX_LINE_CHARS,
    maxColumns: ingestOptions.maxColumns ?? DEFAULT_MAX_COLUMNS,
  };
  const dryRun = ingestOptions.dryRun ?? false;
  const validation = validationContext(ingestOptions.now ?? new Date(), ingestOptions.minMetricDate ?? DEFAULT_MIN_METRIC_DATE);
  const { db } = context;
  // Uploads cut off by a crash are reported failed; this upload's rescore adopts their pending rescores.
  if (!dryRun) await recoverAbandonedRuns(db);
  // Read once: the header decides which of them the file has a column of.
  const [measures, aliases] = await Promise.all([listMeasureRanges(db), listAliasTargets(db)]);
  const started = Date.now();
  const runId = await startIngestRun(db, {
    fileName: source.fileName,
    contentType: source.contentType,
    startedAt: new Date(started).toISOString(),
    createdBy: context.createdBy,
  });
  const tally = new IngestTally(
    ingestOptions.maxReportedErrors ?? DEFAULT_MAX_REPORTED_ERRORS,
    context.scoring.inlineMaxAccounts,
  );
  const review = new BatchReview(db, tally, limits.batchSize, dryRun);
  const sink = dryRun ? NO_WRITES : new BatchPipeline(db, runId, tally);
  const text = source.stream.pipeThrough(
    decodeUtf8((byteLength) => {
      tally.bytesRead += byteLength;
    }),
  );

  let header: ResolvedHeader;
  try {
    header = await readAndStore(text, {
      sink,
      review,
      tally,
      limits,
      mapping: ingestOptions.mapping ?? {},
      measures,
      aliases,
      context: validation,
    });
  } catch (error) {
    await review.settle();
    await sink.settle();
    const stopped = stoppedUploadError(error, runId, tally.rowsCommitted);
    // A refusal is about the file (header, encoding, format) and stored nothing; anything else is a failure.
    const refused = isRefusal(stopped, tally.rowsCommitted);
    const rescored = dryRun ? NOT_RESCORED : await rescore(context, { runId, ranges: tally.changedRanges() });
    await finishRun(context, runId, {
      outcome: { ...tally.runOutcome(refused ? "rejected" : "failed", stopped?.message ?? String(error), started), ...rescoreFigures(rescored) },
      // The rows stored before it stopped were rescored, which may have written events.
      announce: !refused,
    });
    // A refusal or an upload the client broke off is the client's problem; anything else is ours.
    log(refused ? "info" : error instanceof UploadReadError ? "warn" : "error", "csv ingest stopped", {
      ingest_run_id: runId,
      status: refused ? "rejected" : "failed",
      dry_run: dryRun,
      rows_committed: tally.rowsCommitted,
      error: describeError(error),
    });
    throw stopped ?? error;
  }

  if (dryRun) {
    const accounts = review.accountCounts();
    tally.wouldCreateAccounts = accounts.created;
    tally.wouldUpdateAccounts = accounts.updated;
  }
  const rescoreStarted = Date.now();
  const rescored = dryRun ? NOT_RESCORED : await rescore(context, { runId, ranges: tally.changedRanges() });
  const { accountsRescored, jobId, rescoreError } = rescored;
  const rescoringMs = Date.now() - rescoreStarted;
  const storedMs = rescoreStarted - started;
  const finished = tally.runOutcome(
    dryRun ? "dry_run" : "completed",
    rescoreError ? `Rows stored; rescoring failed: ${rescoreError}` : null,
    started,
  );
  // A dry run changed nothing: no ingest.completed event for it, and nothing to deliver.
  const completedEvent = dryRun
    ? undefined
    : { asOf: tally.latestChangedDate, data: ingestCompletedData(runId, source.fileName, tally, rescored) };
  await finishRun(context, runId, { outcome: { ...finished, ...rescoreFigures(rescored) }, completedEvent, announce: !dryRun });
  // In a dry run the time "writing" is the time reading what the batches would change.
  const writingMs = dryRun ? review.readMs : sink.waitedMs;
  log("info", dryRun ? "csv dry run" : "csv ingested", {
    ingest_run_id: runId,
    bytes: tally.bytesRead,
    rows: tally.rowsTotal,
    rejected: tally.rowsRejected,
    warnings: tally.warningCount,
    metrics_created: tally.metricsCreated,
    metrics_updated: tally.metricsUpdated,
    duration_ms: finished.durationMs,
    writing_ms: writingMs,
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
    warningCount: tally.warningCount,
    warnings: tally.warnings,
    columns: header.columns,
    ignoredHeaders: header.ignoredHeaders,
    dryRun,
    accountsRescored,
    scoresWritten: rescored.scoresWritten,
    datesRescored: rescored.datesRescored,
    d1RowsWritten: tally.rowsWritten + rescored.rowsWritten,
    rescoreError,
    rescoreJobId: jobId,
    durationMs: finished.durationMs,
    timings: { readingMs: storedMs - writingMs, writingMs, rescoringMs },
  };
}

/** The data of the upload's ingest.completed event: its counts and what its rescore did. */
function ingestCompletedData(
  runId: number,
  fileName: string | null,
  tally: IngestTally,
  rescored: RescoreOutcome,
): IngestCompletedData {
  const counts = tally.counts();
  return {
    ingest_run_id: runId,
    file_name: fileName,
    rows_total: counts.rowsTotal,
    rows_rejected: counts.rowsRejected,
    accounts_created: counts.accountsCreated,
    accounts_updated: counts.accountsUpdated,
    metrics_created: counts.metricsCreated,
    metrics_updated: counts.metricsUpdated,
    rescore: rescored.rescoreError !== null ? "failed" : rescored.jobId !== null ? "queued" : "inline",
    rescore_job_id: rescored.jobId,
    events_caused: rescored.eventsWritten,
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
