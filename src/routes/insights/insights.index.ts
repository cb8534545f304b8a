import { createRouter } from "../../lib/create-router";
import { forAccount, forPortfolio } from "./insights.handlers";
import { accountInsight, portfolioInsight } from "./insights.routes";

export const insightsRouter = createRouter().openapi(accountInsight, forAccount).openapi(portfolioInsight, forPortfolio);
