import type { RouteHandler } from "@hono/zod-openapi";
import { listMeasures } from "../../db/queries/measures";
import type { AppEnv } from "../../lib/types";
import { declareMeasure, deleteMeasure } from "../../services/measures";
import type * as routes from "./measures.routes";

export const declare: RouteHandler<routes.DeclareMeasureRoute, AppEnv> = async (c) => {
  const measure = await declareMeasure(c.get("db"), c.req.valid("json"), c.get("apiKeyName") ?? null);
  return c.json(measure, 201);
};

export const list: RouteHandler<routes.ListMeasuresRoute, AppEnv> = async (c) => {
  return c.json({ measures: await listMeasures(c.get("db")) }, 200);
};

export const remove: RouteHandler<routes.DeleteMeasureRoute, AppEnv> = async (c) => {
  await deleteMeasure(c.get("db"), c.req.valid("param").name);
  return c.body(null, 204);
};
