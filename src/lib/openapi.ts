import { problemSchema, PROBLEM_CODES, type ProblemCode } from "./errors";

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

/** OpenAPI responses for the given problem codes, to spread into a route's `responses`. */
export function problemResponses(...codes: ProblemCode[]) {
  const responses: Record<number, { description: string; content: { "application/problem+json": { schema: typeof problemSchema } } }> = {};
  // Every route takes the x-d1-bookmark header (400 when malformed) and can meet a malformed configuration or an
  // unexpected error. A route that takes a key can refuse one without the scope it needs.
  const withForbidden: ProblemCode[] = codes.includes("unauthorized") ? [...codes, "forbidden"] : codes;
  for (const code of [...withForbidden, "validation_error" as const, "misconfigured" as const, "internal_error" as const]) {
    const { status, title } = PROBLEM_CODES[code];
    const description = ERROR_DESCRIPTIONS[code] ?? title;
    const existing = responses[status];
    responses[status] = {
      description: existing && existing.description !== description ? `${existing.description} / ${description}` : description,
      content: { "application/problem+json": { schema: problemSchema } },
    };
  }
  return responses;
}

export function jsonContent<T>(schema: T, description: string) {
  return { content: { "application/json": { schema } }, description };
}
