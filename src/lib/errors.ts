import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * One error shape everywhere: RFC 9457 problem details. FastAPI clients of the original product read
 * `detail`, so it is always a readable sentence.
 */
export const fieldErrorSchema = z
  .object({
    field: z.string().openapi({ example: "bucket" }),
    message: z.string().openapi({ example: "Expected one of Healthy, At-Risk, Critical" }),
  })
  .openapi("FieldError");

export const problemSchema = z
  .object({
    type: z.string().openapi({ example: "https://ai-success-insights.dev/problems/validation-error" }),
    title: z.string().openapi({ example: "Validation failed" }),
    status: z.number().int().openapi({ example: 400 }),
    detail: z.string().openapi({ example: "Query parameter 'bucket' is invalid: Expected one of Healthy, At-Risk, Critical." }),
    instance: z.string().optional().openapi({ example: "/accounts" }),
    request_id: z.string().openapi({ example: "6f1c2f5e-8a3b-4c1d-9e2f-7a6b5c4d3e2f" }),
    errors: z.array(fieldErrorSchema).optional(),
  })
  .openapi("Problem");

export type Problem = z.infer<typeof problemSchema>;
export type FieldError = z.infer<typeof fieldErrorSchema>;

export const PROBLEM_CODES = {
  validation_error: { status: 400, title: "Validation failed" },
  bad_request: { status: 400, title: "Bad request" },
  invalid_csv: { status: 400, title: "Invalid CSV" },
  unauthorized: { status: 401, title: "Unauthorized" },
  forbidden: { status: 403, title: "Forbidden" },
  not_found: { status: 404, title: "Not found" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  conflict: { status: 409, title: "Conflict" },
  payload_too_large: { status: 413, title: "Payload too large" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  unprocessable: { status: 422, title: "Unprocessable content" },
  rate_limited: { status: 429, title: "Too many requests" },
  internal_error: { status: 500, title: "Internal server error" },
  service_unavailable: { status: 503, title: "Service unavailable" },
  misconfigured: { status: 503, title: "Service misconfigured" },
} as const satisfies Record<string, { status: ContentfulStatusCode; title: string }>;

export type ProblemCode = keyof typeof PROBLEM_CODES;

/** The message of anything thrown: an Error's message, else its text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `Name: message` of anything thrown, for log lines. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Thrown anywhere in a request; the app's error handler turns it into problem+json. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly fieldErrors?: FieldError[],
    /** Extra response headers, e.g. WWW-Authenticate on a 401 or Retry-After on a 429. */
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
  }

  get status(): ContentfulStatusCode {
    return PROBLEM_CODES[this.code].status;
  }
}

export function problemBody(c: Context, code: ProblemCode, detail: string, fieldErrors?: FieldError[]): Problem {
  const { status, title } = PROBLEM_CODES[code];
  return {
    type: `https://ai-success-insights.dev/problems/${code.replaceAll("_", "-")}`,
    title,
    status,
    detail,
    instance: new URL(c.req.url).pathname,
    request_id: c.get("requestId") ?? "unknown",
    ...(fieldErrors && fieldErrors.length > 0 ? { errors: fieldErrors } : {}),
  };
}

export function problemResponse(
  c: Context,
  code: ProblemCode,
  detail: string,
  fieldErrors?: FieldError[],
  headers: Record<string, string> = {},
): Response {
  const body = problemBody(c, code, detail, fieldErrors);
  return c.body(JSON.stringify(body), body.status as ContentfulStatusCode, {
    ...headers,
    "Content-Type": "application/problem+json",
  });
}
