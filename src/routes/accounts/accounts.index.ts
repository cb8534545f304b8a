import { createRouter } from "../../lib/create-router";
import * as handlers from "./accounts.handlers";
import * as routes from "./accounts.routes";

export const accountsRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.getOne, handlers.getOne)
  .openapi(routes.update, handlers.update)
  .openapi(routes.merge, handlers.merge)
  .openapi(routes.remove, handlers.remove);
