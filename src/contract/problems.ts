import { z } from "@hono/zod-openapi";

/**
 * One error shape everywhere: RFC 9457 problem details (`application/problem+json`). `detail` is always a readable
 * sentence, so a client that shows only `detail` (as FastAPI clients of the v1 API do) still tells the user what went
 * wrong; `errors` names each offending field of a validation error.
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

/** Every problem the API answers, with its HTTP status and `title`. */
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
} as const;

export type ProblemCode = keyof typeof PROBLEM_CODES;

const ERROR_DESCRIPTIONS: Partial<Record<ProblemCode, string>> = {
  validation_error: "The request is invalid; `errors` names each offending field.",
  not_found: "No such resource.",
  unauthorized:
    "No API key, or not a valid one (auth is on in production and wherever API_KEYS is set); `WWW-Authenticate` says Bearer.",
  forbidden: "The API key is valid but its scope does not cover this route; `detail` names the scope needed.",
  service_unavailable: "Production without any API key configured: protected routes refuse rather than run unprotected.",
  misconfigured: "A configuration variable is malformed; `detail` names each one and its rule (GET /healthz lists them).",
  rate_limited: "Too many insight requests for this API key; `Retry-After` says when to try again.",
  payload_too_large: "The upload is bigger than MAX_UPLOAD_BYTES (default 100 MiB); nothing past the limit is read.",
  internal_error: "Unexpected server error; the response carries the request id to quote in a report.",
};

/** An OpenAPI problem+json response with this description. */
export function problemContent(description: string) {
  return { description, content: { "application/problem+json": { schema: problemSchema } } };
}

/** The HTTP statuses problems are answered with. */
export type ProblemStatus = (typeof PROBLEM_CODES)[ProblemCode]["status"];

export type ProblemResponses = Partial<Record<ProblemStatus, ReturnType<typeof problemContent>>>;

/** OpenAPI responses for the given problem codes, to spread into a route's `responses`. */
export function problemResponses(...codes: ProblemCode[]): ProblemResponses {
  const responses: ProblemResponses = {};
  // Every route takes the x-d1-bookmark header (400 when malformed) and can meet a malformed configuration or an
  // unexpected error. A route that takes a key can refuse one without the scope it needs.
  const withForbidden: ProblemCode[] = codes.includes("unauthorized") ? [...codes, "forbidden"] : codes;
  for (const code of [...withForbidden, "validation_error" as const, "misconfigured" as const, "internal_error" as const]) {
    const { status, title } = PROBLEM_CODES[code];
    const description = ERROR_DESCRIPTIONS[code] ?? title;
    const existing = responses[status];
    responses[status] = problemContent(
      existing && existing.description !== description ? `${existing.description} / ${description}` : description,
    );
  }
  return responses;
}

/** An OpenAPI JSON response: `schema` as `application/json`, with its description. */
export function jsonContent<T>(schema: T, description: string) {
  return { content: { "application/json": { schema } }, description };
}
