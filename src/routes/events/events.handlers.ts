import type { RouteHandler } from "@hono/zod-openapi";
import { eventPage } from "../../db/queries/events";
import type { AppEnv } from "../../lib/types";
import type { ListEventsRoute } from "./events.routes";

export const list: RouteHandler<ListEventsRoute, AppEnv> = async (c) => {
  return c.json(await eventPage(c.get("db"), c.req.valid("query")), 200);
};
