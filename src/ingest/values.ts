import { CONTROL_CHARACTER } from "../domain/text";
import { SEGMENTS, type Segment } from "../domain/types";
import { matchKey } from "../domain/match-key";

/**
 * How one CSV cell becomes a typed value: each rule accepts the forms real exports write (`75%`, `$1,200,000.50`,
 * `2025-01-05T10:00:00Z`) and refuses anything else, above all the ambiguous (`02/03/2024`, `1.200.000`), with a
 * reason that says how to write it. Pure functions: the upload's date arrives in the context.
 */

/** What a cell that breaks its rule yields; the reason has been reported to the cell. */
export const INVALID: unique symbol = Symbol("invalid");
export type Invalid = typeof INVALID;

export type WarningCode = "duplicate_row" | "arr_jump" | "date_converted" | "header_ignored" | "tracking_limited";

/** What a row is checked against, fixed for the whole upload. */
export interface ValidationContext {
  /** The upload's UTC date, YYYY-MM-DD. */
  today: string;
  /** The latest metric date accepted: the day after `today` (a feed in a time zone ahead of UTC). */
  maxMetricDate: string;
  /** The earliest metric date accepted (MIN_METRIC_DATE). */
  minMetricDate: string;
}

/** The cell being read: where its problems and warnings go. */
export interface Cell {
  readonly context: ValidationContext;
  fail(reason: string): Invalid;
  warn(code: WarningCode, message: string): void;
}

export interface ValueRule<T> {
  /** What an empty cell (or an absent optional column) means; null when an empty cell is an error. */
  readonly empty: { readonly value: T } | null;
  /** `value` is trimmed and not empty. */
  parse(value: string, cell: Cell): T | Invalid;
  /** The accepted forms, for the documentation. */
  readonly accepts: string;
}

export type RuleValue<R> = R extends ValueRule<infer T> ? T : never;

const MAX_VALUE_IN_REASON = 80;

export function quoted(value: string): string {
  const shown = value.length > MAX_VALUE_IN_REASON ? `${value.slice(0, MAX_VALUE_IN_REASON)}…` : value;
  return `'${shown}'`;
}

// ---------------------------------------------------------------------------------------------------------------
// Text


/**
 * A line break inside a quoted cell, with the spaces around it: Excel writes one (CRLF on Windows) for Alt+Enter in a
 * cell. It is part of the text's layout, not a stray control character, so it reads as one space.
 */
const LINE_BREAK = / *\r?\n */g;

function codePoint(character: string): string {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * A cell's text NFC-normalised and trimmed, so two spellings of "Café" (precomposed, or e + combining accent) are one
 * account, with each line break inside quotes (LF or CRLF) read as one space; null when it holds another control
 * character (a tab, a lone CR, a NUL byte). Allocates nothing for plain ASCII, which most cells are.
 */
export function cleanCell(raw: string): string | null {
  let plain = true;
  for (let index = 0; index < raw.length; index++) {
    const code = raw.charCodeAt(index);
    if (code < 0x20 || code > 0x7e) {
      plain = false;
      break;
    }
  }
  if (plain) return raw.trim();
  const text = normalisedText(raw);
  return CONTROL_CHARACTER.test(text) ? null : text;
}

function normalisedText(raw: string): string {
  return raw.trim().replace(LINE_BREAK, " ").normalize("NFC");
}

/** Why `text` (normalised and trimmed) is refused: its first control character and where it stands. */
export function controlCharacterProblem(text: string): string {
  const control = CONTROL_CHARACTER.exec(text);
  if (!control) return "contains a control character";
  return `contains a control character (${codePoint(control[0])}) at position ${control.index + 1}: remove it (a line break inside quotes reads as a space; tabs and other control characters are refused)`;
}

/** `cleanCell` with the reason spelled out. */
export function cleanText(raw: string): { text: string } | { reason: string } {
  const text = cleanCell(raw);
  return text === null ? { reason: controlCharacterProblem(normalisedText(raw)) } : { text };
}

export function text(maxLength: number): ValueRule<string> {
  return {
    empty: null,
    accepts: `text, at most ${maxLength} characters; NFC-normalised and trimmed; no control characters`,
    parse(value, cell) {
      if (value.length > maxLength) return cell.fail(`value is longer than ${maxLength} characters`);
      return value;
    },
  };
}

const SEGMENT_BY_KEY = new Map<string, Segment>(SEGMENTS.map((segment) => [matchKey(segment), segment]));
const SEGMENT_BY_NAME = new Map<string, Segment>(SEGMENTS.map((segment) => [segment, segment]));

export const segment: ValueRule<Segment> = {
  empty: null,
  accepts: "Enterprise, Mid-Market or SMB, in any case and with any separator (`mid market`, `MID_MARKET`)",
  parse(value, cell) {
    return (
      SEGMENT_BY_NAME.get(value) ??
      SEGMENT_BY_KEY.get(matchKey(value)) ??
      cell.fail(`${quoted(value)} is not one of ${SEGMENTS.join(", ")}`)
    );
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Numbers

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const PLAIN_DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;
const THOUSANDS_COMMAS = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
const THOUSANDS_DOTS = /^[+-]?\d{1,3}(?:\.\d{3}){2,}$/;
const DECIMAL_COMMA = /^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+$/;
const CURRENCY = /^([+-]?)\s*[$€£]\s*/;
const PERCENT = /^(.*?)\s*%$/;

/** Why `value` is not a plain decimal number, with a hint at the usual causes. */
function notANumber(value: string, { money = false } = {}): string {
  const number = value.replace(CURRENCY, "$1");
  if (THOUSANDS_DOTS.test(number)) {
    return `${quoted(value)} is ambiguous: '.' is the decimal point here, so write it without separators${money ? " or with ',' between thousands (1,200,000)" : ""}`;
  }
  // Only ARR takes ',' between thousands; elsewhere "1,200" may as well be a decimal comma.
  if (THOUSANDS_COMMAS.test(number)) {
    return `${quoted(value)} has ',' between thousands: write it without separators (and '.' as the decimal point)`;
  }
  if (DECIMAL_COMMA.test(number)) return `${quoted(value)} uses ',' as the decimal point: write '.' instead (e.g. 0.75)`;
  if (/^[+-]?[\d.,]+\s+[\d.,\s]+$/.test(number)) return `${quoted(value)} has spaces inside: write the number without them`;
  if (PERCENT.test(value)) return `${quoted(value)} is a percentage; this column takes a plain number`;
  if (money && /[¥]|\d\s*[$€£]$/.test(value)) {
    return `${quoted(value)} is not a number: write ARR as a number, with $, € or £ before it if any`;
  }
  if (!money && /[$€£¥]/.test(value)) return `${quoted(value)} has a currency symbol; this column takes a plain number`;
  return `${quoted(value)} is not a number`;
}

/** `value` as a finite number, -0 as 0; the reason when it is none. */
function finite(value: string, digits: string): number | string {
  const parsed = Number(digits);
  if (!Number.isFinite(parsed)) return `${quoted(value)} is too large to be a number`;
  return parsed === 0 ? 0 : parsed;
}

/** 1000000000 as 1,000,000,000 (no Intl: the same text everywhere). */
export function grouped(value: number): string {
  const [whole = "", fraction] = String(Math.abs(value)).split(".");
  const withCommas = whole.replace(/\B(?=(\d{3})+$)/g, ",");
  return `${value < 0 ? "-" : ""}${withCommas}${fraction === undefined ? "" : `.${fraction}`}`;
}

function describeRange(min: number, max: number): string {
  return `between ${grouped(min)} and ${grouped(max)}`;
}

function inRange(value: string, parsed: number, min: number, max: number, cell: Cell, hint = ""): number | Invalid {
  if (parsed < min || parsed > max) return cell.fail(`${quoted(value)} is out of range: must be ${describeRange(min, max)}${hint}`);
  return parsed;
}

/** A decimal number (exponents allowed) within [min, max]; whole when `integer`. */
export function decimal(min: number, max: number, options: { integer?: boolean } = {}): ValueRule<number> {
  const { integer = false } = options;
  return {
    empty: null,
    accepts: `${integer ? "a whole number" : "a number"} ${describeRange(min, max)}`,
    parse(value, cell) {
      if (!DECIMAL.test(value)) return cell.fail(notANumber(value));
      const parsed = finite(value, value);
      if (typeof parsed === "string") return cell.fail(parsed);
      if (integer && !Number.isInteger(parsed)) return cell.fail(`${quoted(value)} is not a whole number`);
      return inRange(value, parsed, min, max, cell);
    },
  };
}

/** The same as `rule`, with an empty cell (or an absent column) meaning null. */
export function orNull<T>(rule: ValueRule<T>): ValueRule<T | null> {
  return { empty: { value: null }, accepts: `${rule.accepts}, or empty`, parse: (value, cell) => rule.parse(value, cell) };
}

/**
 * A rate from 0 to 1, or a percentage from 0% to 100% (`75%` is 0.75). A bare `75` is refused: on a 0-1 scale it
 * cannot be told from a typo, so the reason shows both ways to write what was probably meant.
 */
export const rate: ValueRule<number> = {
  empty: null,
  accepts: "0 to 1 (`0.75`), or a percentage 0% to 100% (`75%`)",
  parse(value, cell) {
    const percent = value.endsWith("%") ? PERCENT.exec(value) : null;
    if (percent) {
      const digits = percent[1] ?? "";
      if (!PLAIN_DECIMAL.test(digits)) return cell.fail(notANumber(digits));
      // Moving the decimal point in the text keeps the value exact: 57.1% is the double nearest 0.571, not 57.1 / 100.
      const parsed = finite(value, `${digits}e-2`);
      if (typeof parsed === "string") return cell.fail(parsed);
      if (parsed < 0 || parsed > 1) return cell.fail(`${quoted(value)} is out of range: must be between 0% and 100%`);
      return parsed;
    }
    if (!DECIMAL.test(value)) return cell.fail(notANumber(value));
    const parsed = finite(value, value);
    if (typeof parsed === "string") return cell.fail(parsed);
    const hint =
      parsed > 1 && parsed <= 100 && PLAIN_DECIMAL.test(value)
        ? `; rates are on a 0-1 scale: write ${Number(`${value}e-2`)} or ${value}%`
        : "";
    return inRange(value, parsed, 0, 1, cell, hint);
  },
};

/**
 * An amount of money: a number >= 0 with an optional leading `$`, `€` or `£` and optional ',' between groups of three
 * digits (`$1,200,000.50`). `1.200.000` and `1.200,50` are refused: '.' and ',' swap roles between locales.
 */
export function money(max: number): ValueRule<number> {
  return {
    empty: null,
    accepts: `a number from 0 to ${grouped(max)}, optionally with a leading $, € or £ and ',' between thousands (\`$1,200,000.50\`)`,
    parse(value, cell) {
      // The plain number first: most files write ARR so.
      const plain = DECIMAL.test(value);
      const number = plain ? value : value.replace(CURRENCY, "$1");
      let digits: string;
      if (plain || DECIMAL.test(number)) digits = number;
      else if (THOUSANDS_COMMAS.test(number)) digits = number.replaceAll(",", "");
      else return cell.fail(notANumber(value, { money: true }));
      const parsed = finite(value, digits);
      if (typeof parsed === "string") return cell.fail(parsed);
      return inRange(value, parsed, 0, max, cell);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Dates

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** RFC 3339 / ISO 8601 extended date-time; no offset is read as UTC. */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;
const DAY_FIRST_OR_MONTH_FIRST = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})$/;
const YEAR_FIRST_OTHER_SEPARATOR = /^(\d{4})([/.])(\d{1,2})\2(\d{1,2})$/;
const YEAR_FIRST_SHORT = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

const pad = (value: number, width: number) => String(value).padStart(width, "0");

function civilFromDays(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** `date` (YYYY-MM-DD) moved by `days`. */
export function shiftDate(date: string, days: number): string {
  const [year = 0, month = 0, day = 0] = date.split("-").map(Number);
  return civilFromDays(daysFromCivil(year, month, day) + days);
}

/** Null when `value` is a real calendar date written YYYY-MM-DD, else the reason. */
export function dateProblem(value: string): string | null {
  const match = ISO_DATE.exec(value);
  if (!match) return `${quoted(value)} is not a date in YYYY-MM-DD format`;
  return isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3])) ? null : `${quoted(value)} is not a real calendar date`;
}

type DateReading = { date: string; convertedFrom?: string } | { reason: string };

/** The reason a date that is not ISO 8601 is refused, with how to write it. */
function nonIsoDateReason(value: string): string {
  const dayOrMonthFirst = DAY_FIRST_OR_MONTH_FIRST.exec(value);
  if (dayOrMonthFirst) {
    const [, first = "", , second = "", year = ""] = dayOrMonthFirst;
    const fullYear = year.length === 2 ? `20${year}` : year;
    const a = Number(first);
    const b = Number(second);
    if (a <= 12 && b <= 12 && a !== b) {
      return `${quoted(value)} is ambiguous (${fullYear}-${pad(b, 2)}-${pad(a, 2)} or ${fullYear}-${pad(a, 2)}-${pad(b, 2)}?): write dates as YYYY-MM-DD`;
    }
    return `${quoted(value)} is not a date in YYYY-MM-DD format: write it as YYYY-MM-DD (day and month order differ between locales)`;
  }
  const yearFirst = YEAR_FIRST_OTHER_SEPARATOR.exec(value) ?? YEAR_FIRST_SHORT.exec(value);
  if (yearFirst) {
    const year = yearFirst[1] ?? "";
    const [month, day] = yearFirst.length === 5 ? [yearFirst[3], yearFirst[4]] : [yearFirst[2], yearFirst[3]];
    return `${quoted(value)} is not a date in YYYY-MM-DD format: write ${year}-${pad(Number(month), 2)}-${pad(Number(day), 2)}`;
  }
  if (/^\d{5}(?:\.\d+)?$/.test(value)) {
    return `${quoted(value)} looks like a spreadsheet date serial number: format the column as a date (YYYY-MM-DD) before saving the CSV`;
  }
  return `${quoted(value)} is not a date in YYYY-MM-DD format`;
}

/** A date, or an ISO 8601 date-time reduced to its UTC date. */
function readDate(value: string): DateReading {
  const date = ISO_DATE.exec(value);
  if (date) {
    return isCalendarDate(Number(date[1]), Number(date[2]), Number(date[3]))
      ? { date: value }
      : { reason: `${quoted(value)} is not a real calendar date` };
  }
  const dateTime = ISO_DATE_TIME.exec(value);
  if (!dateTime) return { reason: nonIsoDateReason(value) };
  const [, y = "", mo = "", d = "", h = "", mi = "", s = "0", , sign, oh = "0", om = "0"] = dateTime;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  if (!isCalendarDate(year, month, day)) return { reason: `${quoted(value)} is not a real calendar date` };
  // 60 seconds is a leap second, still within its minute's day.
  if (hour > 23 || minute > 59 || second > 60 || Number(oh) > 23 || Number(om) > 59) {
    return { reason: `${quoted(value)} is not a real time of day` };
  }
  const offsetMinutes = sign ? (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om)) : 0;
  const dayShift = Math.floor((hour * 60 + minute - offsetMinutes) / 1440);
  const written = `${y}-${mo}-${d}`;
  if (dayShift === 0) return { date: written };
  return { date: civilFromDays(daysFromCivil(year, month, day) + dayShift), convertedFrom: written };
}

/**
 * The date a row's metrics are for: YYYY-MM-DD or an ISO 8601 date-time (`2025-01-05T10:00:00Z`, `…+02:00`; without an
 * offset it is taken as UTC), reduced to its UTC date; from MIN_METRIC_DATE to one day after the upload's UTC date, so
 * a typo (`2096` for `2026`) cannot become the account's latest date.
 */
export function metricDate(): ValueRule<string> {
  // Files repeat the same few hundred dates, so each distinct string is read once (bounded cache, per upload rule).
  const readings = new Map<string, DateReading>();
  return {
    empty: null,
    accepts:
      "YYYY-MM-DD, or an ISO 8601 date-time (`2025-01-05T10:00:00Z`, `2025-01-05 10:00:00+02:00`; no offset = UTC) " +
      "reduced to its UTC date; from MIN_METRIC_DATE (default 2000-01-01) to one day after the upload's UTC date",
    parse(value, cell) {
      let reading = readings.get(value);
      if (reading === undefined) {
        reading = readDate(value);
        if (readings.size >= 10_000) readings.clear();
        readings.set(value, reading);
      }
      if ("reason" in reading) return cell.fail(reading.reason);
      const { minMetricDate, maxMetricDate, today } = cell.context;
      if (reading.date < minMetricDate) {
        return cell.fail(`${quoted(value)} is before ${minMetricDate}, the earliest date accepted (MIN_METRIC_DATE)`);
      }
      if (reading.date > maxMetricDate) {
        return cell.fail(
          `${quoted(value)} is in the future: dates may be at most one day after the upload's date (${today}, UTC)`,
        );
      }
      if (reading.convertedFrom) {
        cell.warn("date_converted", `${quoted(value)} is ${reading.date} in UTC, the date the row is stored under`);
      }
      return reading.date;
    },
  };
}

/** How far after the upload's date a renewal date may lie: further is a typo (`2206` for `2026`). */
export const MAX_RENEWAL_YEARS_AHEAD = 10;

/**
 * A contract date such as a renewal: YYYY-MM-DD, a real calendar date, in the future as often as not; from
 * MIN_METRIC_DATE to MAX_RENEWAL_YEARS_AHEAD years after the upload's date.
 */
export const contractDate: ValueRule<string> = {
  empty: null,
  accepts: `YYYY-MM-DD, from MIN_METRIC_DATE to ${MAX_RENEWAL_YEARS_AHEAD} years after the upload's UTC date`,
  parse(value, cell) {
    const problem = dateProblem(value);
    if (problem) return cell.fail(problem);
    const { minMetricDate, today } = cell.context;
    if (value < minMetricDate) {
      return cell.fail(`${quoted(value)} is before ${minMetricDate}, the earliest date accepted (MIN_METRIC_DATE)`);
    }
    const latest = `${pad(Number(today.slice(0, 4)) + MAX_RENEWAL_YEARS_AHEAD, 4)}${today.slice(4)}`;
    if (value > latest) {
      return cell.fail(`${quoted(value)} is more than ${MAX_RENEWAL_YEARS_AHEAD} years after the upload's date (${today}, UTC)`);
    }
    return value;
  },
};

/** The validation context of an upload made at `now`. */
export function validationContext(now: Date, minMetricDate: string): ValidationContext {
  const today = now.toISOString().slice(0, 10);
  return { today, maxMetricDate: shiftDate(today, 1), minMetricDate };
}
