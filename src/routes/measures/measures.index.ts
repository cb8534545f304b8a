import { createRouter } from "../../lib/create-router";
import * as handlers from "./measures.handlers";
import * as routes from "./measures.routes";

export const measuresRouter = createRouter()
  .openapi(routes.declareMeasure, handlers.declare)
  .openapi(routes.listMeasures, handlers.list)
  .openapi(routes.deleteMeasure, handlers.remove);
