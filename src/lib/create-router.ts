import { OpenAPIHono } from "@hono/zod-openapi";
import type { ZodError } from "zod";
import type { FieldError } from "../contract/problems";
import { validationError } from "./errors";
import type { AppEnv } from "./types";

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
      throw validationError(result.target, fieldErrorsOf(result.error));
    },
  });
}
