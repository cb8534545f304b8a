import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CSV_HEADER_ORDER, resolveHeader, type ResolvedHeader } from "../../src/ingest/csv-header";
import { dateProblem, formatRowError, isBlankLine, validateRow } from "../../src/ingest/validate-row";

const HEADER_FIELDS: string[] = [...CSV_HEADER_ORDER];

function header(fields: string[] = HEADER_FIELDS): ResolvedHeader {
  const resolution = resolveHeader(fields);
  if (!resolution.ok) throw new Error(`header refused: ${JSON.stringify(resolution)}`);
  return resolution.header;
}

const GOOD = ["Acme Corp", "Enterprise", "US", "500000", "2024-10-01", "150", "0.75", "2", "50", "0.85"];

function withValue(column: string, value: string): string[] {
  const fields = [...GOOD];
  fields[HEADER_FIELDS.indexOf(column)] = value;
  return fields;
}

function errorsOf(fields: string[], line = 5) {
  const result = validateRow(fields, header(), line);
  if (result.ok) throw new Error("expected the row to be rejected");
  return result.errors;
}

describe("resolveHeader", () => {
  it("matches names case-insensitively, ignoring surrounding spaces and a BOM, in any order, with extra columns", () => {
    const fields = [
      "\uFEFF Login_Frequency ",
      "notes",
      "ACCOUNT_NAME",
      "Segment",
      " region",
      "arr ",
      "Date",
      "daily_active_users",
      "feature_adoption_rate",
      "support_tickets_open",
      "nps_score",
    ];
    const resolved = header(fields);
    expect(resolved.positions.login_frequency).toBe(0);
    expect(resolved.positions.account_name).toBe(2);
    expect(resolved.positions.nps_score).toBe(10);
    expect(resolved.fieldCount).toBe(11);
  });

  it("names every missing required column", () => {
    const resolution = resolveHeader(HEADER_FIELDS.filter((name) => name !== "date" && name !== "arr"));
    expect(resolution).toMatchObject({ ok: false, missing: ["arr", "date"], duplicates: [] });
  });

  it("refuses a header that repeats a column", () => {
    expect(resolveHeader([...HEADER_FIELDS, " ARR"])).toMatchObject({
      ok: false,
      missing: [],
      duplicates: [{ column: "arr", headers: ["arr", "ARR"] }],
    });
  });

  it("accepts a header without nps_score (the column is optional)", () => {
    const resolved = header(HEADER_FIELDS.filter((name) => name !== "nps_score"));
    expect(resolved.positions.nps_score).toBe(-1);
  });

  it("recognises a semicolon-separated header", () => {
    expect(resolveHeader([HEADER_FIELDS.join(";")])).toMatchObject({ ok: false, looksSemicolonSeparated: true });
  });

  it("refuses JSON as a header", () => {
    const resolution = resolveHeader(['{"account_name": "Acme"}']);
    expect(resolution.ok).toBe(false);
  });
});

describe("validateRow", () => {
  it("turns a valid line into a typed row, trimming values and normalising the segment", () => {
    const fields = withValue("segment", " mid-MARKET ");
    fields[0] = "  Acme Corp ";
    fields[HEADER_FIELDS.indexOf("login_frequency")] = "0.85\r";
    expect(validateRow(fields, header(), 2)).toEqual({
      ok: true,
      row: {
        line: 2,
        accountName: "Acme Corp",
        segment: "Mid-Market",
        region: "US",
        arr: 500000,
        date: "2024-10-01",
        dailyActiveUsers: 150,
        featureAdoptionRate: 0.75,
        supportTicketsOpen: 2,
        npsScore: 50,
        loginFrequency: 0.85,
        // The optional columns this header lacks.
        renewalDate: null,
        owner: null,
      },
    });
  });

  it.each([
    ["smb", "SMB"],
    ["ENTERPRISE", "Enterprise"],
    ["Mid Market", "Mid-Market"],
    ["mid_market", "Mid-Market"],
  ])("normalises the segment %s to %s", (value, expected) => {
    const result = validateRow(withValue("segment", value), header(), 2);
    expect(result.ok && result.row.segment).toBe(expected);
  });

  it("stores an empty NPS as null, and accepts the range edges", () => {
    for (const [value, expected] of [
      ["", null],
      ["  ", null],
      ["-100", -100],
      ["100", 100],
    ] as const) {
      const result = validateRow(withValue("nps_score", value), header(), 2);
      expect(result.ok && result.row.npsScore).toBe(expected);
    }
  });

  it("stores null NPS for every row when the file has no nps_score column", () => {
    const fields = HEADER_FIELDS.filter((name) => name !== "nps_score");
    const values = GOOD.filter((_, index) => HEADER_FIELDS[index] !== "nps_score");
    const result = validateRow(values, header(fields), 2);
    expect(result.ok && result.row.npsScore).toBeNull();
  });

  it.each([
    ["date", "2024-02-30", "'2024-02-30' is not a real calendar date"],
    ["date", "2023-02-29", "'2023-02-29' is not a real calendar date"],
    ["date", "2024-13-01", "'2024-13-01' is not a real calendar date"],
    ["date", "2024/10/01", "'2024/10/01' is not a date in YYYY-MM-DD format: write 2024-10-01"],
    ["date", "10/01/2024", "'10/01/2024' is ambiguous (2024-01-10 or 2024-10-01?): write dates as YYYY-MM-DD"],
    ["feature_adoption_rate", "1.5", "'1.5' is out of range: must be between 0 and 1; rates are on a 0-1 scale: write 0.015 or 1.5%"],
    ["login_frequency", "-0.1", "'-0.1' is out of range: must be between 0 and 1"],
    ["daily_active_users", "-3", "'-3' is out of range: must be between 0 and 1,000,000,000"],
    ["daily_active_users", "12.5", "'12.5' is not a whole number"],
    ["support_tickets_open", "many", "'many' is not a number"],
    ["arr", "-1", "'-1' is out of range: must be between 0 and 1,000,000,000,000"],
    ["arr", "0x10", "'0x10' is not a number"],
    ["arr", "Infinity", "'Infinity' is not a number"],
    ["arr", "1e999", "'1e999' is too large to be a number"],
    ["arr", "1.200.000", "'1.200.000' is ambiguous: '.' is the decimal point here, so write it without separators or with ',' between thousands (1,200,000)"],
    ["nps_score", "101", "'101' is out of range: must be between -100 and 100"],
    ["segment", "Startup", "'Startup' is not one of Enterprise, Mid-Market, SMB"],
    ["segment", "constructor", "'constructor' is not one of Enterprise, Mid-Market, SMB"],
    ["account_name", "   ", "value is missing"],
    ["region", "", "value is missing"],
    ["arr", "", "value is missing"],
  ])("rejects %s = %j: %s", (column, value, reason) => {
    const errors = errorsOf(withValue(column, value), 9);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 9, column, reason });
  });

  it("accepts the leap day of a leap year and numbers written with exponents or a leading dot", () => {
    expect(dateProblem("2024-02-29")).toBeNull();
    expect(dateProblem("2000-02-29")).toBeNull();
    expect(dateProblem("1900-02-29")).toBe("'1900-02-29' is not a real calendar date");
    const result = validateRow(withValue("feature_adoption_rate", ".5"), header(), 2);
    expect(result.ok && result.row.featureAdoptionRate).toBe(0.5);
    const arr = validateRow(withValue("arr", "1.2e6"), header(), 2);
    expect(arr.ok && arr.row.arr).toBe(1_200_000);
  });

  it("reports every bad column of a line, with the value as found", () => {
    const fields = withValue("date", "2024-02-30");
    fields[HEADER_FIELDS.indexOf("feature_adoption_rate")] = "1.5";
    fields[HEADER_FIELDS.indexOf("segment")] = "Unknown";
    const errors = errorsOf(fields, 4);
    expect(errors.map((error) => [error.column, error.value])).toEqual([
      ["segment", "Unknown"],
      ["date", "2024-02-30"],
      ["feature_adoption_rate", "1.5"],
    ]);
  });

  it("rejects a line whose field count differs from the header's", () => {
    const errors = errorsOf([...GOOD.slice(0, 2), "Acme", ...GOOD.slice(2)], 3);
    expect(errors).toEqual([
      {
        line: 3,
        column: null,
        reason: "the line has 11 fields but the header has 10 (an unquoted comma in a value?)",
      },
    ]);
    expect(errorsOf(GOOD.slice(0, 9), 3)[0]?.reason).toBe("the line has 9 fields but the header has 10");
  });

  it("refuses overlong names", () => {
    expect(errorsOf(withValue("account_name", "x".repeat(201)))[0]?.reason).toBe("value is longer than 200 characters");
  });
});

describe("formatRowError and isBlankLine", () => {
  it("formats errors the way the original product's clients read them", () => {
    expect(formatRowError({ line: 7, column: "date", value: "2024-02-30", reason: "'2024-02-30' is not a real calendar date" })).toBe(
      "Line 7, column 'date': '2024-02-30' is not a real calendar date",
    );
    expect(formatRowError({ line: 3, column: null, reason: "the line has 9 fields but the header has 10" })).toBe(
      "Line 3: the line has 9 fields but the header has 10",
    );
  });

  it("treats empty, whitespace-only and separator-only lines as blank", () => {
    expect(isBlankLine([""])).toBe(true);
    expect(isBlankLine(["\r"])).toBe(true);
    expect(isBlankLine(["", " ", ""])).toBe(true);
    expect(isBlankLine(["", "x"])).toBe(false);
  });
});

describe("validateRow on a line the reader marks plain ASCII", () => {
  it("answers exactly what it answers with every cell cleaned", () => {
    // Printable ASCII cells, valid and not, with the spaces and CRLF remains that trimming takes off.
    const cell = fc.oneof(
      fc.constantFrom(...GOOD, "", " 7 ", "75%", "$1,200", "1.200.000", "2024-02-30", "mid market", "abc\r", " Enterprise "),
      fc.stringMatching(/^[ -~]{0,12}$/),
    );
    fc.assert(
      fc.property(fc.array(cell, { minLength: GOOD.length, maxLength: GOOD.length }), (fields) => {
        expect(validateRow(fields, header(), 4, undefined, true)).toEqual(validateRow(fields, header(), 4));
      }),
      { numRuns: 2000 },
    );
  });
});
