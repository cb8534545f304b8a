import { listMeasureRanges } from "../db/queries/measures";
import {
  metricExportPage,
  scoreExportPage,
  type ExportFilters,
  type MetricExportRow,
  type ScoreExportRow,
} from "../db/queries/export";
import { HEALTH_SCORE_POINTS_COLUMNS } from "../db/schema";
import { ALL_COLUMNS } from "../ingest/columns";
import { csvRecord, type CsvValue } from "../lib/csv-text";
import { describeError } from "../lib/errors";
import { log } from "../lib/logger";
import type { Database } from "../lib/types";

/**
 * The exports: CSV files streamed from D1 a keyset page at a time, each page read when the client has taken the one
 * before (the stream's backpressure), so the Worker holds one page, never the book.
 */

/** Rows per D1 query: a page is about half a megabyte of CSV, and the round trips per row few. */
export const EXPORT_PAGE_ROWS = 5_000;

const encoder = new TextEncoder();

function pagedCsv<Row>(
  header: readonly string[],
  page: (after: Row | null) => Promise<Row[]>,
  record: (row: Row) => readonly CsvValue[],
  what: string,
): ReadableStream<Uint8Array> {
  let last: Row | null = null;
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(encoder.encode(csvRecord(header)));
      },
      async pull(controller) {
        if (done) return controller.close();
        let rows: Row[];
        try {
          rows = await page(last);
        } catch (error) {
          log("error", `${what} export failed`, { error: describeError(error) });
          return controller.error(error);
        }
        if (rows.length > 0) controller.enqueue(encoder.encode(rows.map((row) => csvRecord(record(row))).join("")));
        last = rows.at(-1) ?? last;
        if (rows.length < EXPORT_PAGE_ROWS) done = true;
        if (rows.length === 0) controller.close();
      },
    },
    { highWaterMark: 0 },
  );
}

function measureValues(stored: string | null): Record<string, number> {
  return stored === null ? {} : (JSON.parse(stored) as Record<string, number>);
}

/**
 * Every stored metric row the filters keep, in the import format: the header POST /ingest/csv reads (every column,
 * then the declared measures by name), an account's rows by date, accounts by id. Segment and region are the
 * account's (an account has one of each); the rest is the row's own.
 */
export async function exportMetricsCsv(db: Database, filters: ExportFilters): Promise<ReadableStream<Uint8Array>> {
  const measures = (await listMeasureRanges(db)).map((measure) => measure.name);
  return pagedCsv<MetricExportRow>(
    [...ALL_COLUMNS, ...measures],
    (after) => metricExportPage(db, filters, after && { accountId: after.account_id, date: after.date }, EXPORT_PAGE_ROWS),
    (row) => {
      const values = measureValues(row.measures);
      return [...ALL_COLUMNS.map((column) => row[column]), ...measures.map((name) => values[name] ?? null)];
    },
    "metrics",
  );
}

export const SCORE_EXPORT_COLUMNS = [
  "account_id",
  "account_name",
  "date",
  "score",
  "bucket",
  "model_id",
  ...HEALTH_SCORE_POINTS_COLUMNS,
  "nps_source",
] as const satisfies readonly (keyof ScoreExportRow)[];

/** The score history the filters keep, by date then account, with each component's points by position. */
export function exportScoresCsv(db: Database, filters: ExportFilters): ReadableStream<Uint8Array> {
  return pagedCsv<ScoreExportRow>(
    SCORE_EXPORT_COLUMNS,
    (after) => scoreExportPage(db, filters, after && { date: after.date, accountId: after.account_id }, EXPORT_PAGE_ROWS),
    (row) => SCORE_EXPORT_COLUMNS.map((column) => row[column]),
    "scores",
  );
}
