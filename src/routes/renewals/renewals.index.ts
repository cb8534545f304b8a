import { createRouter } from "../../lib/create-router";
import * as handlers from "./renewals.handlers";
import * as routes from "./renewals.routes";

export const renewalsRouter = createRouter().openapi(routes.list, handlers.list);
