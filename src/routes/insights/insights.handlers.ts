import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ApiError } from "../../lib/errors";
import type { AppEnv } from "../../lib/types";
import { generateAccountInsight, generatePortfolioInsight, insightContext, type InsightContext } from "../../services/insights";
import { toAccountInsightResponse, toPortfolioInsightResponse } from "./insights.mappers";
import type { AccountInsightRoute, PortfolioInsightRoute } from "./insights.routes";

function contextOf(c: Context<AppEnv>): InsightContext {
  return insightContext(c.get("db"), c.get("config"), c.env);
}

export const accountInsight: RouteHandler<AccountInsightRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const { refresh } = c.req.valid("query");
  const result = await generateAccountInsight(contextOf(c), id, refresh);
  if (!result) throw new ApiError("not_found", `No account has id ${id}.`);
  return c.json(toAccountInsightResponse(result.assessment, result.outcome), 200);
};

export const portfolioInsight: RouteHandler<PortfolioInsightRoute, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  const { refresh } = c.req.valid("query");
  const request = { include_recommendations: body.include_recommendations ?? true, focus_areas: body.focus_areas ?? [] };
  const { input, outcome } = await generatePortfolioInsight(contextOf(c), request, refresh);
  return c.json(toPortfolioInsightResponse(input, outcome), 200);
};
