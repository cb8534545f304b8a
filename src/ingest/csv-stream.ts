import Papa from "papaparse";
import { DEFAULT_MAX_LINE_CHARS } from "../lib/config";
import { errorMessage } from "../lib/errors";
import { CsvEncodingError, CsvFormatError, NotCsvError, UploadReadError } from "./errors";

/**
 * Streaming CSV reader: web stream of text ► papaparse's low-level Parser, chunk by chunk.
 *
 * PapaParse's own stream inputs do not run in workerd, so this does what its ChunkStreamer does: parse each
 * chunk with `ignoreLastRow` and carry the unparsed tail (from `meta.cursor`) into the next chunk, so a line, or a
 * quoted field holding a newline, that falls across a chunk boundary is parsed whole. Only the current chunk and
 * that tail are ever in memory.
 */

export interface CsvRecord {
  /** Physical line the record starts on (1-based), counting blank lines and newlines inside quoted fields. */
  line: number;
  fields: string[];
  /** Every field is printable ASCII: no control character, nothing to normalise (see `NOT_PLAIN`). */
  plainAscii: boolean;
  /** Set when the parser found broken quoting on this record. */
  problem?: string;
}

export interface CsvReadOptions {
  /**
   * A record may not grow beyond this many characters. An unclosed quote would otherwise make the parser carry
   * the rest of the file forward as one ever-growing tail.
   */
  maxLineChars?: number;
}

const QUOTE = '"';

interface PapaChunkResult {
  data: string[][];
  errors: Array<{ code: string; row?: number }>;
  meta: { cursor: number };
}

type Newline = "\n" | "\r";

/**
 * Outside printable ASCII, other than line breaks (a "\r" only as the first half of a CRLF). A text without a quote
 * (so no field holds a line break) and without a match has only printable-ASCII fields once trimmed: the line breaks
 * end the records, and a CRLF's "\r" stays at the end of its last field, where trimming drops it. One scan of the text
 * spares a scan of each field.
 */
const NOT_PLAIN: Record<Newline, RegExp> = { "\n": /[^\x20-\x7e\n\r]|\r(?!\n)/, "\r": /[^\x20-\x7e\r]/ };

/**
 * "\n" covers LF and CRLF files (the "\r" stays at the end of the last field and is trimmed with the value);
 * a file with only "\r" is an old Mac export. Undefined while the text seen so far holds no decidable line break.
 */
function detectNewline(text: string): Newline | undefined {
  const lf = text.indexOf("\n");
  if (lf !== -1) return "\n";
  const cr = text.indexOf("\r");
  // A "\r" as the very last character may be the first half of a CRLF split across chunks.
  if (cr !== -1 && cr < text.length - 1) return "\r";
  return undefined;
}

function countNewlines(fields: readonly string[], newline: Newline): number {
  let count = 0;
  for (const field of fields) {
    let at = field.indexOf(newline);
    while (at !== -1) {
      count++;
      at = field.indexOf(newline, at + 1);
    }
  }
  return count;
}

function describeQuoteProblem(code: string): string {
  return code === "MissingQuotes"
    ? 'a quoted field is never closed (unbalanced \'"\')'
    : 'malformed quotes: a quoted field must end with \'"\' followed by a comma or a line break';
}

class ChunkedCsvParser {
  private parser: Papa.Parser | undefined;
  private newline: Newline | undefined;
  private tail = "";
  private nextLine = 1;
  private started = false;

  constructor(private readonly maxLineChars: number) {}

  /** Parses the complete records of `chunk` (with the carried tail); keeps the incomplete last one for later. */
  push(chunk: string): CsvRecord[] {
    if (!this.started) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    const input = this.tail + chunk;
    if (!this.parser) {
      this.newline = detectNewline(input);
      if (!this.newline) {
        this.keepTail(input);
        return [];
      }
      this.parser = new Papa.Parser({ delimiter: ",", newline: this.newline });
    }
    const { records, consumed } = this.parse(input, true);
    // A chunk bigger than the limit may hold a whole record bigger than the limit, which the tail check never sees.
    if (consumed > this.maxLineChars) this.checkRecordLengths(records);
    this.keepTail(input.slice(consumed));
    return records;
  }

  /** Parses whatever is left once the stream has ended. */
  finish(): CsvRecord[] {
    if (this.tail === "") return [];
    if (!this.parser) {
      this.newline = "\n";
      this.parser = new Papa.Parser({ delimiter: ",", newline: this.newline });
    }
    const { records } = this.parse(this.tail, false);
    this.tail = "";
    return records;
  }

  private checkRecordLengths(records: readonly CsvRecord[]): void {
    for (const record of records) {
      let length = record.fields.length;
      for (const field of record.fields) length += field.length;
      if (length > this.maxLineChars) {
        throw new CsvFormatError(
          `The record on line ${record.line} is longer than ${this.maxLineChars} characters (MAX_LINE_CHARS).`,
        );
      }
    }
  }

  private keepTail(tail: string): void {
    if (tail.length > this.maxLineChars) {
      throw new CsvFormatError(
        `The record starting on line ${this.nextLine} is longer than ${this.maxLineChars} characters (MAX_LINE_CHARS): ` +
          'a line is too long, or a quoted field is never closed (unbalanced \'"\').',
      );
    }
    this.tail = tail;
  }

  private parse(input: string, ignoreLastRow: boolean): { records: CsvRecord[]; consumed: number } {
    const parser = this.parser as Papa.Parser;
    const newline = this.newline as Newline;
    const result = parser.parse(input, 0, ignoreLastRow) as PapaChunkResult;
    const rows = result.data;
    // Without a quote in the text no field can hold a newline, so every record is exactly one line.
    const mayHoldNewlines = input.indexOf(QUOTE) !== -1;
    const plainAscii = !mayHoldNewlines && !NOT_PLAIN[newline].test(input);
    const records: CsvRecord[] = new Array(rows.length);
    for (let index = 0; index < rows.length; index++) {
      const fields = rows[index] as string[];
      records[index] = { line: this.nextLine, fields, plainAscii };
      this.nextLine += mayHoldNewlines ? 1 + countNewlines(fields, newline) : 1;
    }
    for (const error of result.errors) {
      const record = error.row === undefined ? undefined : records[error.row];
      if (record && !record.problem) record.problem = describeQuoteProblem(error.code);
    }
    return { records, consumed: result.meta.cursor };
  }
}

/**
 * Yields the records of a CSV text stream, one array per incoming chunk (blank lines included: the caller
 * decides what to skip). Cancelling the iteration cancels the stream.
 */
export async function* readCsvRecords(
  text: ReadableStream<string>,
  options: CsvReadOptions = {},
): AsyncGenerator<CsvRecord[], void, undefined> {
  const parser = new ChunkedCsvParser(options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS);
  const reader = text.getReader();
  let finished = false;
  try {
    for (;;) {
      let next: ReadableStreamReadResult<string>;
      try {
        next = await reader.read();
      } catch (error) {
        if (error instanceof CsvEncodingError || error instanceof NotCsvError || error instanceof UploadReadError) throw error;
        throw new UploadReadError(errorMessage(error), { cause: error });
      }
      if (next.done) break;
      const records = parser.push(next.value);
      if (records.length > 0) yield records;
    }
    finished = true;
    const last = parser.finish();
    if (last.length > 0) yield last;
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
