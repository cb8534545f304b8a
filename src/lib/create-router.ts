import { OpenAPIHono } from "@hono/zod-openapi";
import type { ZodError } from "zod";
import type { FieldError } from "../contract/problems";
import { ApiError } from "./errors";
import type { AppEnv } from "./types";

const TARGET_LABELS: Record<string, string> = {
  query: "Query parameter",
  param: "Path parameter",
  json: "Body field",
  form: "Form field",
  header: "Header",
  cookie: "Cookie",
};

export function fieldErrorsOf(error: ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    field: issue.path.map(String).join(".") || "(root)",
    message: issue.message,
  }));
}

/** Every sub-app comes from here, so all routes share one validation hook and error shape. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    strict: false,
    defaultHook: (result) => {
      if (result.success) return;
      const fieldErrors = fieldErrorsOf(result.error);
      const label = TARGET_LABELS[result.target] ?? "Input";
      const detail = fieldErrors
        .map((fieldError) => `${label} '${fieldError.field}' is invalid: ${fieldError.message}`)
        .join("; ");
      throw new ApiError("validation_error", `${detail}.`, fieldErrors);
    },
  });
}
