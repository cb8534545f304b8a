import type { RouteHandler } from "@hono/zod-openapi";
import { ApiError } from "../../lib/errors";
import type { AppEnv } from "../../lib/types";
import { createDraftModel, getActiveModel as activeModel, getModel as modelById, listModels as allModels } from "../../services/health-models";
import type * as routes from "./health-models.routes";

export const create: RouteHandler<routes.CreateModelRoute, AppEnv> = async (c) => {
  const model = await createDraftModel(c.get("db"), c.req.valid("json"), c.get("apiKeyName") ?? null, c.get("config").health);
  return c.json(model, 201);
};

export const list: RouteHandler<routes.ListModelsRoute, AppEnv> = async (c) => {
  return c.json({ models: await allModels(c.get("db"), c.get("config").health) }, 200);
};

export const getOne: RouteHandler<routes.GetModelRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const model = await modelById(c.get("db"), id, c.get("config").health);
  if (!model) throw new ApiError("not_found", `No health model has id ${id}.`);
  return c.json(model, 200);
};

export const getActive: RouteHandler<routes.GetActiveModelRoute, AppEnv> = async (c) => {
  return c.json(await activeModel(c.get("db"), c.get("config").health), 200);
};
