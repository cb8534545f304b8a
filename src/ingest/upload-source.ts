import { SAVE_AS_CSV } from "./decode-utf8";
import { IngestError, UploadTooLargeError } from "./errors";
import { MultipartError, openMultipartFile } from "./multipart";

/** Where the CSV bytes of an upload come from: the `file` part of a form, or the raw request body. */
export interface UploadSource {
  stream: ReadableStream<Uint8Array>;
  fileName: string | null;
  contentType: string;
  /** The form's text fields beside the file that the upload reads (`mapping`), when they came before it. */
  fields?: Record<string, string>;
}

export const UPLOAD_FIELD = "file";
/** The form field (or query parameter) with the upload's explicit header mapping. */
export const MAPPING_FIELD = "mapping";

/** Raw-body media types taken as CSV text; anything else that is not multipart is refused with 415. */
export const RAW_CSV_MEDIA_TYPES = [
  "text/csv",
  "application/csv",
  "text/x-csv",
  "application/vnd.ms-excel",
  "text/plain",
  "application/octet-stream",
] as const;

const ACCEPTED = `multipart/form-data (field '${UPLOAD_FIELD}') or a raw body of type ${RAW_CSV_MEDIA_TYPES.join(", ")}`;

/** Spreadsheet media types: the file is a workbook, which has to be saved as CSV first. */
const WORKBOOK_MEDIA_TYPES = new Set([
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.oasis.opendocument.spreadsheet",
  "application/zip",
  "application/x-zip-compressed",
]);

function emptyBody(): IngestError {
  return new IngestError("invalid_csv", "The request body is empty: send a CSV file with a header line and data rows.");
}

function tooLarge(maxBytes: number): IngestError {
  return new IngestError(
    "too_large",
    `The upload is larger than ${maxBytes} bytes (MAX_UPLOAD_BYTES). Nothing was stored; split the file and upload the parts.`,
  );
}

/** Counts the bytes as they stream in and errors the stream past `maxBytes`, whatever Content-Length said. */
function limitBytes(body: ReadableStream<Uint8Array>, maxBytes: number): ReadableStream<Uint8Array> {
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) throw new UploadTooLargeError(maxBytes);
        controller.enqueue(chunk);
      },
    }),
  );
}

/**
 * Picks the CSV stream out of the request without reading it; refuses unsupported, empty or (by Content-Length)
 * too large requests. A body without a length is cut off once it passes `maxBytes`.
 */
export async function openUploadSource(
  request: Pick<Request, "headers" | "body">,
  maxBytes: number,
): Promise<UploadSource> {
  const contentType = request.headers.get("content-type") ?? "";
  const mediaType = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  const declaredLength = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declaredLength > maxBytes) throw tooLarge(maxBytes);

  if (mediaType === "multipart/form-data") {
    if (!request.body) throw emptyBody();
    try {
      const file = await openMultipartFile(limitBytes(request.body, maxBytes), contentType, UPLOAD_FIELD, [MAPPING_FIELD]);
      return { stream: file.stream, fileName: file.fileName, contentType: mediaType, fields: file.fields };
    } catch (error) {
      if (error instanceof UploadTooLargeError) throw tooLarge(maxBytes);
      if (error instanceof MultipartError) throw new IngestError("unreadable", error.message);
      throw error;
    }
  }

  if ((RAW_CSV_MEDIA_TYPES as readonly string[]).includes(mediaType)) {
    if (!request.body) throw emptyBody();
    return { stream: limitBytes(request.body, maxBytes), fileName: null, contentType: mediaType };
  }

  const received = mediaType === "" ? "no Content-Type" : `Content-Type '${mediaType}'`;
  if (WORKBOOK_MEDIA_TYPES.has(mediaType)) {
    throw new IngestError(
      "unsupported_media_type",
      `The upload has ${received}: a spreadsheet workbook, not CSV text. Save it as CSV first. ${SAVE_AS_CSV} ` +
        `Then send it as curl -F "${UPLOAD_FIELD}=@data.csv".`,
    );
  }
  throw new IngestError(
    "unsupported_media_type",
    `The upload has ${received}. Send ${ACCEPTED}, e.g. curl -F "${UPLOAD_FIELD}=@data.csv" or curl --data-binary @data.csv -H "Content-Type: text/csv".`,
  );
}
