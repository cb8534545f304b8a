import { SEGMENTS, type Segment } from "../domain/types";
import { matchKey } from "../lib/match-key";
import type { CsvColumn, ResolvedHeader } from "./csv-header";

/**
 * The CSV contract of DESIGN §3 as pure functions: once the header is resolved (csv-header.ts), turn each data
 * line into a typed metric row or a list of errors that name the line, the column and why.
 */

const MAX_ACCOUNT_NAME_LENGTH = 200;
const MAX_REGION_LENGTH = 100;
const MAX_VALUE_IN_ERROR = 80;

export interface MetricRow {
  /** Physical line in the file. */
  line: number;
  accountName: string;
  segment: Segment;
  region: string;
  arr: number;
  date: string;
  dailyActiveUsers: number;
  featureAdoptionRate: number;
  supportTicketsOpen: number;
  npsScore: number | null;
  loginFrequency: number;
}

export interface RowError {
  /** Physical line in the file; the header is line 1. */
  line: number;
  /** Null when the problem is the line as a whole (field count, broken quotes). */
  column: CsvColumn | null;
  value?: string;
  reason: string;
}

export type RowValidation = { ok: true; row: MetricRow } | { ok: false; errors: RowError[] };

/** A line with no content: empty, only spaces, or only separators (as spreadsheets export empty rows). */
export function isBlankLine(fields: readonly string[]): boolean {
  for (const field of fields) {
    if (field.trim() !== "") return false;
  }
  return true;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const SEGMENT_BY_NAME = new Map<string, Segment>(SEGMENTS.map((segment) => [segment, segment]));

/** Case-insensitive, and forgiving about the separator: "mid market", "Mid_Market", "midmarket". */
const SEGMENT_BY_KEY = new Map<string, Segment>(SEGMENTS.map((segment) => [matchKey(segment), segment]));

function quoted(value: string): string {
  const shown = value.length > MAX_VALUE_IN_ERROR ? `${value.slice(0, MAX_VALUE_IN_ERROR)}…` : value;
  return `'${shown}'`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Null when `value` is a real calendar date written YYYY-MM-DD, else the reason. */
export function dateProblem(value: string): string | null {
  const match = ISO_DATE.exec(value);
  if (!match) return `${quoted(value)} is not a date in YYYY-MM-DD format`;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return `${quoted(value)} is not a real calendar date`;
  }
  return null;
}

/** Collects the problems of one line. */
class LineCheck {
  errors: RowError[] | undefined;

  constructor(
    private readonly fields: readonly string[],
    private readonly positions: Record<CsvColumn, number>,
    private readonly line: number,
  ) {}

  raw(column: CsvColumn): string {
    return (this.fields[this.positions[column]] ?? "").trim();
  }

  fail(column: CsvColumn, value: string, reason: string): void {
    (this.errors ??= []).push(value === "" ? { line: this.line, column, reason } : { line: this.line, column, value, reason });
  }

  text(column: CsvColumn, maxLength: number): string {
    const value = this.raw(column);
    if (value === "") this.fail(column, value, "value is missing");
    else if (value.length > maxLength) this.fail(column, value, `value is longer than ${maxLength} characters`);
    return value;
  }

  number(column: CsvColumn, min: number, max: number, integer: boolean): number {
    const value = this.raw(column);
    return value === "" ? this.invalid(column, value, "value is missing") : this.parseNumber(column, value, min, max, integer);
  }

  parseNumber(column: CsvColumn, value: string, min: number, max: number, integer: boolean): number {
    if (!DECIMAL.test(value)) return this.invalid(column, value, `${quoted(value)} is not a number`);
    const parsed = Number(value);
    if (integer && !Number.isInteger(parsed)) return this.invalid(column, value, `${quoted(value)} is not a whole number`);
    if (parsed < min || parsed > max) {
      const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `between ${min} and ${max}`;
      return this.invalid(column, value, `${quoted(value)} is out of range: must be ${range}`);
    }
    return parsed;
  }

  private invalid(column: CsvColumn, value: string, reason: string): number {
    this.fail(column, value, reason);
    return Number.NaN;
  }
}

// Files repeat the same few hundred dates, so each distinct date string is checked once (bounded cache).
const dateVerdicts = new Map<string, string | null>();

function cachedDateProblem(value: string): string | null {
  let verdict = dateVerdicts.get(value);
  if (verdict === undefined) {
    verdict = dateProblem(value);
    if (dateVerdicts.size >= 10_000) dateVerdicts.clear();
    dateVerdicts.set(value, verdict);
  }
  return verdict;
}

function segmentOf(value: string): Segment | undefined {
  return SEGMENT_BY_NAME.get(value) ?? SEGMENT_BY_KEY.get(matchKey(value));
}

/**
 * Validates one data line. Every problem on the line is reported (one error per column), so a user fixes the
 * line in one go; the line is rejected if there is any.
 */
export function validateRow(fields: readonly string[], header: ResolvedHeader, line: number): RowValidation {
  if (fields.length !== header.fieldCount) {
    const hint = fields.length > header.fieldCount ? " (an unquoted comma in a value?)" : "";
    return {
      ok: false,
      errors: [
        {
          line,
          column: null,
          reason: `the line has ${fields.length} fields but the header has ${header.fieldCount}${hint}`,
        },
      ],
    };
  }

  const check = new LineCheck(fields, header.positions, line);
  const accountName = check.text("account_name", MAX_ACCOUNT_NAME_LENGTH);

  const segmentValue = check.raw("segment");
  const segment = segmentOf(segmentValue);
  if (!segment) {
    check.fail(
      "segment",
      segmentValue,
      segmentValue === "" ? "value is missing" : `${quoted(segmentValue)} is not one of Enterprise, Mid-Market, SMB`,
    );
  }

  const region = check.text("region", MAX_REGION_LENGTH);
  const arr = check.number("arr", 0, Number.POSITIVE_INFINITY, false);

  const date = check.raw("date");
  const dateReason = date === "" ? "value is missing" : cachedDateProblem(date);
  if (dateReason) check.fail("date", date, dateReason);

  const dailyActiveUsers = check.number("daily_active_users", 0, Number.POSITIVE_INFINITY, true);
  const featureAdoptionRate = check.number("feature_adoption_rate", 0, 1, false);
  const supportTicketsOpen = check.number("support_tickets_open", 0, Number.POSITIVE_INFINITY, true);
  const nps = header.positions.nps_score === -1 ? "" : check.raw("nps_score");
  const npsScore = nps === "" ? null : check.parseNumber("nps_score", nps, -100, 100, false);
  const loginFrequency = check.number("login_frequency", 0, 1, false);

  if (check.errors || !segment) return { ok: false, errors: check.errors ?? [] };
  return {
    ok: true,
    row: {
      line,
      accountName,
      segment,
      region,
      arr,
      date,
      dailyActiveUsers,
      featureAdoptionRate,
      supportTicketsOpen,
      npsScore,
      loginFrequency,
    },
  };
}

/** The original product's readable form, e.g. "Line 7, column 'date': '2024-02-30' is not a real calendar date". */
export function formatRowError(error: RowError): string {
  const where = error.column ? `Line ${error.line}, column '${error.column}'` : `Line ${error.line}`;
  return `${where}: ${error.reason}`;
}
