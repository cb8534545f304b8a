import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../lib/types";
import { getPortfolioSummary } from "../../services/portfolio";
import { getBookTrend } from "../../services/book-trend";
import type { GetSummaryRoute, GetTrendRoute } from "./portfolio.routes";

export const getSummary: RouteHandler<GetSummaryRoute, AppEnv> = async (c) =>
  c.json(await getPortfolioSummary(c.get("db"), c.get("config").health), 200);

export const getTrend: RouteHandler<GetTrendRoute, AppEnv> = async (c) => c.json(await getBookTrend(c.get("db")), 200);
