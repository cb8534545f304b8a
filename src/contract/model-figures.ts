import { z } from "@hono/zod-openapi";
import { BUCKETS } from "../domain/types";

/*
 * The figures of a model's preview that its activation event records too: the book per bucket, the moves between
 * buckets and the score change. Apart from contract/model-preview.ts so the events' contract reads them without a cycle.
 */

const bucket = z.enum(BUCKETS);

const byBucket = (value: z.ZodNumber, description: string) =>
  z.object(Object.fromEntries(BUCKETS.map((bucket) => [bucket, value])) as Record<(typeof BUCKETS)[number], z.ZodNumber>).openapi({
    description,
  });

export const bucketFiguresSchema = z
  .object({
    accounts_by_bucket: byBucket(z.number().int(), "Accounts per bucket"),
    arr_by_bucket: byBucket(z.number(), "ARR per bucket (the accounts' current ARR), to the cent"),
  })
  .openapi("ModelBucketFigures");

export const moveSchema = z
  .object({
    from: bucket,
    to: bucket,
    accounts: z.number().int().openapi({ example: 12 }),
    arr: z.number().openapi({ example: 1_250_000 }),
  })
  .openapi("ModelBucketMove");

export const scoreChangeSchema = z
  .object({
    mean: z.number().openapi({ description: "Mean change, two decimals", example: -1.35 }),
    p10: z.number().openapi({ example: -8.4 }),
    p50: z.number().openapi({ example: -0.6 }),
    p90: z.number().openapi({ example: 4.1 }),
  })
  .openapi("ModelScoreChange", {
    description:
      "Draft score − active score over the accounts scored under both (the percentiles by nearest rank: each is one " +
      "account's change); zeros when there are none",
  });

/** The data of `health.model_activated`: the preview's figures at the activation, which the rescore then stores. */
export const modelActivatedDataSchema = z
  .object({
    model_id: z.number().int().openapi({ example: 2 }),
    model_name: z.string().openapi({ example: "Usage first" }),
    previous_model_id: z.number().int().openapi({ example: 1 }),
    accounts: z.number().int().openapi({ example: 1000 }),
    active: bucketFiguresSchema.openapi({ description: "The book under the previous model, as stored" }),
    draft: bucketFiguresSchema.openapi({ description: "The book under the activated model, as its rescore stores it" }),
    moves: z.array(moveSchema),
    score_change: scoreChangeSchema,
  })
  .openapi("ModelActivatedData");

