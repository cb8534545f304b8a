import { createRouter } from "../../lib/create-router";
import * as handlers from "./health-models.handlers";
import * as routes from "./health-models.routes";

export const healthModelsRouter = createRouter()
  .openapi(routes.createModel, handlers.create)
  .openapi(routes.listModels, handlers.list)
  .openapi(routes.getModel, handlers.getOne)
  .openapi(routes.getActiveModel, handlers.getActive)
  .openapi(routes.previewModel, handlers.preview)
  .openapi(routes.activateModel, handlers.activate);
