import { z } from "@hono/zod-openapi";

/* Field shapes that many answers share, each with the description and example the document shows for it. */

/** The `id` and `account_name` an account's shape starts with. */
export function accountIdAndName(id: number, name: string) {
  return {
    id: z.number().int().openapi({ example: id }),
    account_name: z.string().openapi({ example: name }),
  };
}

/** The `message` of an answer that reports work done: one readable sentence. */
export function summaryMessage(example: string) {
  return z.string().openapi({ description: "A readable summary", example });
}

/** A number of things (accounts, rows, dates): a whole number. */
export function count(description: string, example: number) {
  return z.number().int().openapi({ description, example });
}

/** An amount of ARR, in the currency of the uploaded data. */
export function money(description: string, example: number) {
  return z.number().openapi({ description, example });
}

/** One figure per health bucket, as a named component: every bucket is present. */
export function perBucket(name: string, description: string, examples: [number, number, number]) {
  const [healthy, atRisk, critical] = examples;
  return z
    .object({
      Healthy: z.number().openapi({ example: healthy }),
      "At-Risk": z.number().openapi({ example: atRisk }),
      Critical: z.number().openapi({ example: critical }),
    })
    .openapi(name, { description });
}
