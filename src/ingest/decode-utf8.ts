import { CsvEncodingError, NotCsvError } from "./errors";

/** How to save a spreadsheet as CSV UTF-8, for the errors that refuse anything else. */
export const SAVE_AS_CSV =
  'In Excel: File > Save As > "CSV UTF-8 (Comma delimited) (*.csv)"; in Google Sheets: File > Download > ' +
  '"Comma Separated Values (.csv)"; in Numbers: File > Export To > CSV with Text Encoding "Unicode (UTF-8)".';

const startsWith = (bytes: Uint8Array, ...magic: number[]) => magic.every((byte, index) => bytes[index] === byte);

/**
 * The error for a file that is recognisably not UTF-8 CSV from its first bytes: a workbook or an archive (the zip and
 * OLE2 containers of .xlsx, .ods and .xls), gzip, or UTF-16 text (with or without its byte-order mark, as Excel's
 * "Unicode Text" saves it). Undefined when the bytes may be CSV.
 */
export function sniffNotCsv(head: Uint8Array): Error | undefined {
  if (startsWith(head, 0x50, 0x4b, 0x03, 0x04)) {
    return new NotCsvError(
      `The file is a ZIP archive, such as an Excel workbook (.xlsx) or an OpenDocument spreadsheet (.ods), not CSV text. ${SAVE_AS_CSV}`,
    );
  }
  if (startsWith(head, 0xd0, 0xcf, 0x11, 0xe0)) {
    return new NotCsvError(`The file is an Excel 97-2003 workbook (.xls), not CSV text. ${SAVE_AS_CSV}`);
  }
  if (startsWith(head, 0x1f, 0x8b)) return new NotCsvError("The file is gzip-compressed: upload the CSV uncompressed.");
  const utf16 =
    startsWith(head, 0xff, 0xfe) ||
    startsWith(head, 0xfe, 0xff) ||
    (head.length >= 4 && head[0] !== 0 && head[1] === 0 && head[2] !== 0 && head[3] === 0) ||
    (head.length >= 4 && head[0] === 0 && head[1] !== 0 && head[2] === 0 && head[3] !== 0);
  if (utf16) {
    return new CsvEncodingError(`The file is UTF-16 text (as Excel's "Unicode Text" saves it), not UTF-8. ${SAVE_AS_CSV}`);
  }
  return undefined;
}

/** Bytes needed to recognise the file types `sniffNotCsv` knows. */
const SNIFF_BYTES = 4;

/**
 * Bytes ► UTF-8 text, refusing bytes that are not UTF-8 (a binary upload, or a Latin-1 export whose accented
 * names would otherwise be stored garbled) and, from their first bytes, workbooks, archives and UTF-16 text, with how to
 * save the file as CSV UTF-8. A leading BOM is dropped. `onBytes` sees the size of every chunk.
 */
export function decodeUtf8(onBytes: (byteLength: number) => void = () => undefined): TransformStream<Uint8Array, string> {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  let bytesSeen = 0;
  // The first bytes, held until there are enough to tell what the file is.
  let head: Uint8Array | null = new Uint8Array(0);
  const decode = (chunk: Uint8Array | undefined, controller: TransformStreamDefaultController<string>) => {
    let text: string;
    try {
      text = chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      throw new CsvEncodingError(
        `The file is not UTF-8 text (invalid bytes within the first ${bytesSeen} bytes). Save it as "CSV UTF-8". ${SAVE_AS_CSV}`,
      );
    }
    if (text !== "") controller.enqueue(text);
  };
  const sniffed = (bytes: Uint8Array): Uint8Array => {
    const refusal = sniffNotCsv(bytes);
    if (refusal) throw refusal;
    head = null;
    return bytes;
  };
  return new TransformStream<Uint8Array, string>({
    transform(chunk, controller) {
      bytesSeen += chunk.byteLength;
      onBytes(chunk.byteLength);
      if (head === null) return decode(chunk, controller);
      const joined = new Uint8Array(head.byteLength + chunk.byteLength);
      joined.set(head);
      joined.set(chunk, head.byteLength);
      if (joined.byteLength < SNIFF_BYTES) {
        head = joined;
        return;
      }
      decode(sniffed(joined), controller);
    },
    flush(controller) {
      if (head !== null && head.byteLength > 0) decode(sniffed(head), controller);
      decode(undefined, controller);
    },
  });
}
