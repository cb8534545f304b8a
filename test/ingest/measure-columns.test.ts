import { env, SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import type { AccountDetail } from "../../src/contract/accounts";
import type { IngestResult } from "../../src/contract/ingest";
import type { Problem } from "../../src/contract/problems";
import { CSV_HEADER_ORDER, resolveHeader, type ResolvedHeader } from "../../src/ingest/csv-header";
import { validateRow } from "../../src/ingest/validate-row";
import { resetDatabase } from "../helpers/db";

/**
 * Columns of declared measures in an upload: a header of a declared measure's name is its column, its cells are checked
 * like the built-in numbers (finite, within the measure's range), and its values are stored with the metric row as a
 * JSON object and shown in the account's metrics history. Undeclared extra columns stay ignored.
 */

const BASE = CSV_HEADER_ORDER.join(",");
const SEATS = { name: "seats_ratio", min: 0, max: 1.5 };
const INVOICES = { name: "invoices_overdue", min: 0, max: 100 };

interface Line {
  name?: string;
  date: string;
  cells: string[];
}

/** The built-in cells of a line, then `cells` for the extra headers. */
function csv(extraHeaders: readonly string[], lines: readonly Line[]): string {
  const rows = lines.map((line) => [line.name ?? "Acme", "Enterprise", "EU", 100_000, line.date, 150, 0.7, 2, 40, 0.8, ...line.cells].join(","));
  return `${[[BASE, ...extraHeaders].join(","), ...rows].join("\n")}\n`;
}

async function declare(measure: { name: string; min: number; max: number }): Promise<void> {
  const response = await SELF.fetch("http://example.com/measures", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...measure, description: `${measure.name} for the tests` }),
  });
  expect(response.status, await response.clone().text()).toBe(201);
}

function post(text: string, query = ""): Promise<Response> {
  return SELF.fetch(`http://example.com/ingest/csv${query}`, { method: "POST", headers: { "content-type": "text/csv" }, body: text });
}

async function upload(text: string, query = ""): Promise<IngestResult> {
  const response = await post(text, query);
  const body = await response.text();
  expect(response.status, body).toBe(200);
  return JSON.parse(body) as IngestResult;
}

/** The stored measures of each metric row, by date (null: none). */
async function storedMeasures(name = "Acme"): Promise<Record<string, unknown>> {
  const { results } = await env.DB.prepare(
    `SELECT m.date, m.measures FROM account_metrics AS m JOIN accounts AS a ON a.id = m.account_id
     WHERE a.account_name = ? ORDER BY m.date`,
  )
    .bind(name)
    .all<{ date: string; measures: string | null }>();
  return Object.fromEntries(results.map((row) => [row.date, row.measures === null ? null : JSON.parse(row.measures)]));
}

beforeEach(resetDatabase);

describe("header and row validation (pure)", () => {
  const header = (fields: string[]): ResolvedHeader => {
    const resolution = resolveHeader(fields, {}, 1, [SEATS, INVOICES]);
    if (!resolution.ok) throw new Error("header refused");
    return resolution.header;
  };
  const line = (cells: string[]) => ["Acme", "Enterprise", "EU", "100000", "2024-10-01", "150", "0.7", "2", "40", "0.8", ...cells];

  it("matches a declared measure's name as the built-in headers are matched, and lists them by name", () => {
    const resolved = header([...CSV_HEADER_ORDER, "Seats Ratio", "invoices_overdue", "notes"]);
    expect(resolved.measures.map((measure) => [measure.name, measure.position])).toEqual([
      ["invoices_overdue", 11],
      ["seats_ratio", 10],
    ]);
    expect(resolved.columns.slice(-2)).toEqual([
      { header: "Seats Ratio", column: "seats_ratio", matchedBy: "normalised" },
      { header: "invoices_overdue", column: "invoices_overdue", matchedBy: "exact" },
    ]);
    expect(resolved.ignoredHeaders).toEqual(["notes"]);
  });

  it("takes a header the mapping maps to a measure's name, and names the declared measures when a target is unknown", () => {
    const mapped = resolveHeader([...CSV_HEADER_ORDER, "Seats %"], { "Seats %": "seats_ratio" }, 1, [SEATS]);
    expect(mapped).toMatchObject({ ok: true, header: { measures: [{ name: "seats_ratio", position: 10 }] } });
    expect(mapped.ok && mapped.header.columns.at(-1)).toEqual({ header: "Seats %", column: "seats_ratio", matchedBy: "mapping" });
    const unknown = resolveHeader([...CSV_HEADER_ORDER, "Seats %"], { "Seats %": "seats" }, 1, [SEATS, INVOICES]);
    expect(unknown.ok ? [] : unknown.mappingProblems).toEqual([
      expect.stringMatching(/^'seats' \(mapped from 'Seats %'\) is not a column; .*; the declared measures are seats_ratio, invoices_overdue\.$/),
    ]);
  });

  it("refuses two headers of one measure", () => {
    const resolution = resolveHeader([...CSV_HEADER_ORDER, "seats_ratio", "SEATS-RATIO"], {}, 1, [SEATS]);
    expect(resolution).toMatchObject({ ok: false, duplicates: [{ column: "seats_ratio", headers: ["seats_ratio", "SEATS-RATIO"] }] });
  });

  it("stores the values as one JSON object in name order, leaves empty cells out, and has none without values", () => {
    const resolved = header([...CSV_HEADER_ORDER, "seats_ratio", "invoices_overdue"]);
    expect(validateRow(line(["0.8", "3"]), resolved, 2)).toMatchObject({ ok: true, row: { measures: { invoices_overdue: 3, seats_ratio: 0.8 } } });
    expect(validateRow(line(["1e-1", ""]), resolved, 2)).toMatchObject({ ok: true, row: { measures: { seats_ratio: 0.1 } } });
    const empty = validateRow(line(["", " "]), resolved, 2);
    expect(empty.ok && empty.row.measures).toBeUndefined();
  });

  it("reports a value out of range or not a number as the built-in number columns do", () => {
    const resolved = header([...CSV_HEADER_ORDER, "seats_ratio", "invoices_overdue"]);
    expect(validateRow(line(["1.6", "abc"]), resolved, 7)).toEqual({
      ok: false,
      // By measure name, as the values are read.
      errors: [
        { line: 7, column: "invoices_overdue", value: "abc", reason: "'abc' is not a number" },
        { line: 7, column: "seats_ratio", value: "1.6", reason: "'1.6' is out of range: must be between 0 and 1.5" },
      ],
    });
    const tooLarge = validateRow(line(["1e999", "0"]), resolved, 3);
    expect(tooLarge).toMatchObject({ ok: false, errors: [{ column: "seats_ratio", reason: "'1e999' is too large to be a number" }] });
  });
});

describe("POST /ingest/csv with measure columns", () => {
  it("stores the declared measures' values with the metric rows and reports how each header matched", async () => {
    await declare(SEATS);
    await declare(INVOICES);
    const body = await upload(
      csv(["Seats Ratio", "invoices_overdue", "notes"], [
        { date: "2024-10-01", cells: ["0.8", "3", "hello"] },
        { date: "2024-10-02", cells: ["", "0", ""] },
        { date: "2024-10-03", cells: ["", "", "x"] },
      ]),
    );
    expect(body).toMatchObject({ rows_total: 3, rows_rejected: 0, metrics_created: 3, ignored_headers: ["notes"] });
    expect(body.columns.slice(-2)).toEqual([
      { header: "Seats Ratio", column: "seats_ratio", matched_by: "normalised" },
      { header: "invoices_overdue", column: "invoices_overdue", matched_by: "exact" },
    ]);
    expect(await storedMeasures()).toEqual({
      "2024-10-01": { invoices_overdue: 3, seats_ratio: 0.8 },
      "2024-10-02": { invoices_overdue: 0 },
      "2024-10-03": null,
    });
  });

  it("rejects a row whose value is out of range, naming the line and the measure, and loads the rest", async () => {
    await declare(SEATS);
    const body = await upload(
      csv(["seats_ratio"], [
        { date: "2024-10-01", cells: ["0.5"] },
        { date: "2024-10-02", cells: ["2"] },
        { date: "2024-10-03", cells: ["-0.1"] },
        { date: "2024-10-04", cells: ["1.5"] },
      ]),
    );
    expect(body).toMatchObject({ rows_total: 4, rows_rejected: 2, metrics_created: 2, error_count: 2 });
    expect(body.row_errors).toEqual([
      { line: 3, column: "seats_ratio", value: "2", reason: "'2' is out of range: must be between 0 and 1.5" },
      { line: 4, column: "seats_ratio", value: "-0.1", reason: "'-0.1' is out of range: must be between 0 and 1.5" },
    ]);
    expect(body.errors[0]).toBe("Line 3, column 'seats_ratio': '2' is out of range: must be between 0 and 1.5");
    expect(await storedMeasures()).toEqual({ "2024-10-01": { seats_ratio: 0.5 }, "2024-10-04": { seats_ratio: 1.5 } });
  });

  it("ignores a column of a measure that is not declared, as any extra column", async () => {
    const body = await upload(csv(["seats_ratio"], [{ date: "2024-10-01", cells: ["9"] }]));
    expect(body).toMatchObject({ rows_rejected: 0, ignored_headers: ["seats_ratio"] });
    expect(await storedMeasures()).toEqual({ "2024-10-01": null });
  });

  it("validates them in a dry run too, and writes nothing", async () => {
    await declare(SEATS);
    const body = await upload(
      csv(["seats_ratio"], [
        { date: "2024-10-01", cells: ["0.5"] },
        { date: "2024-10-02", cells: ["7"] },
      ]),
      "?dry_run=true",
    );
    expect(body).toMatchObject({ dry_run: true, rows_rejected: 1, metrics_created: 1 });
    expect(body.row_errors[0]).toMatchObject({ line: 3, column: "seats_ratio", value: "7" });
    expect(await storedMeasures()).toEqual({});
  });

  it("replaces a row's measures on a re-upload of its account and date, and changes nothing when they are the same", async () => {
    await declare(SEATS);
    await declare(INVOICES);
    const first = csv(["seats_ratio", "invoices_overdue"], [{ date: "2024-10-01", cells: ["0.5", "2"] }]);
    await upload(first);
    expect(await upload(first)).toMatchObject({ metrics_created: 0, metrics_updated: 0 });
    // The same values with the columns the other way round: the same row.
    const reordered = csv(["invoices_overdue", "seats_ratio"], [{ date: "2024-10-01", cells: ["2", "0.5"] }]);
    expect(await upload(reordered)).toMatchObject({ metrics_updated: 0 });

    const changed = csv(["seats_ratio"], [{ date: "2024-10-01", cells: ["0.9"] }]);
    expect(await upload(changed, "?dry_run=true")).toMatchObject({ metrics_updated: 1 });
    expect(await upload(changed)).toMatchObject({ metrics_updated: 1 });
    expect(await storedMeasures()).toEqual({ "2024-10-01": { seats_ratio: 0.9 } });

    // A row without them has none, as an empty NPS clears the stored one.
    expect(await upload(csv([], [{ date: "2024-10-01", cells: [] }]))).toMatchObject({ metrics_updated: 1 });
    expect(await storedMeasures()).toEqual({ "2024-10-01": null });
  });

  it("refuses a header with two columns of one measure before writing anything", async () => {
    await declare(SEATS);
    const response = await post(csv(["seats_ratio", "Seats-Ratio"], [{ date: "2024-10-01", cells: ["0.5", "0.5"] }]));
    expect(response.status).toBe(400);
    const problem = await response.json<Problem>();
    expect(problem.errors).toEqual([{ field: "seats_ratio", message: "Column appears more than once in the header" }]);
    expect(await storedMeasures()).toEqual({});
  });
});

describe("GET /accounts/{id} metrics_history", () => {
  it("shows a row's measures only when it has some, so other rows answer as before", async () => {
    await declare(SEATS);
    await upload(
      csv(["seats_ratio"], [
        { date: "2024-10-01", cells: ["0.8"] },
        { date: "2024-10-02", cells: [""] },
      ]),
    );
    const id = (await env.DB.prepare("SELECT id FROM accounts WHERE account_name = 'Acme'").first<{ id: number }>())?.id;
    const response = await SELF.fetch(`http://example.com/accounts/${id}`);
    expect(response.status).toBe(200);
    const history = (await response.json<AccountDetail>()).metrics_history;
    expect(history[0]).toEqual({
      date: "2024-10-01",
      daily_active_users: 150,
      feature_adoption_rate: 0.7,
      support_tickets_open: 2,
      nps_score: 40,
      login_frequency: 0.8,
      arr: 100_000,
      measures: { seats_ratio: 0.8 },
    });
    expect(Object.keys(history[1] ?? {})).toEqual([
      "date",
      "daily_active_users",
      "feature_adoption_rate",
      "support_tickets_open",
      "nps_score",
      "login_frequency",
      "arr",
    ]);
  });
});
