import { ApiError } from "../lib/errors";
import { MultipartError, openMultipartFile } from "./multipart";

/** Where the CSV bytes of an upload come from: the `file` part of a form, or the raw request body. */
export interface UploadSource {
  stream: ReadableStream<Uint8Array>;
  fileName: string | null;
  contentType: string;
}

export const UPLOAD_FIELD = "file";

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

function emptyBody(): ApiError {
  return new ApiError("invalid_csv", "The request body is empty: send a CSV file with a header line and data rows.");
}

/** Picks the CSV stream out of the request without reading it; refuses unsupported or empty requests. */
export async function openUploadSource(request: Request): Promise<UploadSource> {
  const contentType = request.headers.get("content-type") ?? "";
  const mediaType = (contentType.split(";")[0] ?? "").trim().toLowerCase();

  if (mediaType === "multipart/form-data") {
    if (!request.body) throw emptyBody();
    try {
      const file = await openMultipartFile(request.body, contentType, UPLOAD_FIELD);
      return { stream: file.stream, fileName: file.fileName, contentType: mediaType };
    } catch (error) {
      if (error instanceof MultipartError) throw new ApiError("bad_request", error.message);
      throw error;
    }
  }

  if ((RAW_CSV_MEDIA_TYPES as readonly string[]).includes(mediaType)) {
    if (!request.body) throw emptyBody();
    return { stream: request.body, fileName: null, contentType: mediaType };
  }

  const received = mediaType === "" ? "no Content-Type" : `Content-Type '${mediaType}'`;
  throw new ApiError(
    "unsupported_media_type",
    `The upload has ${received}. Send ${ACCEPTED}, e.g. curl -F "${UPLOAD_FIELD}=@data.csv" or curl --data-binary @data.csv -H "Content-Type: text/csv".`,
  );
}
