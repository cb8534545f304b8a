import { createRouter } from "../../lib/create-router";
import * as handlers from "./revenue.handlers";
import * as routes from "./revenue.routes";

export const revenueRouter = createRouter().openapi(routes.getRevenue, handlers.getRevenue);
