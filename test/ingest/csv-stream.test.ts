import { describe, expect, it } from "vitest";
import { readCsvRecords, type CsvRecord } from "../../src/ingest/csv-stream";
import { decodeUtf8 } from "../../src/ingest/decode-utf8";
import { CsvEncodingError, CsvFormatError } from "../../src/ingest/errors";
import { streamOf } from "../helpers/streams";

async function records(chunks: string[], maxLineChars?: number): Promise<CsvRecord[]> {
  const all: CsvRecord[] = [];
  for await (const batch of readCsvRecords(streamOf(chunks), { maxLineChars })) all.push(...batch);
  return all;
}

function splitAt(text: string, ...positions: number[]): string[] {
  const chunks: string[] = [];
  let from = 0;
  for (const position of positions) {
    chunks.push(text.slice(from, position));
    from = position;
  }
  chunks.push(text.slice(from));
  return chunks;
}

// Line 1 header; line 2 a quoted comma; line 3 blank; lines 4-5 one record with a quoted CRLF and an escaped quote;
// line 6 a record; CRLF line ends throughout.
const MESSY =
  'name,notes,value\r\n"Acme, Inc.",plain,1\r\n\r\nGlobex,"first line\r\nsecond ""quoted"" line",2\r\nInitech,,3\r\n';

const MESSY_EXPECTED = [
  { line: 1, fields: ["name", "notes", "value"] },
  { line: 2, fields: ["Acme, Inc.", "plain", "1"] },
  { line: 3, fields: [""] },
  { line: 4, fields: ["Globex", 'first line\r\nsecond "quoted" line', "2"] },
  { line: 6, fields: ["Initech", "", "3"] },
];

/** Fields with the CR of a CRLF line end trimmed, as the validator does with every value. */
function normalised(found: CsvRecord[]) {
  return found.map(({ line, fields, problem }) => ({
    line,
    fields: fields.map((field) => field.replace(/\r$/, "")),
    ...(problem ? { problem } : {}),
  }));
}

describe("readCsvRecords", () => {
  it("parses quoted commas, escaped quotes, CRLF and blank lines, numbering physical lines", async () => {
    expect(normalised(await records([MESSY]))).toEqual(MESSY_EXPECTED);
  });

  it("parses a quoted newline that falls across a chunk boundary", async () => {
    const insideQuotedNewline = MESSY.indexOf("first line\r\n") + "first line\r".length;
    const chunks = splitAt(MESSY, insideQuotedNewline);
    expect(chunks[0]?.endsWith("first line\r")).toBe(true);
    expect(chunks[1]?.startsWith("\nsecond")).toBe(true);
    expect(normalised(await records(chunks))).toEqual(MESSY_EXPECTED);
  });

  it("gives the same records wherever the chunk boundaries fall", async () => {
    for (let position = 1; position < MESSY.length; position++) {
      expect(normalised(await records(splitAt(MESSY, position))), `boundary at ${position}`).toEqual(MESSY_EXPECTED);
    }
    expect(normalised(await records([...MESSY]))).toEqual(MESSY_EXPECTED);
  });

  it("strips a UTF-8 BOM at the start only", async () => {
    const found = await records(["\uFEFFa,b\n", "\uFEFF1,2\n"]);
    expect(found.map((record) => record.fields)).toEqual([
      ["a", "b"],
      ["\uFEFF1", "2"],
    ]);
  });

  it("reads a last line without a line end, and LF-only files", async () => {
    expect(await records(["a,b\n1,", "2"])).toEqual([
      { line: 1, fields: ["a", "b"], plainAscii: true },
      { line: 2, fields: ["1", "2"], plainAscii: true },
    ]);
  });

  it("marks records plain ASCII only when no field can need more cleaning than trimming", async () => {
    const plain = async (text: string) => (await records([text])).map((record) => record.plainAscii);
    expect(await plain("a,b\n1,2\n")).toEqual([true, true]);
    expect(await plain("a,b\r\n1, 2 \r\n")).toEqual([true, true]);
    expect(await plain("a,b\r1,2\r")).toEqual([true, true]);
    // Not plain: something to normalise, a control character, a CR that is no line end, a quote (a field may hold a
    // line break).
    expect(await plain("a,b\nCafe\u0301,2\n")).toEqual([false, false]);
    expect(await plain("a,b\nx\ty,2\n")).toEqual([false, false]);
    expect(await plain("a,b\nx\ry,2\n")).toEqual([false, false]);
    expect(await plain('a,b\n"x",2\n')).toEqual([false, false]);
    expect(await plain("a,b\rx\ny,2\r")).toEqual([false, false]);
  });

  it("reads files whose only line end is CR (old Mac exports)", async () => {
    expect((await records(["a,b\r1,2\r", "3,4"])).map((record) => [record.line, record.fields])).toEqual([
      [1, ["a", "b"]],
      [2, ["1", "2"]],
      [3, ["3", "4"]],
    ]);
  });

  it("waits for a CR split from its LF before deciding the line end", async () => {
    expect(normalised(await records(["a,b\r", "\n1,2\r\n"]))).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["1", "2"] },
    ]);
  });

  it("marks a record whose quote is never closed", async () => {
    const found = await records(['a,b\n1,2\n"open,3\n4,5\n']);
    expect(found.slice(0, 2).map((record) => record.problem)).toEqual([undefined, undefined]);
    expect(found[2]?.line).toBe(3);
    expect(found[2]?.problem).toContain("never closed");
  });

  it("refuses a record that grows beyond the limit instead of buffering the rest of the file", async () => {
    const chunks = ['a,b\n1,2\n"open', ...Array.from({ length: 20 }, () => "x".repeat(100))];
    await expect(records(chunks, 1000)).rejects.toThrow(CsvFormatError);
    await expect(records(chunks, 1000)).rejects.toThrow(/line 3/);
  });

  it("yields nothing for an empty stream", async () => {
    expect(await records([])).toEqual([]);
    expect(await records([""])).toEqual([]);
  });
});

describe("decodeUtf8", () => {
  async function decode(chunks: Uint8Array[]): Promise<{ text: string; bytes: number }> {
    let bytes = 0;
    const reader = streamOf(chunks)
      .pipeThrough(decodeUtf8((length) => (bytes += length)))
      .getReader();
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, bytes };
      text += value;
    }
  }

  it("decodes a multi-byte character split across chunks and counts the bytes", async () => {
    const encoded = new TextEncoder().encode("Café,Zürich\n");
    const middleOfE = encoded.indexOf(0xc3) + 1;
    const result = await decode([encoded.slice(0, middleOfE), encoded.slice(middleOfE)]);
    expect(result).toEqual({ text: "Café,Zürich\n", bytes: encoded.byteLength });
  });

  it("drops a leading BOM", async () => {
    const result = await decode([new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0x0a])]);
    expect(result.text).toBe("a\n");
  });

  it("refuses bytes that are not UTF-8", async () => {
    const latin1 = new Uint8Array([0x43, 0x61, 0x66, 0xe9, 0x2c, 0x31, 0x0a]);
    await expect(decode([latin1])).rejects.toThrow(CsvEncodingError);
  });
});
