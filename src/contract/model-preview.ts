import { z } from "@hono/zod-openapi";
import { SEGMENTS } from "../domain/types";
import { bucketSchema, healthComponentsSchema } from "./accounts";
import { bucketFiguresSchema, moveSchema, scoreChangeSchema } from "./model-figures";
import { recomputeResultSchema } from "./health";
import { healthModelSchema } from "./health-models";

/*
 * What a model's preview and its activation answer: the book under the active model and under the draft, side by side,
 * at each account's latest metric date.
 */

const moverSchema = z
  .object({
    account_id: z.number().int().openapi({ example: 7 }),
    account_name: z.string().openapi({ example: "Acme Corp" }),
    segment: z.enum(SEGMENTS),
    arr: z.number().openapi({ example: 480_000 }),
    score_before: z.number().openapi({ example: 72.4 }),
    score_after: z.number().openapi({ example: 51.9 }),
    bucket_before: bucketSchema,
    bucket_after: bucketSchema,
    components_before: healthComponentsSchema,
    components_after: healthComponentsSchema,
  })
  .openapi("ModelTopMover");

export const modelPreviewQuerySchema = z.object({
  segment: z.enum(SEGMENTS).optional().openapi({ description: "Only the accounts of this segment", example: "SMB" }),
});

export const modelPreviewSchema = z
  .object({
    model_id: z.number().int().openapi({ description: "The model previewed", example: 2 }),
    active_model_id: z.number().int().openapi({ description: "The model the stored scores follow", example: 1 }),
    segment: z.enum(SEGMENTS).nullable().openapi({ description: "The segment previewed; null: the whole book", example: null }),
    accounts: z.number().int().openapi({ description: "Accounts with metrics previewed", example: 1000 }),
    active: bucketFiguresSchema.openapi({ description: "The accounts scored under the active model, as stored" }),
    draft: bucketFiguresSchema.openapi({ description: "Every account previewed, under the previewed model" }),
    moves: z.array(moveSchema).openapi({ description: "All nine bucket pairs (Healthy → Healthy first)" }),
    score_change: scoreChangeSchema,
    top_movers: z.array(moverSchema).openapi({ description: "The 20 accounts whose score moves most" }),
    warnings: z.array(z.string()).openapi({
      example: ["measure `seats_ratio` is missing for 64% of accounts (640 of 1000): its weight is spread over the others for them"],
    }),
  })
  .openapi("HealthModelPreview", {
    description:
      "The book at each account's latest metric date under the active model and under the previewed one. Nothing is " +
      "written; activating the model stores exactly these scores.",
  });

export const modelActivationSchema = z
  .object({
    model: healthModelSchema,
    previous_model_id: z.number().int().openapi({ example: 1 }),
    rescore: recomputeResultSchema.openapi({ description: "The rescore of every account under the model: inline, or a queued job" }),
  })
  .openapi("HealthModelActivation");

export type ModelPreview = z.infer<typeof modelPreviewSchema>;
