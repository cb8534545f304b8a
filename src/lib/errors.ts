import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { PROBLEM_CODES, type FieldError, type Problem, type ProblemCode } from "../contract/problems";

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

  /** Also checks, at compile time, that every status of PROBLEM_CODES is one a response may carry a body with. */
  get status(): ContentfulStatusCode {
    return PROBLEM_CODES[this.code].status;
  }
}

const TARGET_LABELS: Record<string, string> = {
  query: "Query parameter",
  param: "Path parameter",
  json: "Body field",
  form: "Form field",
  header: "Header",
  cookie: "Cookie",
};

/**
 * The 400 of invalid input, whoever found it (the routes' validation hook, or a service checking a rule the schema
 * cannot, such as a name that must exist): `detail` names each field of `target` (`json`, `query`, ...) and its problem.
 */
export function validationError(target: string, fieldErrors: FieldError[]): ApiError {
  const label = TARGET_LABELS[target] ?? "Input";
  const detail = fieldErrors.map((fieldError) => `${label} '${fieldError.field}' is invalid: ${fieldError.message}`).join("; ");
  return new ApiError("validation_error", `${detail}.`, fieldErrors);
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
