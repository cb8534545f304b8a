import { CSV_HEADER_ORDER, resolveHeader, type HeaderResolution, type ResolvedHeader } from "../../ingest/csv-header";
import { readCsvRecords } from "../../ingest/csv-stream";
import { IngestError } from "../../ingest/errors";
import { isBlankLine, validateRow, type MetricRow } from "../../ingest/validate-row";
import type { BatchPipeline } from "./batch-pipeline";
import type { IngestTally } from "./tally";

/**
 * Reads the CSV text line by line: the header first (refused, with nothing stored, when it will not do), then each
 * data line validated and the valid rows handed to the pipeline in batches.
 */

export interface ReadLimits {
  batchSize: number;
  maxLineChars: number;
  maxColumns: number;
}

function headerError(resolution: Extract<HeaderResolution, { ok: false }>): IngestError {
  const problems: string[] = [];
  if (resolution.missing.length > 0) {
    problems.push(`The CSV header is missing the required column(s): ${resolution.missing.join(", ")}.`);
  }
  if (resolution.duplicates.length > 0) {
    problems.push(`The CSV header repeats the column(s): ${resolution.duplicates.join(", ")}; each may appear once.`);
  }
  if (resolution.looksSemicolonSeparated) problems.push("The header looks ';'-separated: use ',' as the separator.");
  problems.push(`Expected the columns ${CSV_HEADER_ORDER.join(",")} (any order, case-insensitive; nps_score optional).`);
  return new IngestError("invalid_csv", `${problems.join(" ")} Nothing was stored.`, [
    ...resolution.missing.map((column) => ({ field: column, message: "Required column is missing from the header" })),
    ...resolution.duplicates.map((column) => ({ field: column, message: "Column appears more than once in the header" })),
  ]);
}

function resolveHeaderLine(fields: readonly string[], maxColumns: number): ResolvedHeader {
  if (fields.length > maxColumns) {
    throw new IngestError(
      "invalid_csv",
      `The header has ${fields.length} columns; at most ${maxColumns} are accepted (MAX_COLUMNS). Nothing was stored.`,
    );
  }
  const resolution = resolveHeader(fields);
  if (!resolution.ok) throw headerError(resolution);
  return resolution.header;
}

export async function readAndStore(
  text: ReadableStream<string>,
  pipeline: BatchPipeline,
  tally: IngestTally,
  limits: ReadLimits,
): Promise<void> {
  let header: ResolvedHeader | undefined;
  let batch: MetricRow[] = [];
  let batchFirstLine = 0;
  let lastLine = 0;

  for await (const records of readCsvRecords(text, { maxLineChars: limits.maxLineChars })) {
    for (const record of records) {
      if (isBlankLine(record.fields)) continue;
      if (!header) {
        header = resolveHeaderLine(record.fields, limits.maxColumns);
        continue;
      }
      tally.rowsTotal++;
      if (record.problem) {
        tally.reject([{ line: record.line, column: null, reason: record.problem }]);
        continue;
      }
      const validation = validateRow(record.fields, header, record.line);
      if (!validation.ok) {
        tally.reject(validation.errors);
        continue;
      }
      if (batch.length === 0) batchFirstLine = record.line;
      lastLine = record.line;
      batch.push(validation.row);
      if (batch.length >= limits.batchSize) {
        await pipeline.write(batch, batchFirstLine, lastLine);
        batch = [];
      }
    }
  }

  if (!header) {
    throw new IngestError("invalid_csv", "The file is empty: send a CSV file with a header line and data rows.");
  }
  if (tally.rowsTotal === 0) {
    throw new IngestError("invalid_csv", "The file has a header but no data rows. Nothing was stored.");
  }
  if (batch.length > 0) await pipeline.write(batch, batchFirstLine, lastLine);
  await pipeline.flush();
}
