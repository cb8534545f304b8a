import { env, SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import crmExport from "../../examples/crm-export.csv?raw";
import importingGuide from "../../docs/importing.md?raw";
import { CSV_HEADER_ORDER } from "../../src/ingest/columns";
import { shiftDate } from "../../src/ingest/values";
import type { Problem } from "../../src/contract/problems";
import type { IngestResult } from "../../src/contract/ingest";
import { resetDatabase } from "../helpers/db";
import { ingestStream } from "../helpers/ingest";
import { streamOf } from "../helpers/streams";
import { fetchWith } from "../helpers/worker";

/*
 * Import at the door, through the Worker: every value either loads as validated or is reported, warnings sit beside
 * errors, headers are matched forgivingly or by an explicit mapping, a dry run answers the report without writing, and
 * workbooks are refused with how to save them as CSV. Each test checks what was stored, not only the answer.
 */

const HEADER = CSV_HEADER_ORDER.join(",");
const URL = "http://example.com/ingest/csv";
const TODAY = new Date().toISOString().slice(0, 10);

function post(body: BodyInit, query = "", contentType: string | null = "text/csv") {
  return SELF.fetch(`${URL}${query}`, { method: "POST", body, headers: contentType ? { "content-type": contentType } : {} });
}

function postForm(csv: string | Uint8Array, fields: [string, string][] = [], query = "", fileName = "data.csv") {
  const form = new FormData();
  for (const [name, value] of fields) form.append(name, value);
  form.append("file", new File([csv], fileName, { type: "text/csv" }));
  return SELF.fetch(`${URL}${query}`, { method: "POST", body: form });
}

async function ok(response: Response): Promise<IngestResult> {
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return JSON.parse(text) as IngestResult;
}

async function problem(response: Response, status: number): Promise<Problem> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  return JSON.parse(text) as Problem;
}

interface Stored {
  account_name: string;
  date: string;
  arr: number;
  daily_active_users: number;
  feature_adoption_rate: number;
  support_tickets_open: number;
  nps_score: number | null;
  login_frequency: number;
}

async function stored(): Promise<Stored[]> {
  const { results } = await env.DB.prepare(
    `SELECT a.account_name, m.date, m.arr, m.daily_active_users, m.feature_adoption_rate, m.support_tickets_open,
            m.nps_score, m.login_frequency
     FROM account_metrics m JOIN accounts a ON a.id = m.account_id ORDER BY a.account_name, m.date`,
  ).all<Stored>();
  return results;
}

async function accounts(): Promise<{ account_name: string; segment: string; region: string; arr: number; latest_metric_date: string }[]> {
  const { results } = await env.DB.prepare(
    "SELECT account_name, segment, region, arr, latest_metric_date FROM accounts ORDER BY account_name",
  ).all<{ account_name: string; segment: string; region: string; arr: number; latest_metric_date: string }>();
  return results;
}

/** Everything an upload can write, so a test can prove a dry run or a refusal wrote none of it. */
async function snapshot(): Promise<string> {
  const results = await env.DB.batch([
    env.DB.prepare("SELECT * FROM accounts ORDER BY id"),
    env.DB.prepare("SELECT * FROM account_metrics ORDER BY account_id, date"),
    env.DB.prepare("SELECT * FROM health_scores ORDER BY account_id, date"),
    env.DB.prepare("SELECT * FROM pending_rescores ORDER BY id"),
    env.DB.prepare("SELECT * FROM health_events ORDER BY id"),
  ]);
  return JSON.stringify(results.map((result) => result.results));
}

async function runStatus(id: number): Promise<string | undefined> {
  return (await env.DB.prepare("SELECT status FROM ingest_runs WHERE id = ?").bind(id).first<{ status: string }>())?.status;
}

const row = (name: string, date: string, { arr = "1000", dau = "5", adoption = "0.5", nps = "", login = "0.5" } = {}) =>
  `${name},SMB,EU,${arr},${date},${dau},${adoption},1,${nps},${login}`;

beforeEach(resetDatabase);

describe("validation that cannot be bypassed", () => {
  it("reports an ARR that overflows to Infinity as a row error and stores the rows around it (it used to answer 500)", async () => {
    // Before: '1e999' passed the `>= 0` check as Infinity, JSON.stringify wrote null, and the NOT NULL constraint on
    // accounts.arr failed the whole batch: "Storing the rows of lines 2-4 failed", nothing stored.
    const csv = [HEADER, row("Before", "2024-10-01"), row("Overflow", "2024-10-01", { arr: "1e999" }), row("After", "2024-10-01")];
    const body = await ok(await post(csv.join("\n")));
    expect(body).toMatchObject({ rows_total: 3, rows_rejected: 1, metrics_created: 2, accounts_created: 2 });
    expect(body.row_errors).toEqual([{ line: 3, column: "arr", value: "1e999", reason: "'1e999' is too large to be a number" }]);
    expect((await stored()).map((metric) => metric.account_name)).toEqual(["After", "Before"]);
  });

  it.each([
    ["arr", "9".repeat(400)],
    ["arr", "1e13"],
    ["daily_active_users", "1e300"],
    ["support_tickets_open", "1e20"],
    ["nps_score", "-1e999"],
    ["login_frequency", "1e999"],
  ])("refuses %s = %s as a row error, never a 5xx", async (column, value) => {
    const fields = row("Acme", "2024-10-01").split(",");
    fields[CSV_HEADER_ORDER.indexOf(column as (typeof CSV_HEADER_ORDER)[number])] = value;
    const body = await ok(await post([HEADER, fields.join(","), row("Beta", "2024-10-01")].join("\n")));
    expect(body.row_errors).toEqual([expect.objectContaining({ line: 2, column })]);
    expect((await stored()).map((metric) => metric.account_name)).toEqual(["Beta"]);
  });

  it("refuses a date decades in the future, so it cannot become the account's latest date; tomorrow is accepted", async () => {
    const tomorrow = shiftDate(TODAY, 1);
    const csv = [HEADER, row("Acme", "2024-10-01"), row("Acme", "2096-10-01"), row("Acme", tomorrow), row("Acme", shiftDate(TODAY, 2))];
    const body = await ok(await post(csv.join("\n")));
    expect(body.row_errors.map((error) => [error.line, error.column, error.reason])).toEqual([
      [3, "date", `'2096-10-01' is in the future: dates may be at most one day after the upload's date (${TODAY}, UTC)`],
      [5, "date", `'${shiftDate(TODAY, 2)}' is in the future: dates may be at most one day after the upload's date (${TODAY}, UTC)`],
    ]);
    expect((await stored()).map((metric) => metric.date)).toEqual(["2024-10-01", tomorrow]);
    expect((await accounts())[0]?.latest_metric_date).toBe(tomorrow);
  });

  it("refuses dates before MIN_METRIC_DATE (default 2000-01-01, configurable)", async () => {
    const csv = [HEADER, row("Acme", "1999-12-31"), row("Acme", "2000-01-01"), row("Acme", "2019-06-30")].join("\n");
    const body = await ok(await post(csv));
    expect(body.row_errors).toEqual([
      {
        line: 2,
        column: "date",
        value: "1999-12-31",
        reason: "'1999-12-31' is before 2000-01-01, the earliest date accepted (MIN_METRIC_DATE)",
      },
    ]);
    await resetDatabase();
    const configured = await fetchWith({ MIN_METRIC_DATE: "2020-01-01" }, "/ingest/csv", {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: csv,
    });
    const strict = await ok(configured);
    expect(strict.row_errors.map((error) => error.reason)).toEqual([
      "'1999-12-31' is before 2020-01-01, the earliest date accepted (MIN_METRIC_DATE)",
      "'2000-01-01' is before 2020-01-01, the earliest date accepted (MIN_METRIC_DATE)",
      "'2019-06-30' is before 2020-01-01, the earliest date accepted (MIN_METRIC_DATE)",
    ]);
    expect(await stored()).toEqual([]);
  });

  it("answers 503 misconfigured for a MIN_METRIC_DATE that is not a date", async () => {
    const response = await fetchWith({ MIN_METRIC_DATE: "2020-02-30" }, "/ingest/csv", {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: `${HEADER}\n${row("Acme", "2024-10-01")}`,
    });
    const body = await problem(response, 503);
    expect(body.detail).toContain("MIN_METRIC_DATE");
    expect(body.detail).toContain("a date written YYYY-MM-DD");
  });

  it("matches account names after NFC normalisation: two spellings of one name are one account, stored composed", async () => {
    const composed = "Café Zürich";
    const decomposed = "Cafe\u0301 Zu\u0308rich";
    const body = await ok(await post([HEADER, row(decomposed, "2024-10-01"), row(` ${composed} `, "2024-10-02")].join("\n")));
    expect(body).toMatchObject({ accounts_created: 1, metrics_created: 2, rows_rejected: 0 });
    expect((await accounts()).map((account) => account.account_name)).toEqual([composed]);
    // A later upload in the other spelling updates the same account.
    const again = await ok(await post([HEADER, row(decomposed, "2024-10-02", { dau: "9" })].join("\n")));
    expect(again).toMatchObject({ accounts_created: 0, metrics_updated: 1 });
    expect((await stored()).map((metric) => [metric.account_name, metric.daily_active_users])).toEqual([
      [composed, 5],
      [composed, 9],
    ]);
  });

  it("refuses control characters in names and regions, per row, and stores the clean rows", async () => {
    const csv = [
      HEADER,
      row("Acme\u0000Corp", "2024-10-01"),
      row('"Two\nLines"', "2024-10-01"),
      "Tabbed\tName,SMB,EU,1,2024-10-01,1,0.5,1,,0.5",
      "Clean,SMB,E\u007fU,1,2024-10-01,1,0.5,1,,0.5",
      row("Clean", "2024-10-02"),
      row('"Lone\rCR"', "2024-10-01"),
    ].join("\n");
    const body = await ok(await post(csv));
    expect(body.row_errors.map((error) => [error.line, error.column, error.reason.slice(0, 40)])).toEqual([
      [2, "account_name", "contains a control character (U+0000) at"],
      [5, "account_name", "contains a control character (U+0009) at"],
      [6, "region", "contains a control character (U+007F) at"],
      [8, "account_name", "contains a control character (U+000D) at"],
    ]);
    // A line break inside quotes reads as a space (as Excel writes Alt+Enter in a cell); a lone CR is refused.
    expect(await stored()).toEqual([
      expect.objectContaining({ account_name: "Clean", date: "2024-10-02" }),
      expect.objectContaining({ account_name: "Two Lines", date: "2024-10-01" }),
    ]);
  });
});

describe("warnings beside errors", () => {
  it("stores a duplicate account + date once, the later line, and warns with both line numbers", async () => {
    const csv = [HEADER, row("Acme", "2024-10-01", { dau: "1" }), row("Beta", "2024-10-01"), row("Acme", "2024-10-01", { dau: "2" })];
    const body = await ok(await post(csv.join("\n")));
    expect(body).toMatchObject({ rows_total: 3, rows_rejected: 0, metrics_created: 2, warning_count: 1 });
    expect(body.warnings).toEqual([
      {
        line: 4,
        column: null,
        code: "duplicate_row",
        message: "'Acme' on 2024-10-01 is also on line 2: only one row per account and date is kept, the later one (line 4).",
      },
    ]);
    expect(body.message).toContain("1 warning: see `warnings`.");
    expect((await stored()).map((metric) => [metric.account_name, metric.daily_active_users])).toEqual([
      ["Acme", 2],
      ["Beta", 5],
    ]);
  });

  it("finds duplicates across batches too", async () => {
    const csv = [HEADER, row("Acme", "2024-10-01", { dau: "1" }), row("Beta", "2024-10-01"), row("Gamma", "2024-10-01"), row("Acme", "2024-10-01", { dau: "3" })];
    const report = await ingestStream(streamOf([new TextEncoder().encode(csv.join("\n"))]), "dup.csv", { batchSize: 2 });
    expect(report.warnings).toEqual([expect.objectContaining({ line: 5, code: "duplicate_row", message: expect.stringContaining("also on line 2") })]);
    expect(report).toMatchObject({ metricsCreated: 3, metricsUpdated: 1 });
    expect((await stored()).find((metric) => metric.account_name === "Acme")?.daily_active_users).toBe(3);
  });

  it("warns about an ARR more than 10x off the account's previous value, in the file or as stored", async () => {
    await ok(await post([HEADER, row("Acme", "2024-10-01", { arr: "50000" }), row("Beta", "2024-10-01", { arr: "90000" })].join("\n")));
    const csv = [
      HEADER,
      row("Acme", "2024-10-02", { arr: "5000000" }), // 100x the stored 50,000
      row("Acme", "2024-10-03", { arr: "5100000" }), // close to line 2: fine
      row("Acme", "2024-10-04", { arr: "51000" }), // a hundredth of line 3
      row("Beta", "2024-10-02", { arr: "95000" }), // fine
      row("Gamma", "2024-10-02", { arr: "0" }),
      row("Gamma", "2024-10-03", { arr: "1000000" }), // from 0: no ratio
    ];
    const body = await ok(await post(csv.join("\n")));
    expect(body.warnings).toEqual([
      {
        line: 2,
        column: "arr",
        code: "arr_jump",
        message: "ARR 5,000,000 is more than 10 times the account's previous ARR, 50,000 (as stored): a typo or a missing separator?",
      },
      {
        line: 4,
        column: "arr",
        code: "arr_jump",
        message: "ARR 51,000 is less than 1/10 of the account's previous ARR, 5,100,000 (line 3): a typo or a missing separator?",
      },
    ]);
    // Warnings never stop a row.
    expect(body).toMatchObject({ rows_rejected: 0, metrics_created: 6 });
    expect((await stored()).filter((metric) => metric.account_name === "Acme").map((metric) => metric.arr)).toEqual([
      50000, 5000000, 5100000, 51000,
    ]);
  });

  it("lists the first 100 warnings and counts them all", async () => {
    const rows = Array.from({ length: 120 }, () => row("Acme", "2024-10-01"));
    const body = await ok(await post([HEADER, ...rows].join("\n")));
    expect(body.warning_count).toBe(119);
    expect(body.warnings).toHaveLength(100);
    expect(body.warnings[0]?.line).toBe(3);
    expect(await stored()).toHaveLength(1);
  });
});

describe("forgiving, unambiguous formats", () => {
  it("stores percentages, currency ARR and ISO date-times as the values they mean", async () => {
    const csv = [
      HEADER,
      'Acme,SMB,EU,"$1,200,000.50",2025-01-05T10:00:00Z,10,75%,1,,57.1%',
      'Beta,SMB,EU,"€2,500",2025-01-05T23:30:00-05:00,10,0.5,1,,0.5',
      "Gamma,SMB,EU,£300,2025-01-05 08:00:00+02:00,10,100%,1,,0%",
    ].join("\n");
    const body = await ok(await post(csv));
    expect(body).toMatchObject({ rows_rejected: 0, metrics_created: 3 });
    expect(body.warnings).toEqual([
      {
        line: 3,
        column: "date",
        code: "date_converted",
        message: "'2025-01-05T23:30:00-05:00' is 2025-01-06 in UTC, the date the row is stored under",
      },
    ]);
    expect((await stored()).map((metric) => [metric.account_name, metric.date, metric.arr, metric.feature_adoption_rate, metric.login_frequency])).toEqual([
      ["Acme", "2025-01-05", 1_200_000.5, 0.75, 0.571],
      ["Beta", "2025-01-06", 2500, 0.5, 0.5],
      ["Gamma", "2025-01-05", 300, 1, 0],
    ]);
  });

  it("refuses the ambiguous forms with a hint, and a bare 75 for a rate", async () => {
    const csv = [HEADER, "Acme,SMB,EU,1.200.000,02/03/2024,10,75,1,,0.5", row("Beta", "2024-10-01")].join("\n");
    const body = await ok(await post(csv));
    expect(body.row_errors).toEqual([
      {
        line: 2,
        column: "arr",
        value: "1.200.000",
        reason: "'1.200.000' is ambiguous: '.' is the decimal point here, so write it without separators or with ',' between thousands (1,200,000)",
      },
      {
        line: 2,
        column: "date",
        value: "02/03/2024",
        reason: "'02/03/2024' is ambiguous (2024-03-02 or 2024-02-03?): write dates as YYYY-MM-DD",
      },
      {
        line: 2,
        column: "feature_adoption_rate",
        value: "75",
        reason: "'75' is out of range: must be between 0 and 1; rates are on a 0-1 scale: write 0.75 or 75%",
      },
    ]);
    expect((await stored()).map((metric) => metric.account_name)).toEqual(["Beta"]);
  });
});

describe("header mapping", () => {
  const CRM_HEADER = "Company,Plan,Region,ARR,Date,DAU,Adoption,Open Tickets,NPS,Logins,Notes";
  const CRM_ROW = 'Acme,Enterprise,EU,"$500,000",2024-10-01,150,75%,2,40,85%,called';

  it("matches an export's headers by name and alias, and says how", async () => {
    const body = await ok(await post(`${CRM_HEADER}\n${CRM_ROW}\n`));
    expect(body.columns).toEqual([
      { header: "Company", column: "account_name", matched_by: "alias" },
      { header: "Plan", column: "segment", matched_by: "alias" },
      { header: "Region", column: "region", matched_by: "normalised" },
      { header: "ARR", column: "arr", matched_by: "normalised" },
      { header: "Date", column: "date", matched_by: "normalised" },
      { header: "DAU", column: "daily_active_users", matched_by: "alias" },
      { header: "Adoption", column: "feature_adoption_rate", matched_by: "alias" },
      { header: "Open Tickets", column: "support_tickets_open", matched_by: "alias" },
      { header: "NPS", column: "nps_score", matched_by: "alias" },
      { header: "Logins", column: "login_frequency", matched_by: "alias" },
    ]);
    expect(body.ignored_headers).toEqual(["Notes"]);
    expect(await stored()).toEqual([
      {
        account_name: "Acme",
        date: "2024-10-01",
        arr: 500000,
        daily_active_users: 150,
        feature_adoption_rate: 0.75,
        support_tickets_open: 2,
        nps_score: 40,
        login_frequency: 0.85,
      },
    ]);
  });

  it("takes an explicit mapping as a query parameter, overriding an alias", async () => {
    const csv = `Company,Customer,${HEADER.split(",").slice(1).join(",")}\nAcme Holdings,Acme EU,SMB,EU,1,2024-10-01,1,0.5,1,,0.5\n`;
    const refusal = await problem(await post(csv), 400);
    expect(refusal.detail).toContain("repeats the column(s): account_name ('Company', 'Customer')");

    const mapping = encodeURIComponent(JSON.stringify({ Customer: "account_name" }));
    const body = await ok(await post(csv, `?mapping=${mapping}`));
    expect(body.columns[0]).toEqual({ header: "Customer", column: "account_name", matched_by: "mapping" });
    expect(body.ignored_headers).toEqual(["Company"]);
    expect(body.warnings).toEqual([expect.objectContaining({ line: 1, code: "header_ignored", column: "account_name" })]);
    expect((await accounts()).map((account) => account.account_name)).toEqual(["Acme EU"]);
  });

  it("takes the mapping as a form field before the file", async () => {
    const csv = "Kunde,Segment,Region,ARR,Datum,Aktive Nutzer,Adoption,Tickets,NPS,Logins\nMüller GmbH,SMB,DE,1000,2024-10-01,7,0.5,1,,0.5\n";
    const mapping = JSON.stringify({ Kunde: "account_name", Datum: "date", "Aktive Nutzer": "daily_active_users" });
    const body = await ok(await postForm(csv, [["mapping", mapping]]));
    expect(body.columns.filter((match) => match.matched_by === "mapping").map((match) => match.header)).toEqual([
      "Kunde",
      "Datum",
      "Aktive Nutzer",
    ]);
    expect(await stored()).toEqual([expect.objectContaining({ account_name: "Müller GmbH", date: "2024-10-01", daily_active_users: 7 })]);
  });

  it.each([
    [{ Company: "customer_id" }, "'customer_id' (mapped from 'Company') is not a column"],
    [{ Kunde: "account_name" }, "The mapped header 'Kunde' is not in the file"],
    [{ Company: "account_name", Notes: "account_name" }, "'Company' and 'Notes' are both mapped to account_name"],
  ])("refuses the mapping %j with 400 before anything is written", async (mapping, detail) => {
    const before = await snapshot();
    const response = await post(`${CRM_HEADER}\n${CRM_ROW}\n`, `?mapping=${encodeURIComponent(JSON.stringify(mapping))}`);
    const body = await problem(response, 400);
    expect(body.detail).toContain(detail);
    expect(body.detail).toContain("Nothing was stored.");
    expect(body.errors).toContainEqual({ field: "mapping", message: expect.stringContaining(detail) });
    expect(await snapshot()).toBe(before);
  });

  it.each([
    ["not JSON", "{Company: account_name}", "mapping is not valid JSON"],
    ["an array", '["Company"]', "mapping must be a JSON object"],
    ["a number as column", '{"Company": 3}', "mapping['Company'] must be a column name"],
  ])("refuses a mapping that is %s as a validation error", async (_, mapping, detail) => {
    const body = await problem(await post(`${CRM_HEADER}\n${CRM_ROW}\n`, `?mapping=${encodeURIComponent(mapping)}`), 400);
    expect(body.title).toBe("Validation failed");
    expect(body.detail).toContain(detail);
    expect(body.errors).toEqual([{ field: "mapping", message: expect.stringContaining(detail) }]);
    expect(await stored()).toEqual([]);
  });

  it("refuses a mapping sent both ways", async () => {
    const mapping = JSON.stringify({ Company: "account_name" });
    const body = await problem(await postForm(`${CRM_HEADER}\n${CRM_ROW}\n`, [["mapping", mapping]], `?mapping=${encodeURIComponent(mapping)}`), 400);
    expect(body.detail).toContain("Send the mapping once");
    expect(await stored()).toEqual([]);
  });

  it("answers the importing guide's mapped upload of examples/crm-export.csv as the guide shows, and stores its values", async () => {
    const shown = /The mapped upload answers \(abridged\)[\s\S]*?```json\n([\s\S]*?)```/.exec(importingGuide)?.[1];
    if (!shown) throw new Error("the importing guide (docs/importing.md) should show the mapped upload's answer");
    const mapping = /-F '(mapping=[^']*)'\s*\\?\s*-F "file=@examples\/crm-export.csv"/.exec(importingGuide)?.[1]?.slice("mapping=".length);
    if (!mapping) throw new Error("the importing guide (docs/importing.md) should show the mapped upload's curl command");
    const body = await ok(await postForm(crmExport, [["mapping", mapping]], "", "crm-export.csv"));
    expect(body).toMatchObject(JSON.parse(shown) as Record<string, unknown>);
    expect((await accounts()).map((account) => [account.account_name, account.segment, account.region, account.arr])).toEqual([
      ["Globex Analytics", "Enterprise", "EMEA", 1_250_000],
      ["Initech Labs", "Mid-Market", "North America", 96_000],
      ["Umbrella Health", "SMB", "APAC", 18_500],
    ]);
    expect((await stored()).filter((metric) => metric.account_name === "Initech Labs").map((metric) => [metric.date, metric.feature_adoption_rate])).toEqual([
      ["2026-10-30", 0.38],
      ["2026-11-01", 0.36],
    ]);
  });

  it("suggests a mapping when a required column is missing", async () => {
    const body = await problem(await post("Kunde,segment,region,arr,date,dau,adoption,tickets,logins\nA,SMB,EU,1,2024-10-01,1,0.5,1,0.5\n"), 400);
    expect(body.detail).toContain("missing the required column(s): account_name");
    expect(body.detail).toContain(`map one with mapping={"Kunde": "account_name"}`);
    expect(body.errors).toEqual([{ field: "account_name", message: "Required column is missing from the header" }]);
  });
});

describe("dry run", () => {
  const FILE = [
    HEADER,
    row("Acme", "2024-10-01", { arr: "1000" }),
    row("Acme", "2024-10-02", { dau: "7" }),
    row("Beta", "2024-10-01", { arr: "bad" }),
    row("Gamma", "2024-10-01"),
    row("Gamma", "2024-10-01", { dau: "6" }),
    row("Delta", "2024-10-03", { arr: "1000000" }),
  ].join("\n");

  /** The parts of the report a dry run shares with the upload. */
  const report = (body: IngestResult) => ({
    rows_total: body.rows_total,
    rows_rejected: body.rows_rejected,
    errors: body.errors,
    row_errors: body.row_errors,
    error_count: body.error_count,
    warnings: body.warnings,
    warning_count: body.warning_count,
    columns: body.columns,
    ignored_headers: body.ignored_headers,
    accounts_created: body.accounts_created,
    accounts_updated: body.accounts_updated,
    metrics_created: body.metrics_created,
    metrics_updated: body.metrics_updated,
  });

  it("answers the report of the upload without writing any account, metric or score", async () => {
    await ok(await post([HEADER, row("Acme", "2024-10-01"), row("Delta", "2024-10-01", { arr: "1000" })].join("\n")));
    const before = await snapshot();

    const dry = await ok(await post(FILE, "?dry_run=true"));
    expect(await snapshot()).toBe(before);
    expect(dry).toMatchObject({ dry_run: true, accounts_rescored: 0, scores_written: null, d1_rows_written: 0 });
    expect(dry.message).toMatch(/^Dry run: nothing was written\. .*1 accounts would be created, 2 would be updated; 3 metrics would be created, 0 would be updated\./);
    expect(await runStatus(dry.ingest_run_id)).toBe("dry_run");

    const real = await ok(await post(FILE));
    expect(real.dry_run).toBe(false);
    expect(report(dry)).toEqual(report(real));
    // Gamma is new; Acme (a new date) and Delta (a new date) change; Acme's 2024-10-01 row is as stored.
    expect(report(real)).toMatchObject({ accounts_created: 1, accounts_updated: 2, metrics_created: 3, metrics_updated: 0 });
    expect(await snapshot()).not.toBe(before);
  });

  it("counts updates against what is stored, and nothing for an unchanged re-upload", async () => {
    await ok(await post(FILE));
    const unchanged = await ok(await post(FILE, "?dry_run=1"));
    expect(unchanged).toMatchObject({ accounts_created: 0, accounts_updated: 0, metrics_created: 0, metrics_updated: 0 });

    const changed = FILE.replace(row("Acme", "2024-10-02", { dau: "7" }), row("Acme", "2024-10-02", { dau: "8" }));
    const dry = await ok(await post(changed, "?dry_run=yes"));
    const real = await ok(await post(changed));
    expect(report(dry)).toEqual(report(real));
    expect(report(real)).toMatchObject({ accounts_created: 0, accounts_updated: 1, metrics_created: 0, metrics_updated: 1 });
  });

  it("counts as the real upload does across batches, with keys repeated and accounts met again", async () => {
    await ok(await post([HEADER, row("Acme", "2024-10-01"), row("Beta", "2024-10-05", { arr: "10" })].join("\n")));
    const csv = [
      HEADER,
      row("Acme", "2024-10-01", { dau: "9" }), // stored: updated
      row("Gamma", "2024-10-01"), // new account
      row("Acme", "2024-10-01", { dau: "10" }), // repeats line 2 in the next batch: updated again
      row("Gamma", "2024-10-01"), // repeats line 3 with the same values: nothing
      row("Beta", "2024-10-04", { arr: "20" }), // older than Beta's latest: the account keeps its ARR
      row("Gamma", "2024-10-02", { arr: "5" }), // Gamma again, in a third batch
    ].join("\n");
    const bytes = new TextEncoder().encode(csv);
    const before = await snapshot();
    const dry = await ingestStream(streamOf([bytes]), "dry.csv", { batchSize: 2, dryRun: true });
    expect(await snapshot()).toBe(before);
    const real = await ingestStream(streamOf([bytes]), "real.csv", { batchSize: 2 });
    const fields = ({ accountsCreated, accountsUpdated, metricsCreated, metricsUpdated, warnings }: typeof dry) => ({
      accountsCreated,
      accountsUpdated,
      metricsCreated,
      metricsUpdated,
      warnings,
    });
    expect(fields(dry)).toEqual(fields(real));
    expect(fields(real)).toMatchObject({ accountsCreated: 1, accountsUpdated: 2, metricsCreated: 3, metricsUpdated: 2 });
  });

  it("refuses what the upload refuses, writing nothing", async () => {
    const body = await problem(await post(HEADER.replace("date", "day_of_week"), "?dry_run=true"), 400);
    expect(body.detail).toContain("missing the required column(s): date");
    expect(await stored()).toEqual([]);
  });

  it("is no slower than the upload", async () => {
    const rows = Array.from({ length: 4000 }, (_, index) => row(`Account ${index % 400}`, shiftDate("2024-01-01", Math.floor(index / 400))));
    const csv = [HEADER, ...rows].join("\n");
    await ok(await post(csv, "?dry_run=true")); // warm-up
    const dry = await ok(await post(csv, "?dry_run=true"));
    const real = await ok(await post(csv));
    expect(dry.metrics_created).toBe(real.metrics_created);
    // Generous, for a shared machine: the dry run skips every write and the rescore.
    expect(dry.duration_ms).toBeLessThanOrEqual(real.duration_ms * 1.25 + 20);
  });
});

describe("Excel and other files that are not CSV", () => {
  const XLSX = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00]);

  it.each([
    ["a raw .xlsx body", () => post(XLSX, "", "application/octet-stream")],
    ["an .xlsx in the form", () => postForm(XLSX, [], "", "accounts.xlsx")],
    ["an .xlsx dry run", () => post(XLSX, "?dry_run=true", "text/csv")],
  ])("refuses %s with 415 and says how to save it as CSV UTF-8", async (_, send) => {
    const body = await problem(await send(), 415);
    expect(body.detail).toContain("Excel workbook (.xlsx)");
    expect(body.detail).toContain('"CSV UTF-8 (Comma delimited) (*.csv)"');
    expect(body.detail).toContain("Nothing was stored");
    expect(await stored()).toEqual([]);
  });

  it("refuses an Excel 97-2003 .xls with 415, and a workbook content type at once", async () => {
    const xls = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    expect((await problem(await post(xls, "", "application/vnd.ms-excel"), 415)).detail).toContain("Excel 97-2003 workbook (.xls)");
    const typed = await problem(await post(XLSX, "", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), 415);
    expect(typed.detail).toContain("a spreadsheet workbook, not CSV text");
    expect(typed.detail).toContain("CSV UTF-8");
  });

  it("refuses UTF-16 text, with and without its byte-order mark, with 400 and the same advice; Latin-1 too", async () => {
    const text = `${HEADER}\n${row("Acme", "2024-10-01")}\n`;
    const utf16le = new Uint8Array([0xff, 0xfe, ...[...text].flatMap((character) => [character.charCodeAt(0), 0])]);
    const withoutBom = utf16le.slice(2);
    for (const bytes of [utf16le, withoutBom]) {
      const body = await problem(await post(bytes), 400);
      expect(body.detail).toContain("UTF-16 text");
      expect(body.detail).toContain("CSV UTF-8");
    }
    const latin1 = new Uint8Array([...new TextEncoder().encode(`${HEADER}\n`), 0x43, 0x61, 0x66, 0xe9, 0x2c]);
    expect((await problem(await post(latin1), 400)).detail).toContain("not UTF-8 text");
    expect(await stored()).toEqual([]);
  });
});

describe("GET /openapi.json documents the door", () => {
  it("describes dry_run, mapping and the report's new fields", async () => {
    const document = await (await SELF.fetch("http://example.com/openapi.json")).json<{
      paths: Record<string, { post: { operationId?: string; parameters?: { name: string; in: string }[]; requestBody: unknown } }>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    }>();
    const operation = document.paths["/ingest/csv"]?.post;
    expect(operation?.operationId).toBe("uploadCsv");
    expect(operation?.parameters?.map((parameter) => [parameter.name, parameter.in])).toEqual(
      expect.arrayContaining([
        ["dry_run", "query"],
        ["mapping", "query"],
      ]),
    );
    expect(JSON.stringify(operation?.requestBody)).toContain('"mapping"');
    expect(Object.keys(document.components.schemas.IngestResult?.properties ?? {})).toEqual(
      expect.arrayContaining(["warnings", "warning_count", "columns", "ignored_headers", "dry_run"]),
    );
    expect(document.components.schemas.CsvRowWarning).toBeDefined();
    expect(document.components.schemas.CsvColumnMatch).toBeDefined();
  });
});
