import { DEFAULT_MIN_METRIC_DATE } from "../lib/config";
import { COLUMNS, type ColumnValues, type RowWarning } from "./columns";
import type { MeasureColumn, ResolvedHeader } from "./csv-header";
import {
  cleanCell,
  controlCharacterProblem,
  INVALID,
  validationContext,
  type Cell,
  type Invalid,
  type ValidationContext,
  type ValueRule,
  type WarningCode,
} from "./values";

export { dateProblem } from "./values";

/**
 * The CSV contract as pure functions: once the header is resolved (csv-header.ts), turn each data line into a typed
 * metric row, or the list of errors that name the line, the column and why. Every column follows its rule of the
 * column table (columns.ts), every declared measure's column its range; every text cell is NFC-normalised, trimmed and
 * free of control characters first.
 */

/** A row's values of declared measures, by name; stored with the row as the JSON object (`{"seats_ratio":0.8}`). */
export type MeasureValues = Readonly<Record<string, number>>;

/** A validated data line: its physical line in the file, one typed value per column and its declared measures' values. */
export type MetricRow = { line: number; measures?: MeasureValues | undefined } & ColumnValues;

export interface RowError {
  /** Physical line in the file; the header is line 1. */
  line: number;
  /** A column of the table or a declared measure's name; null when the problem is the line as a whole (field count, broken quotes). */
  column: string | null;
  value?: string;
  reason: string;
}

export type RowValidation = { ok: true; row: MetricRow; warnings?: RowWarning[] } | { ok: false; errors: RowError[] };

/** A line's values before any is read, one per column in table order. */
const NO_VALUES: readonly unknown[] = COLUMNS.map(() => null);

/** Each field's place in the column table, where validateRow keeps the line's values. */
const AT = Object.fromEntries(COLUMNS.map((entry, index) => [entry.field, index])) as Record<keyof ColumnValues, number>;

/**
 * The row of a line's values (in table order). One literal gives every row the same shape without a store by
 * computed key per value, which cost a tenth of the validation; `satisfies` keeps it naming every field.
 */
function rowOf(line: number, values: readonly unknown[], measures: MeasureValues | undefined): MetricRow {
  return {
    line,
    measures,
    accountName: values[AT.accountName],
    segment: values[AT.segment],
    region: values[AT.region],
    arr: values[AT.arr],
    date: values[AT.date],
    dailyActiveUsers: values[AT.dailyActiveUsers],
    featureAdoptionRate: values[AT.featureAdoptionRate],
    supportTicketsOpen: values[AT.supportTicketsOpen],
    npsScore: values[AT.npsScore],
    loginFrequency: values[AT.loginFrequency],
    renewalDate: values[AT.renewalDate],
    owner: values[AT.owner],
  } satisfies Record<keyof MetricRow, unknown> as MetricRow;
}

/** Values longer than this are cut in the error's `value` (the reason already quotes their start). */
const MAX_VALUE_IN_ERROR = 200;

/** A line with no content: empty, only spaces, or only separators (as spreadsheets export empty rows). */
export function isBlankLine(fields: readonly string[]): boolean {
  for (const field of fields) {
    if (field.trim() !== "") return false;
  }
  return true;
}

/** The cell being read, and the line's problems so far. */
class LineCheck implements Cell {
  errors: RowError[] | undefined;
  warnings: RowWarning[] | undefined;
  column: string = COLUMNS[0].name;
  value = "";

  constructor(
    readonly context: ValidationContext,
    private readonly line: number,
  ) {}

  fail(reason: string): Invalid {
    const value = this.value.length > MAX_VALUE_IN_ERROR ? `${this.value.slice(0, MAX_VALUE_IN_ERROR)}…` : this.value;
    (this.errors ??= []).push(
      value === "" ? { line: this.line, column: this.column, reason } : { line: this.line, column: this.column, value, reason },
    );
    return INVALID;
  }

  warn(code: WarningCode, message: string): void {
    (this.warnings ??= []).push({ line: this.line, column: this.column, code, message });
  }
}

/**
 * The value of one cell under `rule`, or INVALID with the reason reported to `check` (whose `column` is the cell's).
 * `plainAscii`: the cell is printable ASCII, so trimming is all the cleaning it needs.
 */
function readCell<T>(raw: string, rule: ValueRule<T>, check: LineCheck, plainAscii: boolean): T | Invalid {
  const text = plainAscii ? raw.trim() : cleanCell(raw);
  if (text === null) {
    const cleaned = raw.normalize("NFC").trim();
    check.value = cleaned;
    return check.fail(controlCharacterProblem(cleaned));
  }
  check.value = text;
  if (text === "") return rule.empty ? rule.empty.value : check.fail("value is missing");
  return rule.parse(text, check);
}

/**
 * The line's values of the declared measures, by name (undefined: none). An object, not JSON text: the batch's JSON
 * then nests it as an object, where a string would be escaped, and grow the batch past the writer's split size.
 */
function measuresOf(
  fields: readonly string[],
  measures: readonly MeasureColumn[],
  check: LineCheck,
  plainAscii: boolean,
): MeasureValues | undefined {
  let values: Record<string, number> | undefined;
  for (const measure of measures) {
    check.column = measure.name;
    const value = readCell(fields[measure.position] ?? "", measure.rule, check, plainAscii);
    if (value === null || value === INVALID) continue;
    values ??= {};
    values[measure.name] = value;
  }
  return values;
}

/**
 * Validates one data line. Every problem on the line is reported (one error per column), so a user fixes the line in
 * one go; the line is rejected if there is any. `plainAscii`: the caller knows every field is printable ASCII, so
 * trimming is all the cleaning a cell needs.
 */
export function validateRow(
  fields: readonly string[],
  header: ResolvedHeader,
  line: number,
  context: ValidationContext = validationContext(new Date(), DEFAULT_MIN_METRIC_DATE),
  plainAscii = false,
): RowValidation {
  if (fields.length !== header.fieldCount) {
    const hint = fields.length > header.fieldCount ? " (an unquoted comma in a value?)" : "";
    return {
      ok: false,
      errors: [{ line, column: null, reason: `the line has ${fields.length} fields but the header has ${header.fieldCount}${hint}` }],
    };
  }

  const check = new LineCheck(context, line);
  const values = NO_VALUES.slice();
  for (let index = 0; index < COLUMNS.length; index++) {
    const entry = COLUMNS[index] ?? COLUMNS[0];
    const position = header.positionByColumn[index] ?? -1;
    if (position === -1) {
      // An optional column the file does not have (the header check refuses a file without a required one).
      values[index] = entry.rule.empty ? entry.rule.empty.value : null;
      continue;
    }
    check.column = entry.name;
    const value = readCell<unknown>(fields[position] ?? "", entry.rule, check, plainAscii);
    if (value !== INVALID) values[index] = value;
  }
  // Most files have no measure column: their rows build nothing for it.
  const measures = header.measures.length === 0 ? undefined : measuresOf(fields, header.measures, check, plainAscii);
  if (check.errors) return { ok: false, errors: check.errors };
  // Every value was set above by the rule that types its column (ColumnValues is derived from the same table).
  const row = rowOf(line, values, measures);
  return check.warnings ? { ok: true, row, warnings: check.warnings } : { ok: true, row };
}

/** The v1 API's readable form, e.g. "Line 7, column 'date': '2024-02-30' is not a real calendar date". */
export function formatRowError(error: RowError): string {
  const where = error.column ? `Line ${error.line}, column '${error.column}'` : `Line ${error.line}`;
  return `${where}: ${error.reason}`;
}
