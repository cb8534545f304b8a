import { describeHeaderRefusal, headerFieldErrors, resolveHeader, type HeaderMapping, type ResolvedHeader } from "../../ingest/csv-header";
import { readCsvRecords } from "../../ingest/csv-stream";
import { IngestError } from "../../ingest/errors";
import type { MeasureRange, RowWarning } from "../../ingest/columns";
import { isBlankLine, validateRow, type MetricRow } from "../../ingest/validate-row";
import type { ValidationContext } from "../../ingest/values";
import type { BatchSink } from "./batch-pipeline";
import type { BatchReview } from "./batch-review";
import type { IngestTally } from "./tally";

/**
 * Reads the CSV text line by line: the header first (refused, with nothing stored, when it will not do), then each
 * data line validated, and the valid rows reviewed (warnings, dry-run counts) and handed to the sink in batches.
 */

export interface ReadLimits {
  batchSize: number;
  maxLineChars: number;
  maxColumns: number;
}

export interface ReadPlan {
  sink: BatchSink;
  review: BatchReview;
  tally: IngestTally;
  limits: ReadLimits;
  mapping: HeaderMapping;
  /** The declared measures: a header of one's name is its column. */
  measures: readonly MeasureRange[];
  /** An account's former names (a rename's, a merge's) and its name now: a row under one lands on the account. */
  aliases: ReadonlyMap<string, string>;
  context: ValidationContext;
}

function resolveHeaderLine(fields: readonly string[], line: number, plan: ReadPlan): ResolvedHeader {
  const { maxColumns } = plan.limits;
  if (fields.length > maxColumns) {
    throw new IngestError(
      "invalid_csv",
      `The header has ${fields.length} columns; at most ${maxColumns} are accepted (MAX_COLUMNS). Nothing was stored.`,
    );
  }
  const resolution = resolveHeader(fields, plan.mapping, line, plan.measures);
  if (!resolution.ok) {
    throw new IngestError("invalid_csv", `${describeHeaderRefusal(resolution)} Nothing was stored.`, headerFieldErrors(resolution), {
      missing: resolution.missing,
      unmatched: resolution.unmatched,
    });
  }
  return resolution.header;
}

/** Answers the resolved header (how the columns were matched). */
export async function readAndStore(text: ReadableStream<string>, plan: ReadPlan): Promise<ResolvedHeader> {
  const { sink, review, tally, limits, context } = plan;
  let header: ResolvedHeader | undefined;
  let batch: MetricRow[] = [];
  let batchWarnings: RowWarning[] = [];
  let batchFirstLine = 0;
  let lastLine = 0;

  const writeBatch = async () => {
    await review.review(batch, batchWarnings);
    await sink.write(batch, batchFirstLine, lastLine);
    batch = [];
    batchWarnings = [];
  };

  for await (const records of readCsvRecords(text, { maxLineChars: limits.maxLineChars })) {
    for (const record of records) {
      if (isBlankLine(record.fields)) continue;
      if (!header) {
        header = resolveHeaderLine(record.fields, record.line, plan);
        tally.warn(header.warnings);
        continue;
      }
      tally.rowsTotal++;
      if (record.problem) {
        tally.reject([{ line: record.line, column: null, reason: record.problem }]);
        continue;
      }
      const validation = validateRow(record.fields, header, record.line, context, record.plainAscii);
      if (!validation.ok) {
        tally.reject(validation.errors);
        continue;
      }
      if (batch.length === 0) batchFirstLine = record.line;
      lastLine = record.line;
      const renamed = plan.aliases.size > 0 ? plan.aliases.get(validation.row.accountName) : undefined;
      batch.push(renamed === undefined ? validation.row : { ...validation.row, accountName: renamed });
      if (validation.warnings) batchWarnings.push(...validation.warnings);
      if (batch.length >= limits.batchSize) await writeBatch();
    }
  }

  if (!header) {
    throw new IngestError("invalid_csv", "The file is empty: send a CSV file with a header line and data rows.");
  }
  if (tally.rowsTotal === 0) {
    throw new IngestError("invalid_csv", "The file has a header but no data rows. Nothing was stored.");
  }
  if (batch.length > 0) await writeBatch();
  await review.flush();
  await sink.flush();
  return header;
}
