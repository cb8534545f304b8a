import type { RouteHandler } from "@hono/zod-openapi";
import { ApiError } from "../../lib/errors";
import type { AppEnv } from "../../lib/types";
import { queuesOf } from "../../bindings";
import {
  activateDraftModel,
  createDraftModel,
  getActiveModel as activeModel,
  getModel as modelById,
  listModels as allModels,
  previewModel,
} from "../../services/health-models";
import { toRecomputeResultBody } from "../health/health.mappers";
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

export const preview: RouteHandler<routes.PreviewModelRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const { segment } = c.req.valid("query");
  return c.json(await previewModel(c.get("db"), id, c.get("config").health, segment), 200);
};

export const activate: RouteHandler<routes.ActivateModelRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const activation = await activateDraftModel(c.get("db"), queuesOf(c.env), c.get("config"), id, c.get("apiKeyName") ?? null);
  const body = { ...activation, rescore: toRecomputeResultBody(activation.rescore) };
  return activation.rescore.mode === "queued" ? c.json(body, 202) : c.json(body, 200);
};
