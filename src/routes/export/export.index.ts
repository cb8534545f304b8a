import { createRouter } from "../../lib/create-router";
import * as handlers from "./export.handlers";
import * as routes from "./export.routes";

export const exportRouter = createRouter()
  .openapi(routes.exportMetrics, handlers.metrics)
  .openapi(routes.exportScores, handlers.scores);
