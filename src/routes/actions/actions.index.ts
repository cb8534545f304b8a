import { createRouter } from "../../lib/create-router";
import * as handlers from "./actions.handlers";
import * as routes from "./actions.routes";

export const actionsRouter = createRouter().openapi(routes.recommend, handlers.recommend);
