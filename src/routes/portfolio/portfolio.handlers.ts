import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../lib/types";
import { getPortfolioSummary } from "../../services/portfolio";
import type { GetSummaryRoute } from "./portfolio.routes";

export const getSummary: RouteHandler<GetSummaryRoute, AppEnv> = async (c) =>
  c.json(await getPortfolioSummary(c.get("db"), c.get("config").health), 200);
