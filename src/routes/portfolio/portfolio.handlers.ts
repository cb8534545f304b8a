import type { RouteHandler } from "@hono/zod-openapi";
import { getPortfolioAggregates } from "../../db/queries/portfolio";
import { summarisePortfolio } from "../../domain/portfolio";
import type { AppEnv } from "../../lib/types";
import type { getSummary } from "./portfolio.routes";

export const summary: RouteHandler<typeof getSummary, AppEnv> = async (c) => {
  const aggregates = await getPortfolioAggregates(c.env.DB);
  const figures = summarisePortfolio(aggregates.totals, aggregates.segments, aggregates.regions);
  return c.json({ ...figures, lowest_accounts: aggregates.lowestAccounts }, 200);
};
