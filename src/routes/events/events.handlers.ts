import type { RouteHandler } from "@hono/zod-openapi";
import { listEvents as readEvents } from "../../db/queries/events";
import type { AppEnv } from "../../lib/types";
import type { ListEventsRoute } from "./events.routes";

export const list: RouteHandler<ListEventsRoute, AppEnv> = async (c) => {
  const query = c.req.valid("query");
  const events = await readEvents(c.get("db"), query);
  return c.json({ events, next_after: events.at(-1)?.id ?? query.after }, 200);
};
