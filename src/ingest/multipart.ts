import { Buffer } from "node:buffer";
import type { Readable } from "node:stream";
import busboy from "busboy";
import { errorMessage } from "../lib/errors";
import { UploadReadError, UploadTooLargeError } from "./errors";

/**
 * The file part of a multipart/form-data body as a web stream, without buffering it: the request body is written
 * into busboy (which runs under `nodejs_compat`) only as fast as the file part is read, because busboy holds
 * back its write callback while the file stream is full. `formData()` and `parseBody()` would hold the whole
 * file in memory.
 */

export interface MultipartFile {
  fileName: string | null;
  stream: ReadableStream<Uint8Array>;
  /** The wanted text fields that came before the file part (a field after it arrives too late to apply). */
  fields: Record<string, string>;
}

/** Longest text field accepted beside the file (a column mapping is a few hundred bytes). */
export const MAX_TEXT_FIELD_BYTES = 64 * 1024;

/** Why a multipart body yields no file; the message is meant for the client. */
export class MultipartError extends Error {
  override name = "MultipartError";
}

function toWebStream(file: Readable, onCancel: () => void): ReadableStream<Uint8Array> {
  const chunks = file[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.byteLength));
    },
    async cancel() {
      onCancel();
      await chunks.return?.();
    },
  });
}

/**
 * Resolves once the part named `fieldName` starts (its content is then read through the returned stream), with the
 * `textFields` that came before it; rejects with a MultipartError when the body ends without such a file part or
 * cannot be parsed.
 */
export function openMultipartFile(
  body: ReadableStream<Uint8Array>,
  contentType: string,
  fieldName: string,
  textFields: readonly string[] = [],
): Promise<MultipartFile> {
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": contentType },
      defParamCharset: "utf8",
      limits: { fieldSize: MAX_TEXT_FIELD_BYTES },
    });
  } catch (error) {
    const reason = errorMessage(error);
    return Promise.reject(new MultipartError(`The multipart body cannot be read: ${reason}.`));
  }

  const reader = body.getReader();
  let fileStream: Readable | undefined;
  const fields: Record<string, string> = {};
  let stopped = false;

  const stop = () => {
    if (stopped) return;
    stopped = true;
    parser.destroy();
    reader.cancel().catch(() => undefined);
  };

  return new Promise<MultipartFile>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      outcome();
    };

    parser.on("file", (name, file, info) => {
      if (name !== fieldName || settled) {
        file.resume();
        return;
      }
      fileStream = file;
      settle(() => resolve({ fileName: info.filename || null, stream: toWebStream(file, stop), fields }));
    });
    parser.on("field", (name, value, info) => {
      if (textFields.includes(name) && !settled) {
        if (info.valueTruncated) {
          settle(() => reject(new MultipartError(`The form field '${name}' is longer than ${MAX_TEXT_FIELD_BYTES} bytes.`)));
          stop();
        } else if (name in fields) {
          settle(() => reject(new MultipartError(`The form field '${name}' appears more than once: send it once.`)));
          stop();
        } else {
          fields[name] = value;
        }
        return;
      }
      if (name !== fieldName) return;
      settle(() =>
        reject(
          new MultipartError(
            `The form field '${fieldName}' is plain text, not a file: send the file with curl -F "${fieldName}=@data.csv".`,
          ),
        ),
      );
      stop();
    });
    parser.on("close", () => {
      settle(() =>
        reject(
          new MultipartError(
            `The multipart body has no '${fieldName}' file field: send the CSV as curl -F "${fieldName}=@data.csv".`,
          ),
        ),
      );
    });
    parser.on("error", (error: unknown) => {
      const reason = errorMessage(error);
      settle(() => reject(new MultipartError(`The multipart body is malformed: ${reason}.`)));
      fileStream?.destroy(new UploadReadError(`The multipart body is malformed: ${reason}.`));
    });

    const pump = async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || stopped) break;
        const chunk = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
        // The callback waits until busboy has handed the chunk on, i.e. until the file part is being read.
        await new Promise<void>((written, failed) =>
          parser.write(chunk, (error) => (error ? failed(error) : written())),
        );
      }
      if (!stopped) parser.end();
    };
    pump().catch((error: unknown) => {
      if (stopped) return;
      const reason = errorMessage(error);
      // Past the size limit the stream's own error travels on, so the caller can answer 413.
      const tooLarge = error instanceof UploadTooLargeError ? error : null;
      settle(() => reject(tooLarge ?? new MultipartError(`The upload could not be read: ${reason}.`)));
      fileStream?.destroy(tooLarge ?? new UploadReadError(`The upload could not be read: ${reason}.`));
      stop();
    });
  });
}
