import { env, SELF } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { COLUMNS, CSV_HEADER_ORDER, type CsvColumn } from "../../src/ingest/columns";
import { resolveHeader, type ResolvedHeader } from "../../src/ingest/csv-header";
import { isBlankLine, validateRow, type MetricRow } from "../../src/ingest/validate-row";
import { shiftDate, validationContext } from "../../src/ingest/values";
import { DEFAULT_MIN_METRIC_DATE } from "../../src/lib/config";
import type { IngestResult } from "../../src/contract/ingest";
import type { IngestReport } from "../../src/services/ingest/types";
import { resetDatabase } from "../helpers/db";
import { ingestStream } from "../helpers/ingest";
import { streamOf } from "../helpers/streams";

/*
 * Property: a structurally valid file (the right number of fields on every line, quoted where it must be) whose every
 * column holds arbitrary strings, numeric edge cases and the accepted value forms never makes the upload answer a 5xx;
 * every data line is either stored exactly as validateRow reads it (the later line of an account + date winning) or
 * reported with its line; and the database holds exactly the accepted rows, their accounts set from their latest-dated
 * row. Stored values are also checked on their own: finite numbers in range, NFC text without control characters.
 */

const RUNS = Number(env.FUZZ_RUNS);
/** ~25 ms a case through the Worker (an upload and its rescore, a reset, two reads); generous for a shared machine. */
const TIMEOUT_MS = 60_000 + RUNS * 60;

const TODAY = new Date().toISOString().slice(0, 10);

/** A string as the server sees it after UTF-8 encoding and decoding (fast-check never makes half surrogates anyway). */
const asSent = (value: string) => new TextDecoder().decode(new TextEncoder().encode(value));

const anyText = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary-ascii", maxLength: 8 }),
  fc.string({ unit: "binary", maxLength: 6 }),
  fc.string({ unit: "grapheme", maxLength: 4 }),
);

const NUMERIC_EDGES = [
  "", " ", "0", "-0", "+0", "00", "1", "0.5", ".5", "5.", "1e3", "1E-3", "0.1e1", "1e", "e5", ".", "-", "+", "%", "$",
  "1e999", "-1e999", "1e308", "1e309", "1.7976931348623157e308", "4.9e-324", "1e-400", "NaN", "Infinity", "-Infinity",
  "0x10", "0b1", "0o7", "1_000", "9".repeat(400), "100", "101", "-100", "-101", "100.5", "75", "1000000000",
  "1000000001", "1000000", "1000001", "1e12", "999999999999.99", "1000000000000.01", "75%", "100%", "100.0001%",
  "0.5%", "-0%", "57.1%", "1e2%", "75 %", "1,200", "1,200,000.50", "$1,200,000.50", "€1,000", "£0", "$ 5", "$-5",
  "-$5", "1.200.000", "1.200,50", "12,5", "1,20,000", " 42 ", "\t7", "7\u0000", "١٢٣", "１２", "12abc", "0.1234567890123456789",
];
const hostileNumber = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NUMERIC_EDGES) },
  { weight: 2, arbitrary: fc.double({ noNaN: true, min: -1e13, max: 1e13 }).map(String) },
  { weight: 1, arbitrary: fc.integer({ min: -10, max: 2_000_000 }).map(String) },
  { weight: 1, arbitrary: anyText },
);

const DATE_EDGES = [
  "", TODAY, shiftDate(TODAY, 1), shiftDate(TODAY, 2), shiftDate(TODAY, -1), DEFAULT_MIN_METRIC_DATE, shiftDate(DEFAULT_MIN_METRIC_DATE, -1),
  "2024-02-29", "2023-02-29", "2024-13-01", "2024-00-10", "2024-01-32", "0000-01-01", "9999-12-31", "02/03/2024",
  "2024/03/02", "2024-3-2", "45292", "2025-01-05T10:00:00Z", "2025-01-05T23:30:00-05:00", "2025-01-05T24:00:00Z",
  "2025-01-05T10:00:00+25:00", "2024-12-31T23:59:60Z", `${TODAY}T23:59:59-12:00`, `${shiftDate(TODAY, 1)}T23:00:00-05:00`,
  `${shiftDate(TODAY, 1)}T01:00:00+02:00`, "2024-01-01T00:00:00.000Z", "2024-01-01 12:00", " 2024-01-01 ",
];
const hostileDate = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...DATE_EDGES) },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((day) => day.toISOString()) },
  { weight: 1, arbitrary: anyText },
);

// A few names that meet again (also in other spellings: case, NFD, padding), so accounts collect several rows.
const NAMES = ["Acme", "Café", "Cafe\u0301", " Acme ", "ACME", "Zürich AG", "\u00a0Acme\u00a0", "株式会社テスト", "=cmd|' /C calc'!A0"];
const hostileName = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom("", "   ", "Acme\u0000", "a\tb", "x".repeat(201), "y".repeat(200), "Two\nLines") },
  { weight: 2, arbitrary: anyText },
);
const hostileSegment = fc.oneof(fc.constantFrom("Startup", "", "constructor", "__proto__", "S\u0007MB"), anyText);

const withCommas = (value: number) => String(value).replace(/\B(?=(\d{3})+$)/g, ",");
const VALID = {
  name: fc.constantFrom(...NAMES),
  segment: fc.constantFrom("Enterprise", "Mid-Market", "SMB", "smb", "mid market", "MID_MARKET", " enterprise "),
  region: fc.constantFrom("EU", "US", "APAC", "Île-de-France", "Ile-de-France\u0301"),
  arr: fc.oneof(
    fc.integer({ min: 0, max: 5_000_000 }).map(String),
    fc
      .tuple(fc.constantFrom("", "$", "€", "£", "$ "), fc.integer({ min: 0, max: 9_999_999 }), fc.constantFrom("", ".5", ".25", ".99"))
      .map(([symbol, whole, cents]) => `${symbol}${withCommas(whole)}${cents}`),
    fc.double({ noNaN: true, min: 0, max: 1e9 }).map(String),
  ),
  date: fc.oneof(
    fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date(), noInvalidDate: true }).map((day) => day.toISOString().slice(0, 10)),
    fc.date({ min: new Date("2000-01-02T00:00:00Z"), max: new Date(), noInvalidDate: true }).map((day) => day.toISOString()),
  ),
  count: fc.integer({ min: 0, max: 100_000 }).map(String),
  rate: fc.oneof(
    fc.double({ noNaN: true, min: 0, max: 1 }).map(String),
    fc.integer({ min: 0, max: 100 }).map((value) => `${value}%`),
    fc.integer({ min: 0, max: 1000 }).map((value) => `${value / 10}%`),
  ),
  nps: fc.oneof(fc.integer({ min: -100, max: 100 }).map(String), fc.constant("")),
};

/** Mostly a value the column accepts, so whole rows get stored; else anything. */
const column = (valid: fc.Arbitrary<string>, hostile: fc.Arbitrary<string>) =>
  fc.oneof({ weight: 7, arbitrary: valid }, { weight: 1, arbitrary: hostile });

/** Each column of the original header, with its own valid forms. */
const ARBITRARY_OF: Partial<Record<CsvColumn, fc.Arbitrary<string>>> = {
  account_name: column(VALID.name, hostileName),
  segment: column(VALID.segment, hostileSegment),
  region: column(VALID.region, anyText),
  arr: column(VALID.arr, hostileNumber),
  date: column(VALID.date, hostileDate),
  daily_active_users: column(VALID.count, hostileNumber),
  feature_adoption_rate: column(VALID.rate, hostileNumber),
  support_tickets_open: column(VALID.count, hostileNumber),
  nps_score: column(VALID.nps, hostileNumber),
  login_frequency: column(VALID.rate, hostileNumber),
};

/** Columns added to the table later (optional ones) get empty cells, dates and arbitrary text. */
const otherColumn = column(fc.constantFrom("", TODAY, "2027-03-31", "Jane Doe"), anyText);
const COLUMN_NAMES = COLUMNS.map((entry) => entry.name);
const rowArbitrary = fc.record({
  ...Object.fromEntries(COLUMN_NAMES.map((name) => [name, ARBITRARY_OF[name] ?? otherColumn])),
  notes: anyText,
});

const fileArbitrary = fc.record({
  // Every column of the table in any order, with an ignored `notes` column among them.
  order: fc.shuffledSubarray([...COLUMN_NAMES, "notes"], { minLength: COLUMN_NAMES.length + 1 }),
  rows: fc.array(rowArbitrary, { minLength: 1, maxLength: 8 }),
  quoteAll: fc.boolean(),
});

function field(value: string, quoteAll: boolean): string {
  return quoteAll || /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replaceAll('"', '""')}"` : value;
}

interface Line {
  line: number;
  fields: string[];
}

/** The file's text and its data lines: their physical line numbers and fields as the server will read them. */
function buildFile(spec: { order: readonly string[]; rows: Record<string, string>[]; quoteAll: boolean }): { text: string; lines: Line[] } {
  const header = spec.order.join(",");
  const lines: Line[] = [];
  let text = `${header}\n`;
  let line = 2;
  for (const row of spec.rows) {
    const fields = spec.order.map((column) => asSent(row[column] ?? ""));
    const content = fields.map((value) => field(value, spec.quoteAll)).join(",");
    lines.push({ line, fields });
    text += `${content}\n`;
    line += 1 + (content.match(/\n/g) ?? []).length;
  }
  return { text, lines };
}

interface StoredMetric {
  account_name: string;
  date: string;
  daily_active_users: number;
  feature_adoption_rate: number;
  support_tickets_open: number;
  nps_score: number | null;
  login_frequency: number;
  arr: number;
}

interface StoredAccount {
  account_name: string;
  segment: string;
  region: string;
  arr: number;
  latest_metric_date: string;
}

function asStored(row: MetricRow): StoredMetric {
  return {
    account_name: row.accountName,
    date: row.date,
    daily_active_users: row.dailyActiveUsers,
    feature_adoption_rate: row.featureAdoptionRate,
    support_tickets_open: row.supportTicketsOpen,
    nps_score: row.npsScore,
    login_frequency: row.loginFrequency,
    arr: row.arr,
  };
}

async function storedRows(): Promise<{ metrics: StoredMetric[]; accounts: StoredAccount[] }> {
  const [metrics, accounts] = await env.DB.batch([
    env.DB.prepare(
      `SELECT a.account_name, m.date, m.daily_active_users, m.feature_adoption_rate, m.support_tickets_open, m.nps_score,
              m.login_frequency, m.arr
       FROM account_metrics m JOIN accounts a ON a.id = m.account_id`,
    ),
    env.DB.prepare("SELECT account_name, segment, region, arr, latest_metric_date FROM accounts"),
  ]);
  return { metrics: (metrics?.results ?? []) as StoredMetric[], accounts: (accounts?.results ?? []) as StoredAccount[] };
}

const byKey = <T extends { account_name: string }>(rows: T[], key: (row: T) => string) =>
  [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

// eslint-disable-next-line no-control-regex -- stored text must hold none
const CONTROL = /[\u0000-\u001f\u007f]/;

describe("ingest values (property)", () => {
  it(`stores exactly the rows validation accepts and reports the others, never a 5xx (${RUNS} cases)`, async () => {
    let accepted = 0;
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(fileArbitrary, async (spec) => {
        await resetDatabase();
        const { text, lines } = buildFile(spec);
        const resolution = resolveHeader(spec.order);
        if (!resolution.ok) throw new Error("the generated header is refused");
        const header: ResolvedHeader = resolution.header;
        const context = validationContext(new Date(), DEFAULT_MIN_METRIC_DATE);

        const response = await SELF.fetch("http://example.com/ingest/csv", {
          method: "POST",
          headers: { "content-type": "text/csv" },
          body: text,
        });
        const answer = await response.text();
        expect(response.status, answer).toBeLessThan(500);

        const dataLines = lines.filter((entry) => !isBlankLine(entry.fields));
        if (dataLines.length === 0) {
          // Only blank lines: the file has a header and no data rows.
          expect(response.status).toBe(400);
          expect((await storedRows()).metrics).toEqual([]);
          return;
        }
        expect(response.status).toBe(200);
        const body = JSON.parse(answer) as IngestResult;

        const expectedMetrics = new Map<string, MetricRow>();
        const latest = new Map<string, MetricRow>();
        const rejectedLines: number[] = [];
        for (const entry of dataLines) {
          const validation = validateRow(entry.fields, header, entry.line, context);
          if (!validation.ok) {
            rejectedLines.push(entry.line);
            continue;
          }
          const row = validation.row;
          expectedMetrics.set(`${row.accountName}\u0000${row.date}`, row);
          const previous = latest.get(row.accountName);
          if (!previous || row.date >= previous.date) latest.set(row.accountName, row);
        }
        accepted += dataLines.length - rejectedLines.length;
        rejected += rejectedLines.length;

        expect(body.rows_total).toBe(dataLines.length);
        expect(body.rows_rejected).toBe(rejectedLines.length);
        expect([...new Set(body.row_errors.map((error) => error.line))]).toEqual(rejectedLines);

        const { metrics, accounts } = await storedRows();
        const metricKey = (metric: StoredMetric) => `${metric.account_name}\u0000${metric.date}`;
        expect(byKey(metrics, metricKey)).toEqual(byKey([...expectedMetrics.values()].map(asStored), metricKey));
        expect(byKey(accounts, (account) => account.account_name)).toEqual(
          byKey(
            [...latest.values()].map((row) => ({
              account_name: row.accountName,
              segment: row.segment,
              region: row.region,
              arr: row.arr,
              latest_metric_date: row.date,
            })),
            (account) => account.account_name,
          ),
        );

        // Whatever validateRow says, what is stored keeps the contract.
        for (const metric of metrics) {
          for (const value of [metric.arr, metric.daily_active_users, metric.feature_adoption_rate, metric.support_tickets_open, metric.login_frequency]) {
            expect(Number.isFinite(value)).toBe(true);
          }
          expect(metric.feature_adoption_rate).toBeGreaterThanOrEqual(0);
          expect(metric.feature_adoption_rate).toBeLessThanOrEqual(1);
          expect(metric.login_frequency).toBeGreaterThanOrEqual(0);
          expect(metric.login_frequency).toBeLessThanOrEqual(1);
          expect(metric.arr).toBeGreaterThanOrEqual(0);
          expect(Number.isInteger(metric.daily_active_users) && Number.isInteger(metric.support_tickets_open)).toBe(true);
          if (metric.nps_score !== null) expect(Math.abs(metric.nps_score)).toBeLessThanOrEqual(100);
          expect(metric.date >= DEFAULT_MIN_METRIC_DATE && metric.date <= context.maxMetricDate).toBe(true);
        }
        for (const account of accounts) {
          for (const value of [account.account_name, account.region]) {
            expect(value).toBe(value.normalize("NFC").trim());
            expect(CONTROL.test(value)).toBe(false);
            expect(value).not.toBe("");
          }
        }
      }),
      { numRuns: RUNS },
    );
    // The generators must exercise both outcomes, or the property proves little.
    expect(accepted).toBeGreaterThan(RUNS / 10);
    expect(rejected).toBeGreaterThan(RUNS / 10);
    console.log(`ingest values property: ${RUNS} files, ${accepted} rows stored, ${rejected} rows reported`);
  }, TIMEOUT_MS);
});

/*
 * Property: a dry run answers what the upload then does. Over a seeded book, with few names, dates and values so keys
 * repeat within and across batches (of 1 to 5 rows), accounts come back in later batches, rows arrive out of date order
 * and renewal dates and owners change, the dry run's counts, errors and warnings equal the real upload's, and the dry
 * run leaves the database as it was.
 */
const DRY_RUNS = Math.max(50, Math.floor(RUNS / 10));

const smallRow = fc
  .record({
    name: fc.constantFrom("Acme", "Beta", "Gamma", "Delta"),
    segment: fc.constantFrom("SMB", "Enterprise"),
    region: fc.constantFrom("EU", "US"),
    arr: fc.constantFrom("1000", "1000", "50000", "x"),
    date: fc.constantFrom("2024-10-01", "2024-10-02", "2024-10-03", "2024-10-04"),
    dau: fc.constantFrom("1", "2"),
    nps: fc.constantFrom("", "10"),
    renewal: fc.constantFrom("", "", "2027-01-31", "2027-06-30"),
    owner: fc.constantFrom("", "", "Jane", "Omar"),
  })
  .map((row) => [row.name, row.segment, row.region, row.arr, row.date, row.dau, "0.5", "1", row.nps, "0.5", row.renewal, row.owner].join(","));
const SMALL_HEADER = `${CSV_HEADER_ORDER.join(",")},renewal_date,owner`;
const smallFile = fc.array(smallRow, { minLength: 1, maxLength: 10 }).map((rows) => [SMALL_HEADER, ...rows].join("\n"));

async function book(): Promise<string> {
  const results = await env.DB.batch([
    env.DB.prepare("SELECT * FROM accounts ORDER BY id"),
    env.DB.prepare("SELECT * FROM account_metrics ORDER BY account_id, date"),
    env.DB.prepare("SELECT * FROM health_scores ORDER BY account_id, date"),
  ]);
  return JSON.stringify(results.map((result) => result.results));
}

function outcome(report: IngestReport) {
  const { accountsCreated, accountsUpdated, metricsCreated, metricsUpdated, rowsTotal, rowsRejected, rowErrors, warnings, columns } = report;
  return { accountsCreated, accountsUpdated, metricsCreated, metricsUpdated, rowsTotal, rowsRejected, rowErrors, warnings, columns };
}

describe("dry run (property)", () => {
  it(`counts exactly what the upload then does (${DRY_RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.option(smallFile, { nil: null }), smallFile, fc.integer({ min: 1, max: 5 }), async (seed, file, batchSize) => {
        await resetDatabase();
        const bytes = (text: string) => streamOf([new TextEncoder().encode(text)]);
        if (seed !== null) await ingestStream(bytes(seed), "seed.csv", { batchSize });
        const before = await book();
        const dry = await ingestStream(bytes(file), "dry.csv", { batchSize, dryRun: true });
        expect(await book()).toBe(before);
        const real = await ingestStream(bytes(file), "real.csv", { batchSize });
        expect(outcome(dry)).toEqual(outcome(real));
        expect(dry.dryRun && !real.dryRun).toBe(true);
      }),
      { numRuns: DRY_RUNS },
    );
  }, TIMEOUT_MS);
});

// The column table is what the property fills: a column added to it must get an arbitrary above.
it("fills every column of the original header with its own values", () => {
  expect(Object.keys(ARBITRARY_OF).sort()).toEqual([...CSV_HEADER_ORDER].sort());
});
