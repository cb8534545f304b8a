import { bodyLimit } from "hono/body-limit";
import { ApiError } from "./errors";

/** JSON request bodies are small options objects: anything past 16 KiB is refused (413) without being read. */
export const MAX_JSON_BODY_BYTES = 16 * 1024;

export const jsonBodyLimit = bodyLimit({
  maxSize: MAX_JSON_BODY_BYTES,
  onError: () => {
    throw new ApiError("payload_too_large", `The JSON body is larger than ${MAX_JSON_BODY_BYTES} bytes.`);
  },
});

/** The console's forms carry what the API's JSON bodies carry: the same limit. */
export const formBodyLimit = bodyLimit({
  maxSize: MAX_JSON_BODY_BYTES,
  onError: () => {
    throw new ApiError("payload_too_large", `The form is larger than ${MAX_JSON_BODY_BYTES} bytes.`);
  },
});
