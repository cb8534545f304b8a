import {
  CsvEncodingError,
  CsvFormatError,
  IngestError,
  NotCsvError,
  UploadReadError,
  UploadTooLargeError,
} from "../../ingest/errors";
import { BatchWriteError } from "./batch-pipeline";

/**
 * An upload that stops midway, in the client's words: what went wrong and what stayed stored. The same sentence is
 * answered and recorded as the run's failure reason.
 */

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** The IngestError for a failure while reading or storing, or null when it is none of the known ones. */
export function stoppedUploadError(error: unknown, runId: number, rowsCommitted: number): IngestError | null {
  const stored =
    rowsCommitted > 0
      ? ` The ${rowsCommitted} rows stored before the failure stay stored; ingest run ${runId} is marked failed.`
      : ` Nothing was stored (ingest run ${runId}).`;
  if (error instanceof IngestError) return error;
  if (error instanceof CsvFormatError || error instanceof CsvEncodingError) {
    return new IngestError("invalid_csv", `${sentence(error.message)}${stored}`);
  }
  if (error instanceof NotCsvError) return new IngestError("unsupported_media_type", `${sentence(error.message)}${stored}`);
  if (error instanceof UploadTooLargeError) {
    return new IngestError(
      "too_large",
      `The upload is larger than ${error.maxBytes} bytes (MAX_UPLOAD_BYTES); reading stopped there.${stored} Split the file and upload the parts (re-uploading rows already stored changes nothing).`,
    );
  }
  if (error instanceof UploadReadError) {
    return new IngestError("unreadable", `The upload could not be read to the end: ${sentence(error.message)}${stored}`);
  }
  if (error instanceof BatchWriteError) {
    return new IngestError(
      "storage_failed",
      `Storing the rows of lines ${error.firstLine}-${error.lastLine} failed.${stored} Upload the file again to complete it.`,
    );
  }
  return null;
}

/** Whether the run ends "rejected" (the file itself will not do, and nothing was stored) rather than "failed". */
export function isRefusal(error: IngestError | null, rowsCommitted: number): boolean {
  return (
    rowsCommitted === 0 &&
    (error?.kind === "invalid_csv" || error?.kind === "too_large" || error?.kind === "unsupported_media_type")
  );
}
