import { describe, expect, it } from "vitest";
import { COLUMNS, CSV_HEADER_ORDER, MAX_ARR, type RowWarning } from "../../src/ingest/columns";
import { resolveHeader, type ResolvedHeader } from "../../src/ingest/csv-header";
import { validateRow, type RowError } from "../../src/ingest/validate-row";
import { cleanText, grouped, shiftDate, validationContext, type ValidationContext } from "../../src/ingest/values";

/*
 * Every accepted value form and every refusal, through validateRow with a fixed upload date (2026-06-15), so a
 * reason says exactly what a user reads.
 */

const CONTEXT: ValidationContext = validationContext(new Date("2026-06-15T12:00:00Z"), "2000-01-01");
const HEADER_FIELDS: string[] = [...CSV_HEADER_ORDER];
const GOOD = ["Acme Corp", "Enterprise", "US", "500000", "2024-10-01", "150", "0.75", "2", "50", "0.85"];

function header(): ResolvedHeader {
  const resolution = resolveHeader(HEADER_FIELDS);
  if (!resolution.ok) throw new Error("header refused");
  return resolution.header;
}

function validate(column: string, value: string, context = CONTEXT) {
  const fields = [...GOOD];
  fields[HEADER_FIELDS.indexOf(column)] = value;
  return validateRow(fields, header(), 3, context);
}

function accepted(column: string, value: string, context = CONTEXT): { value: unknown; warnings: RowWarning[] } {
  const result = validate(column, value, context);
  if (!result.ok) throw new Error(`expected ${column}=${JSON.stringify(value)} to be accepted: ${JSON.stringify(result.errors)}`);
  const field = COLUMNS.find((entry) => entry.name === column)?.field ?? "";
  return { value: (result.row as Record<string, unknown>)[field], warnings: result.warnings ?? [] };
}

function refused(column: string, value: string, context = CONTEXT): RowError {
  const result = validate(column, value, context);
  if (result.ok) throw new Error(`expected ${column}=${JSON.stringify(value)} to be refused`);
  expect(result.errors).toHaveLength(1);
  return result.errors[0] as RowError;
}

describe("numbers: finite and within range, whatever is written", () => {
  it.each([
    ["arr", "1e999", "'1e999' is too large to be a number"],
    ["arr", "9".repeat(400), `'${"9".repeat(80)}…' is too large to be a number`],
    ["arr", "1e13", "'1e13' is out of range: must be between 0 and 1,000,000,000,000"],
    ["arr", "-0.01", "'-0.01' is out of range: must be between 0 and 1,000,000,000,000"],
    ["daily_active_users", "1e300", "'1e300' is out of range: must be between 0 and 1,000,000,000"],
    ["daily_active_users", "1e999", "'1e999' is too large to be a number"],
    ["support_tickets_open", "1000001", "'1000001' is out of range: must be between 0 and 1,000,000"],
    ["nps_score", "1e999", "'1e999' is too large to be a number"],
    ["nps_score", "-1e999", "'-1e999' is too large to be a number"],
    ["login_frequency", "1e999", "'1e999' is too large to be a number"],
    ["arr", "NaN", "'NaN' is not a number"],
    ["arr", "Infinity", "'Infinity' is not a number"],
    ["arr", "0x1F", "'0x1F' is not a number"],
    ["arr", "1_000", "'1_000' is not a number"],
    ["daily_active_users", "12.5", "'12.5' is not a whole number"],
    ["daily_active_users", "1,200", "'1,200' has ',' between thousands: write it without separators (and '.' as the decimal point)"],
    ["daily_active_users", "1 200", "'1 200' has spaces inside: write the number without them"],
    ["support_tickets_open", "$3", "'$3' has a currency symbol; this column takes a plain number"],
    ["nps_score", "50%", "'50%' is a percentage; this column takes a plain number"],
  ])("%s = %j is refused: %s", (column, value, reason) => {
    expect(refused(column, value)).toMatchObject({ line: 3, column, reason });
  });

  it.each([
    ["arr", "1e12", 1e12],
    ["arr", "-0", 0],
    ["arr", "+250", 250],
    ["arr", ".5", 0.5],
    ["daily_active_users", "1e3", 1000],
    ["daily_active_users", "150.0", 150],
    ["nps_score", "-100", -100],
    ["nps_score", "12.5", 12.5],
  ])("%s = %j is stored as %s", (column, value, expected) => {
    expect(Object.is(accepted(column, value).value, expected)).toBe(true);
  });
});

describe("rates: 0 to 1, or a percentage", () => {
  it.each([
    ["75%", 0.75],
    ["75 %", 0.75],
    ["0%", 0],
    ["100%", 1],
    ["57.1%", 0.571],
    ["12.345%", 0.12345],
    [".5%", 0.005],
    ["0.75", 0.75],
    ["1", 1],
  ])("feature_adoption_rate %j is %s", (value, expected) => {
    expect(accepted("feature_adoption_rate", value).value).toBe(expected);
    expect(accepted("login_frequency", value).value).toBe(expected);
  });

  it.each([
    ["75", "'75' is out of range: must be between 0 and 1; rates are on a 0-1 scale: write 0.75 or 75%"],
    ["100", "'100' is out of range: must be between 0 and 1; rates are on a 0-1 scale: write 1 or 100%"],
    ["150", "'150' is out of range: must be between 0 and 1"],
    ["101%", "'101%' is out of range: must be between 0% and 100%"],
    ["-5%", "'-5%' is out of range: must be between 0% and 100%"],
    ["1e999%", "'1e999' is not a number"],
    ["75,5%", "'75,5' uses ',' as the decimal point: write '.' instead (e.g. 0.75)"],
    ["0,75", "'0,75' uses ',' as the decimal point: write '.' instead (e.g. 0.75)"],
    ["%", "'' is not a number"],
  ])("feature_adoption_rate %j is refused: %s", (value, reason) => {
    expect(refused("feature_adoption_rate", value)).toMatchObject({ column: "feature_adoption_rate", reason });
  });
});

describe("ARR: currency symbols and thousands separators", () => {
  it.each([
    ["$1,200,000.50", 1_200_000.5],
    ["€2,500", 2500],
    ["£300", 300],
    ["$ 1,000", 1000],
    ["1,234,567", 1_234_567],
    ["999", 999],
    ["$0", 0],
    ["1200000.5", 1_200_000.5],
    [`$${grouped(MAX_ARR)}`, MAX_ARR],
  ])("arr %j is %s", (value, expected) => {
    expect(accepted("arr", value).value).toBe(expected);
  });

  it.each([
    ["1.200.000", "'1.200.000' is ambiguous: '.' is the decimal point here, so write it without separators or with ',' between thousands (1,200,000)"],
    ["€1.200.000", "'€1.200.000' is ambiguous: '.' is the decimal point here, so write it without separators or with ',' between thousands (1,200,000)"],
    ["1.200,50", "'1.200,50' uses ',' as the decimal point: write '.' instead (e.g. 0.75)"],
    ["1,20,000", "'1,20,000' is not a number"],
    ["12,00", "'12,00' uses ',' as the decimal point: write '.' instead (e.g. 0.75)"],
    ["-$100", "'-$100' is out of range: must be between 0 and 1,000,000,000,000"],
    ["USD 100", "'USD 100' is not a number"],
    ["100 €", "'100 €' is not a number: write ARR as a number, with $, € or £ before it if any"],
    ["¥100", "'¥100' is not a number: write ARR as a number, with $, € or £ before it if any"],
    ["$", "'$' is not a number"],
  ])("arr %j is refused: %s", (value, reason) => {
    expect(refused("arr", value)).toMatchObject({ column: "arr", reason });
  });
});

describe("dates: real, not in the future, not before MIN_METRIC_DATE", () => {
  it.each([
    ["2024-02-29", "2024-02-29"],
    ["2026-06-16", "2026-06-16"],
    ["2000-01-01", "2000-01-01"],
    ["2025-01-05T10:00:00Z", "2025-01-05"],
    ["2025-01-05T10:00Z", "2025-01-05"],
    ["2025-01-05t10:00:00z", "2025-01-05"],
    ["2025-01-05 10:00:00", "2025-01-05"],
    ["2025-01-05T10:00:00.123456+02:00", "2025-01-05"],
    ["2025-01-05T01:00:00+0200", "2025-01-04"],
    ["2025-01-05T23:30:00-05:00", "2025-01-06"],
    ["2025-01-05T23:30:00-05", "2025-01-06"],
    ["2024-12-31T23:59:60Z", "2024-12-31"],
    ["2025-03-01T00:30:00+01:00", "2025-02-28"],
    ["2024-03-01T00:30:00+01:00", "2024-02-29"],
  ])("%j is stored as %s", (value, expected) => {
    expect(accepted("date", value).value).toBe(expected);
  });

  it("warns when a date-time's UTC date differs from the date written, and only then", () => {
    expect(accepted("date", "2025-01-05T23:30:00-05:00").warnings).toEqual([
      {
        line: 3,
        column: "date",
        code: "date_converted",
        message: "'2025-01-05T23:30:00-05:00' is 2025-01-06 in UTC, the date the row is stored under",
      },
    ]);
    expect(accepted("date", "2025-01-05T10:00:00+02:00").warnings).toEqual([]);
  });

  it.each([
    ["2096-01-01", "'2096-01-01' is in the future: dates may be at most one day after the upload's date (2026-06-15, UTC)"],
    ["2026-06-17", "'2026-06-17' is in the future: dates may be at most one day after the upload's date (2026-06-15, UTC)"],
    ["2026-06-16T23:00:00-02:00", "'2026-06-16T23:00:00-02:00' is in the future: dates may be at most one day after the upload's date (2026-06-15, UTC)"],
    ["1999-12-31", "'1999-12-31' is before 2000-01-01, the earliest date accepted (MIN_METRIC_DATE)"],
    ["0001-01-01", "'0001-01-01' is before 2000-01-01, the earliest date accepted (MIN_METRIC_DATE)"],
    ["2024-02-30", "'2024-02-30' is not a real calendar date"],
    ["2025-02-29T10:00:00Z", "'2025-02-29T10:00:00Z' is not a real calendar date"],
    ["2025-01-05T24:00:00Z", "'2025-01-05T24:00:00Z' is not a real time of day"],
    ["2025-01-05T10:61:00Z", "'2025-01-05T10:61:00Z' is not a real time of day"],
    ["2025-01-05T10:00:00+25:00", "'2025-01-05T10:00:00+25:00' is not a real time of day"],
    ["02/03/2024", "'02/03/2024' is ambiguous (2024-03-02 or 2024-02-03?): write dates as YYYY-MM-DD"],
    ["2.3.24", "'2.3.24' is ambiguous (2024-03-02 or 2024-02-03?): write dates as YYYY-MM-DD"],
    ["13/03/2024", "'13/03/2024' is not a date in YYYY-MM-DD format: write it as YYYY-MM-DD (day and month order differ between locales)"],
    ["2024/03/02", "'2024/03/02' is not a date in YYYY-MM-DD format: write 2024-03-02"],
    ["2024-3-2", "'2024-3-2' is not a date in YYYY-MM-DD format: write 2024-03-02"],
    ["45292", "'45292' looks like a spreadsheet date serial number: format the column as a date (YYYY-MM-DD) before saving the CSV"],
    ["yesterday", "'yesterday' is not a date in YYYY-MM-DD format"],
  ])("%j is refused: %s", (value, reason) => {
    expect(refused("date", value)).toMatchObject({ column: "date", reason });
  });

  it("takes its bounds from the context: MIN_METRIC_DATE and the upload's date", () => {
    const later = validationContext(new Date("2026-06-15T23:59:59Z"), "2020-01-01");
    expect(refused("date", "2019-12-31", later).reason).toContain("before 2020-01-01");
    expect(accepted("date", "2020-01-01", later).value).toBe("2020-01-01");
    expect(later).toEqual({ today: "2026-06-15", maxMetricDate: "2026-06-16", minMetricDate: "2020-01-01" });
    expect(validationContext(new Date("2024-02-28T00:00:00Z"), "2000-01-01").maxMetricDate).toBe("2024-02-29");
    expect(validationContext(new Date("2026-12-31T08:00:00Z"), "2000-01-01").maxMetricDate).toBe("2027-01-01");
  });

  it("shifts dates across months, leap days and years", () => {
    expect(shiftDate("2024-02-28", 1)).toBe("2024-02-29");
    expect(shiftDate("2023-02-28", 1)).toBe("2023-03-01");
    expect(shiftDate("2000-03-01", -1)).toBe("2000-02-29");
    expect(shiftDate("1900-03-01", -1)).toBe("1900-02-28");
    expect(shiftDate("2026-12-31", 1)).toBe("2027-01-01");
    expect(shiftDate("2026-01-01", -366)).toBe("2024-12-31");
  });
});

describe("text: NFC, trimmed, no control characters", () => {
  it("stores names NFC-normalised and trimmed, so both spellings of Café are one name", () => {
    const decomposed = " Cafe\u0301 Zu\u0308rich\u00a0";
    expect(decomposed.normalize("NFC")).not.toBe(decomposed);
    expect(accepted("account_name", decomposed).value).toBe("Café Zürich");
    expect(accepted("region", "  Ile-de-France\u0301 ").value).toBe("Ile-de-Francé");
  });

  it.each([
    ["account_name", "Acme\u0000Corp", "U+0000", 5],
    ["account_name", "Acme\tCorp", "U+0009", 5],
    ["account_name", "Acme\u007f", "U+007F", 5],
    ["account_name", "\u001bAcme", "U+001B", 1],
    ["region", "E\rU", "U+000D", 2],
  ])("%s %j is refused for its control character", (column, value, codePoint, position) => {
    expect(refused(column, value)).toMatchObject({
      column,
      value: value.trim(),
      reason: `contains a control character (${codePoint}) at position ${position}: remove it (a line break inside quotes reads as a space; tabs and other control characters are refused)`,
    });
  });

  it.each([
    ["Multi\r\nLine Ltd", "Multi Line Ltd"],
    ["Multi\nLine Ltd", "Multi Line Ltd"],
    ["Multi \r\n  Line\r\nLtd", "Multi Line Ltd"],
    ["Cafe\u0301\r\nZu\u0308rich", "Café Zürich"],
  ])("reads a line break inside quotes (%j, as Excel writes one) as a space", (value, name) => {
    expect(accepted("account_name", value).value).toBe(name);
  });

  it("trims control characters that are whitespace at the ends (a CR of a CRLF line end, a tab)", () => {
    expect(accepted("account_name", "\tAcme Corp\r").value).toBe("Acme Corp");
    expect(cleanText("Acme\r")).toEqual({ text: "Acme" });
  });

  it("refuses a control character in a number or a segment as well", () => {
    expect(refused("arr", "10\u00000").reason).toContain("control character (U+0000)");
    expect(refused("segment", "S\u0007MB").reason).toContain("control character (U+0007)");
  });

  it("counts the length after normalisation", () => {
    expect(accepted("account_name", "e\u0301".repeat(200)).value).toBe("é".repeat(200));
    expect(refused("account_name", "x".repeat(201)).reason).toBe("value is longer than 200 characters");
  });

  it("cuts a long value in the error to 200 characters", () => {
    const error = refused("arr", "1".repeat(1000) + "x");
    expect(error.value).toBe(`${"1".repeat(200)}…`);
  });
});

describe("grouped", () => {
  it("writes thousands with commas", () => {
    expect([grouped(0), grouped(999), grouped(1000), grouped(1_200_000.5), grouped(-1234)]).toEqual([
      "0",
      "999",
      "1,000",
      "1,200,000.5",
      "-1,234",
    ]);
  });
});
