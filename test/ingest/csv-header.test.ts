import { describe, expect, it } from "vitest";
import { COLUMNS, CSV_HEADER_ORDER } from "../../src/ingest/columns";
import {
  describeHeaderRefusal,
  headerFieldErrors,
  resolveHeader,
  type HeaderMapping,
  type HeaderResolution,
  type ResolvedHeader,
} from "../../src/ingest/csv-header";
import { parseMapping } from "../../src/ingest/mapping-param";

const STANDARD: string[] = [...CSV_HEADER_ORDER];

function resolved(fields: string[], mapping: HeaderMapping = {}): ResolvedHeader {
  const resolution = resolveHeader(fields, mapping);
  if (!resolution.ok) throw new Error(`header refused: ${describeHeaderRefusal(resolution)}`);
  return resolution.header;
}

function refusal(fields: string[], mapping: HeaderMapping = {}): Extract<HeaderResolution, { ok: false }> {
  const resolution = resolveHeader(fields, mapping);
  if (resolution.ok) throw new Error("expected the header to be refused");
  return resolution;
}

/** The standard header with one name replaced. */
function replacing(column: string, header: string): string[] {
  return STANDARD.map((name) => (name === column ? header : name));
}

describe("header names, matched ignoring case, spaces, hyphens and underscores", () => {
  it.each(["account_name", "Account Name", "account-name", "ACCOUNT_NAME", " Account  Name ", "AccountName", "\uFEFFaccount_name"])(
    "%j is account_name",
    (name) => {
      const header = resolved(replacing("account_name", name));
      expect(header.positions.account_name).toBe(0);
      expect(header.columns[0]).toEqual({
        header: name.replace("\uFEFF", "").trim(),
        column: "account_name",
        matchedBy: name.replace("\uFEFF", "").trim() === "account_name" ? "exact" : "normalised",
      });
    },
  );

  it("reports every header's match in file order and lists the ignored ones", () => {
    const header = resolved(["notes", ...STANDARD.map((name) => name.toUpperCase()), "owner_email"]);
    expect(header.columns.map((match) => [match.header, match.column, match.matchedBy])).toEqual(
      STANDARD.map((name) => [name.toUpperCase(), name, "normalised"]),
    );
    expect(header.ignoredHeaders).toEqual(["notes", "owner_email"]);
    expect(header.fieldCount).toBe(STANDARD.length + 2);
    expect(header.warnings).toEqual([]);
  });
});

describe("aliases", () => {
  // The documented list (README "CSV format"): each alias, written as an export would.
  it.each([
    ["Account", "account_name"],
    ["Company", "account_name"],
    ["customer", "account_name"],
    ["Company Name", "account_name"],
    ["Customer_Name", "account_name"],
    ["Plan", "segment"],
    ["TIER", "segment"],
    ["Annual Recurring Revenue", "arr"],
    ["DAU", "daily_active_users"],
    ["Active Users", "daily_active_users"],
    ["NPS", "nps_score"],
    ["Adoption", "feature_adoption_rate"],
    ["Adoption Rate", "feature_adoption_rate"],
    ["Tickets", "support_tickets_open"],
    ["open_tickets", "support_tickets_open"],
    ["Open Tickets", "support_tickets_open"],
    ["Support Tickets", "support_tickets_open"],
    ["Logins", "login_frequency"],
    ["login-rate", "login_frequency"],
  ])("%j is %s", (alias, column) => {
    const header = resolved(replacing(column, alias));
    expect(header.positions[column as keyof typeof header.positions]).toBe(STANDARD.indexOf(column));
    expect(header.columns.find((match) => match.column === column)).toEqual({ header: alias, column, matchedBy: "alias" });
  });

  it("covers every alias of the column table", () => {
    for (const entry of COLUMNS) {
      for (const alias of entry.aliases) {
        // A column outside the original header (an optional one added later) is appended.
        const fields = STANDARD.includes(entry.name) ? replacing(entry.name, alias) : [...STANDARD, alias];
        expect(resolved(fields).positions[entry.name], alias).not.toBe(-1);
      }
    }
  });

  it("lets a name match outrank an alias match, with a warning on the header line", () => {
    const resolution = resolveHeader([...STANDARD, "Company"], {}, 3);
    if (!resolution.ok) throw new Error("refused");
    expect(resolution.header.positions.account_name).toBe(0);
    expect(resolution.header.ignoredHeaders).toEqual(["Company"]);
    expect(resolution.header.warnings).toEqual([
      {
        line: 3,
        column: "account_name",
        code: "header_ignored",
        message: "The header 'Company' also matches account_name, which 'account_name' matches by its name; 'Company' is ignored.",
      },
    ]);
  });

  it("refuses two aliases of one column, naming both headers", () => {
    const found = refusal(["Company", "Customer", ...STANDARD.slice(1)]);
    expect(found.duplicates).toEqual([{ column: "account_name", headers: ["Company", "Customer"] }]);
    expect(found.missing).toEqual([]);
    expect(describeHeaderRefusal(found)).toContain(
      "The CSV header repeats the column(s): account_name ('Company', 'Customer'); each may appear once (or say which header to use with mapping).",
    );
    expect(headerFieldErrors(found)).toEqual([{ field: "account_name", message: "Column appears more than once in the header" }]);
  });
});

describe("an explicit mapping", () => {
  it("maps any header to a column, and overrides the automatic matches of that column", () => {
    const fields = ["Company", "Customer", "Active users", ...STANDARD.slice(1).filter((name) => name !== "daily_active_users")];
    const header = resolved(fields, { Customer: "account_name", "Active users": "daily_active_users" });
    expect(header.positions.account_name).toBe(1);
    expect(header.positions.daily_active_users).toBe(2);
    expect(header.columns.slice(0, 2)).toEqual([
      { header: "Customer", column: "account_name", matchedBy: "mapping" },
      { header: "Active users", column: "daily_active_users", matchedBy: "mapping" },
    ]);
    expect(header.ignoredHeaders).toEqual(["Company"]);
    expect(header.warnings.map((warning) => [warning.code, warning.column])).toEqual([["header_ignored", "account_name"]]);
  });

  it("can send a header that matches one column to another", () => {
    const header = resolved([...STANDARD, "arr_usd"], { arr: "region", arr_usd: "arr" });
    expect(header.positions.region).toBe(STANDARD.indexOf("arr"));
    expect(header.positions.arr).toBe(STANDARD.length);
    expect(header.ignoredHeaders).toEqual(["region"]);
  });

  it("finds its headers written exactly, else ignoring case and separators, and takes column names written another way", () => {
    const header = resolved(replacing("account_name", "Kunde"), { kunde: "Account Name" });
    expect(header.columns[0]).toEqual({ header: "Kunde", column: "account_name", matchedBy: "mapping" });
  });

  it.each([
    [{ Kunde: "account" }, "'account' (mapped from 'Kunde') is not a column; the columns are account_name, segment, region"],
    [{ Missing: "account_name" }, "The mapped header 'Missing' is not in the file, whose headers are 'Kunde', 'segment'"],
    [{ Kunde: "account_name", segment: "account_name" }, "'Kunde' and 'segment' are both mapped to account_name: map one header to each column."],
    [{ Kunde: "account_name", kunde: "region" }, "The header 'Kunde' is mapped twice (as 'Kunde' and 'kunde')."],
  ])("refuses %j", (mapping, message) => {
    const found = refusal(replacing("account_name", "Kunde"), mapping);
    expect(found.mappingProblems.join(" ")).toContain(message);
    expect(headerFieldErrors(found)).toContainEqual({ field: "mapping", message: expect.stringContaining(message) });
  });

  it("refuses a mapped header that is ambiguous in the file", () => {
    const found = refusal([...STANDARD, "Open-Tickets", "open tickets"], { "OPEN TICKETS": "support_tickets_open" });
    expect(found.mappingProblems[0]).toContain("matches several headers of the file ('Open-Tickets', 'open tickets')");
  });
});

describe("refusals", () => {
  it("names a missing column and suggests a mapping for the headers that match nothing", () => {
    const found = refusal(replacing("account_name", "Kunde"));
    expect(found).toMatchObject({ missing: ["account_name"], unmatched: ["Kunde"] });
    expect(describeHeaderRefusal(found)).toContain(
      `The CSV header is missing the required column(s): account_name. Headers that match no column: 'Kunde'; map one with mapping={"Kunde": "account_name"}.`,
    );
  });
});

describe("parseMapping", () => {
  it("takes a JSON object of strings", () => {
    expect(parseMapping('{"Company": "account_name", "DAU (7d)": "daily_active_users"}', 200)).toEqual({
      mapping: { Company: "account_name", "DAU (7d)": "daily_active_users" },
    });
  });

  it.each([
    ["{Company: account_name}", "mapping is not valid JSON"],
    ['["Company"]', "mapping must be a JSON object"],
    ["null", "mapping must be a JSON object"],
    ['"x"', "mapping must be a JSON object"],
    ['{"Company": 1}', "mapping['Company'] must be a column name (a string)"],
    ['{"a": "x", "b": "y", "c": "z"}', "mapping has 3 entries; at most 2 are accepted."],
  ])("refuses %s", (text, reason) => {
    const parsed = parseMapping(text, 2);
    expect("reason" in parsed && parsed.reason).toContain(reason);
  });
});
