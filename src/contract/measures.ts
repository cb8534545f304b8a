import { z } from "@hono/zod-openapi";
import { count } from "./fields";

/*
 * Custom measures: signals a book carries beyond the built-in metric columns (seats used ÷ seats bought, invoices
 * overdue, …). Once declared, an upload accepts a column of that name, checked against the range, and a health model's
 * component may score it.
 */

export const MAX_MEASURE_NAME_LENGTH = 40;
const MAX_DESCRIPTION_CHARS = 500;

/** Lowercase letters, digits and `_`, starting with a letter: a CSV header as written, and a JSON path key as is. */
const MEASURE_NAME = new RegExp(`^[a-z][a-z0-9_]{0,${MAX_MEASURE_NAME_LENGTH - 1}}$`);

/** A measure's name, as a declaration and a model's component write it. */
export function measureName(description: string) {
  return z
    .string()
    .regex(MEASURE_NAME, {
      error: `Expected a name of lowercase letters, digits and _, starting with a letter, at most ${MAX_MEASURE_NAME_LENGTH} characters`,
    })
    .openapi({ description, example: "seats_ratio" });
}

const bounds = {
  min: z.number().finite().openapi({ description: "The smallest value a cell may hold", example: 0 }),
  max: z.number().finite().openapi({ description: "The largest value a cell may hold; above `min`", example: 1.5 }),
};

const description = z
  .string()
  .trim()
  .min(1, { error: "Expected a description" })
  .max(MAX_DESCRIPTION_CHARS, { error: `Expected at most ${MAX_DESCRIPTION_CHARS} characters` })
  .openapi({ description: "What the measure is, for people", example: "Seats used ÷ seats bought" });

export const declareMeasureBodySchema = z
  .object({
    name: measureName(
      "The CSV header that carries it and the name a model's component scores; it may not be a built-in column, an " +
        "alias of one, or a declared measure (compared ignoring case and underscores, as headers are matched)",
    ),
    description,
    ...bounds,
  })
  .superRefine((measure, context) => {
    if (!(measure.min < measure.max)) {
      context.addIssue({ code: "custom", path: ["max"], message: `Expected max (${measure.max}) above min (${measure.min})` });
    }
  })
  .openapi("MeasureDeclaration");

export const measureSchema = z
  .object({
    name: measureName("The measure's name: its CSV header"),
    description,
    ...bounds,
    rows: count("Metric rows (account + date) that carry a value of it", 2_700),
    created_at: z.string().openapi({ example: "2026-12-07T05:00:00.000Z" }),
    created_by: z.string().nullable().openapi({ description: "The name of the API key that declared it", example: "cs-ops" }),
  })
  .openapi("Measure");

export const measureListSchema = z.object({ measures: z.array(measureSchema) }).openapi("MeasureList");

export const measureNameParamsSchema = z.object({
  name: measureName("The measure's name").openapi({ param: { name: "name", in: "path" } }),
});

export type MeasureDeclaration = z.infer<typeof declareMeasureBodySchema>;
export type Measure = z.infer<typeof measureSchema>;
