import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../lib/types";
import { getRevenueMovements } from "../../services/revenue";
import type { GetRevenueRoute } from "./revenue.routes";

export const getRevenue: RouteHandler<GetRevenueRoute, AppEnv> = async (c) =>
  c.json(await getRevenueMovements(c.get("db"), c.req.valid("query").days), 200);
