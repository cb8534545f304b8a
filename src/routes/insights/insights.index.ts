import { createRouter } from "../../lib/create-router";
import * as handlers from "./insights.handlers";
import * as routes from "./insights.routes";

export const insightsRouter = createRouter()
  .openapi(routes.accountInsight, handlers.accountInsight)
  .openapi(routes.portfolioInsight, handlers.portfolioInsight);
