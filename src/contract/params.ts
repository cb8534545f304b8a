import { z } from "@hono/zod-openapi";
import { isIsoCalendarDate } from "../domain/calendar";
import { matchKey } from "../domain/match-key";

/*
 * Parsers for query and path values, which arrive as strings. Each turns a well-formed string into its typed value and
 * leaves anything else for the inner schema to refuse, with a message that says what was expected and what came.
 */

export function shown(input: unknown): string {
  if (Array.isArray(input)) return "several values";
  return `'${String(input)}'`;
}

export function wholeNumber(min: number, max: number) {
  const expected =
    max !== Number.MAX_SAFE_INTEGER
      ? `a whole number from ${min} to ${max}`
      : min === 1
        ? "a positive whole number"
        : `a whole number from ${min}`;
  const message = (issue: { input?: unknown }) =>
    issue.input === undefined ? `Required: expected ${expected}` : `Expected ${expected}, not ${shown(issue.input)}`;
  return z.preprocess(
    (value) => (typeof value === "string" && /^\s*\d{1,16}\s*$/.test(value) ? Number(value) : value),
    z.number({ error: message }).int({ error: message }).min(min, { error: message }).max(max, { error: message }),
  );
}

/** How many items a page answers: 1 to `max`, `byDefault` when absent; described as `what` and its range. */
export function pageSize(what: string, max: number, byDefault: number) {
  return wholeNumber(1, max).default(byDefault).openapi({ description: `${what}, 1-${max}`, example: byDefault });
}

/** `true`/`false` (also `1`/`0`, `yes`/`no`, any case); absent or empty means false. */
export function flag() {
  const values: Record<string, boolean> = { true: true, "1": true, yes: true, false: false, "0": false, no: false, "": false };
  return z.preprocess(
    (value) => (typeof value === "string" ? (values[value.trim().toLowerCase()] ?? value) : value),
    z.boolean({ error: (issue) => `Expected true or false, not ${shown(issue.input)}` }).default(false),
  );
}

/** A database id: a positive whole number. */
export function positiveId() {
  return wholeNumber(1, Number.MAX_SAFE_INTEGER);
}

/** The `{id}` path parameter of a resource route. */
export function idPathParams(description: string, example: number) {
  return z.object({
    id: positiveId().openapi({ param: { name: "id", in: "path" }, description, example }),
  });
}

/** Clients of the v1 API send empty filters (`?segment=`) to mean "no filter". */
export function blankAsAbsent(value: unknown): unknown {
  return typeof value === "string" && value.trim() === "" ? undefined : value;
}

/** One of `names`, in any case and with any separators (see matchKey); blank means absent. */
export function oneOf<const T extends readonly [string, ...string[]]>(names: T) {
  const byKey = new Map<string, T[number]>(names.map((name) => [matchKey(name), name]));
  return z.preprocess(
    (value) => {
      const present = blankAsAbsent(value);
      return typeof present === "string" ? (byKey.get(matchKey(present)) ?? present) : present;
    },
    z
      .enum(names, { error: (issue) => `Expected one of ${names.join(", ")} (case-insensitive), not ${shown(issue.input)}` })
      .optional(),
  );
}

/** A decimal number from `min` to `max`; blank means absent. */
export function decimalBetween(min: number, max: number) {
  const message = (issue: { input?: unknown }) => `Expected a number from ${min} to ${max}, not ${shown(issue.input)}`;
  return z.preprocess(
    (value) => {
      const present = blankAsAbsent(value);
      return typeof present === "string" && /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(present) ? Number(present) : present;
    },
    z.number({ error: message }).min(min, { error: message }).max(max, { error: message }).optional(),
  );
}

/** A real calendar date written YYYY-MM-DD (e.g. not 2026-02-30); blank means absent. */
export function calendarDate() {
  const message = (issue: { input?: unknown }) => `Expected a real calendar date as YYYY-MM-DD, not ${shown(issue.input)}`;
  return z.preprocess(
    (value) => (typeof value === "string" ? blankAsAbsent(value.trim()) : value),
    z
      .string({ error: message })
      .regex(/^\d{4}-\d{2}-\d{2}$/, { error: message, abort: true })
      .refine(isIsoCalendarDate, { error: message })
      .optional(),
  );
}
