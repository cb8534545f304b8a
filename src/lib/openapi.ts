import { problemSchema, PROBLEM_CODES, type ProblemCode } from "./errors";

const ERROR_DESCRIPTIONS: Partial<Record<ProblemCode, string>> = {
  validation_error: "The request is invalid; `errors` names each offending field.",
  not_found: "No such resource.",
  internal_error: "Unexpected server error; the response carries the request id to quote in a report.",
};

/** OpenAPI responses for the given problem codes, to spread into a route's `responses`. */
export function problemResponses(...codes: ProblemCode[]) {
  const responses: Record<number, { description: string; content: { "application/problem+json": { schema: typeof problemSchema } } }> = {};
  for (const code of [...codes, "internal_error" as const]) {
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
