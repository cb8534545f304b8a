import { createRouter } from "../../lib/create-router";
import * as handlers from "./portfolio.handlers";
import * as routes from "./portfolio.routes";

export const portfolioRouter = createRouter()
  .openapi(routes.getSummary, handlers.getSummary)
  .openapi(routes.getTrend, handlers.getTrend);
