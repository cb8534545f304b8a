import type { FieldError } from "../contract/problems";

/*
 * What can go wrong with an upload. The stream's own failures (the first four) are thrown while reading; the ingest
 * service turns them into an IngestError once it knows what was stored, and the route turns an IngestError into its
 * HTTP problem. They live here, beside the parsing, because the upload source throws them too.
 */

/** The text cannot be read as CSV at all (as opposed to a bad row, which is reported and skipped). */
export class CsvFormatError extends Error {
  override name = "CsvFormatError";
}

/** The bytes are not UTF-8 text. */
export class CsvEncodingError extends Error {
  override name = "CsvEncodingError";
}

/** The bytes are a known file type that is not text at all (a spreadsheet workbook, an archive). */
export class NotCsvError extends Error {
  override name = "NotCsvError";
}

/** Reading the upload itself failed (client gone, malformed multipart framing, ...). */
export class UploadReadError extends Error {
  override name = "UploadReadError";
}

/** The upload passed the configured size limit while streaming in. */
export class UploadTooLargeError extends UploadReadError {
  override name = "UploadTooLargeError";
  constructor(readonly maxBytes: number) {
    super(`The upload is larger than ${maxBytes} bytes (MAX_UPLOAD_BYTES)`);
  }
}

/**
 * Why an upload was refused or stopped:
 * - `invalid_csv`: the body is not acceptable CSV (header, encoding, format, empty, no data rows);
 * - `too_large`: the body passes MAX_UPLOAD_BYTES;
 * - `unreadable`: the body could not be read (malformed multipart, a form without the file, the client went away);
 * - `unsupported_media_type`: neither a form nor a CSV content type, or a workbook or archive instead of CSV text;
 * - `invalid_mapping`: the `mapping` parameter is not a JSON object of header ► column names;
 * - `storage_failed`: writing a batch of rows failed.
 */
export type IngestErrorKind =
  | "invalid_csv"
  | "too_large"
  | "unreadable"
  | "unsupported_media_type"
  | "invalid_mapping"
  | "storage_failed";

/**
 * A header refused for its columns: the required ones it lacks and its headers that match no column, so a page can
 * offer to map them (the API says the same in the message).
 */
export interface HeaderMismatch {
  missing: string[];
  unmatched: string[];
}

/** An upload refused or stopped. The message is the sentence for the client, and the ingest run's failure reason. */
export class IngestError extends Error {
  override name = "IngestError";
  constructor(
    readonly kind: IngestErrorKind,
    message: string,
    /** The header columns at fault, when there are any. */
    readonly fieldErrors?: FieldError[],
    readonly header?: HeaderMismatch,
  ) {
    super(message);
  }
}
