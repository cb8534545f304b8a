import { env } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readCsvRecords } from "../../src/ingest/csv-stream";
import { decodeUtf8 } from "../../src/ingest/decode-utf8";
import { CSV_HEADER_ORDER, resolveHeader, type ResolvedHeader } from "../../src/ingest/csv-header";
import { isBlankLine, validateRow, type MetricRow } from "../../src/ingest/validate-row";
import { streamOf } from "../helpers/streams";

/*
 * Property: whatever the quoting, BOM, line ends (CRLF and LF mixed), blank lines, empty NPS and where the stream's
 * chunk boundaries fall (inside a quoted newline, a CRLF or a multi-byte character), the streamed parser and the row
 * validation yield exactly the rows written, with their physical line numbers. Line breaks inside quotes go in an
 * extra `notes` column (a name or region holding one reads it as a space), read back from the record.
 */

const RUNS = Number(env.FUZZ_RUNS);
/** Up to ~4 ms a case through the API; generous, so `npm run test:fuzz` can run 20,000. */
const TIMEOUT_MS = 30_000 + RUNS * 10;


// Characters that make CSV hard: separators, quotes, accents, CJK and an astral emoji; both line ends for the notes.
const nameCharacter = fc.constantFrom(..."abcXYZ09 ,\"'-=+@é漢🙂".split(/(?:)/u));
const noteCharacter = fc.constantFrom(..."ab ,\"'\né".split(/(?:)/u), "\r\n");
const text = (maxLength: number) =>
  fc
    .array(nameCharacter, { minLength: 1, maxLength })
    .map((characters) => characters.join("").trim())
    .filter((value) => value !== "");
const notes = fc.array(noteCharacter, { maxLength: 12 }).map((characters) => characters.join(""));

// Dates from MIN_METRIC_DATE's default to the upload's day (the latest accepted is the day after).
const dateArbitrary = fc
  .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date(), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));
const rate = fc.integer({ min: 0, max: 100 }).map((value) => value / 100);

const rowArbitrary = fc.record({
  accountName: text(24),
  segment: fc.constantFrom("Enterprise", "Mid-Market", "SMB"),
  region: text(12),
  arr: fc.integer({ min: 0, max: 5_000_000 }),
  date: dateArbitrary,
  dailyActiveUsers: fc.integer({ min: 0, max: 100_000 }),
  featureAdoptionRate: rate,
  supportTicketsOpen: fc.integer({ min: 0, max: 500 }),
  npsScore: fc.option(fc.integer({ min: -100, max: 100 }), { nil: null }),
  loginFrequency: rate,
  // The optional columns the files below leave out: absent, they read as null.
  renewalDate: fc.constant(null),
  owner: fc.constant(null),
  notes,
});

type Row = Omit<MetricRow, "line"> & { notes: string };
type ParsedRow = MetricRow & { notes: string };

function values(row: Row): string[] {
  return [
    row.accountName,
    row.segment,
    row.region,
    String(row.arr),
    row.date,
    String(row.dailyActiveUsers),
    String(row.featureAdoptionRate),
    String(row.supportTicketsOpen),
    row.npsScore === null ? "" : String(row.npsScore),
    String(row.loginFrequency),
  ];
}

/** The notes column sits second, so a quoted line break is never the last field before a CRLF. */
const NOTES_AT = 1;

function withNotes(fields: readonly string[], notes: string): string[] {
  return [...fields.slice(0, NOTES_AT), notes, ...fields.slice(NOTES_AT)];
}

function field(value: string, forceQuotes: boolean): string {
  const needsQuotes = /[",\r\n]/.test(value);
  return needsQuotes || forceQuotes ? `"${value.replaceAll('"', '""')}"` : value;
}

const fileArbitrary = fc.record({
  rows: fc.array(rowArbitrary, { minLength: 1, maxLength: 25 }),
  bom: fc.boolean(),
  // Per line: its line end, whether every field is quoted, and how many blank lines follow it.
  lineStyles: fc.array(fc.record({ end: fc.constantFrom("\n", "\r\n"), quoteAll: fc.boolean(), blanks: fc.nat(2) }), {
    minLength: 26,
    maxLength: 26,
  }),
  finalNewline: fc.boolean(),
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }),
});

function buildFile(spec: {
  rows: Row[];
  bom: boolean;
  lineStyles: { end: string; quoteAll: boolean; blanks: number }[];
  finalNewline: boolean;
}): { text: string; expected: ParsedRow[] } {
  let text = spec.bom ? "\uFEFF" : "";
  let line = 1;
  const lines: { content: string; style: { end: string; blanks: number } }[] = [];
  const header = spec.lineStyles[0] ?? { end: "\n", quoteAll: false, blanks: 0 };
  lines.push({ content: withNotes(CSV_HEADER_ORDER, "notes").map((column) => field(column, header.quoteAll)).join(","), style: header });
  spec.rows.forEach((row, index) => {
    const style = spec.lineStyles[index + 1] ?? { end: "\n", quoteAll: false, blanks: 0 };
    lines.push({ content: withNotes(values(row), row.notes).map((value) => field(value, style.quoteAll)).join(","), style });
  });
  const expected: ParsedRow[] = [];
  lines.forEach((entry, index) => {
    if (index > 0) expected.push({ line, ...(spec.rows[index - 1] as Row) });
    const isLast = index === lines.length - 1;
    text += entry.content;
    line += (entry.content.match(/\r\n|\n/g) ?? []).length;
    if (!isLast || spec.finalNewline) {
      text += entry.style.end;
      line += 1;
      if (!isLast) {
        for (let blank = 0; blank < entry.style.blanks; blank++) {
          text += entry.style.end;
          line += 1;
        }
      }
    }
  });
  return { text, expected };
}

function chunked(bytes: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  const positions = [...new Set(cuts.map((cut) => Math.floor(cut * bytes.byteLength)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const position of [...positions, bytes.byteLength]) {
    if (position > from) chunks.push(bytes.subarray(from, position));
    from = Math.max(from, position);
  }
  return streamOf(chunks);
}

async function parse(stream: ReadableStream<Uint8Array>): Promise<ParsedRow[]> {
  const rows: ParsedRow[] = [];
  let header: ResolvedHeader | undefined;
  for await (const records of readCsvRecords(stream.pipeThrough(decodeUtf8()))) {
    for (const record of records) {
      if (isBlankLine(record.fields)) continue;
      if (!header) {
        const resolution = resolveHeader(record.fields);
        if (!resolution.ok) throw new Error(`header refused: ${JSON.stringify(resolution)}`);
        header = resolution.header;
        continue;
      }
      if (record.problem) throw new Error(`line ${record.line}: ${record.problem}`);
      const validation = validateRow(record.fields, header, record.line);
      if (!validation.ok) throw new Error(JSON.stringify(validation.errors));
      rows.push({ ...validation.row, notes: record.fields[NOTES_AT] ?? "" });
    }
  }
  return rows;
}

describe("streamed CSV parsing (property)", () => {
  it(`yields exactly the rows written, whatever the quoting, line ends and chunk boundaries (${RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(fileArbitrary, async (spec) => {
        const { text, expected } = buildFile(spec);
        const bytes = new TextEncoder().encode(text);
        expect(await parse(chunked(bytes, spec.cuts))).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT_MS);
});
