import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../lib/types";
import { listRenewals } from "../../services/renewals";
import type { ListRoute } from "./renewals.routes";

export const list: RouteHandler<ListRoute, AppEnv> = async (c) =>
  c.json(await listRenewals(c.get("db"), c.req.valid("query")), 200);
