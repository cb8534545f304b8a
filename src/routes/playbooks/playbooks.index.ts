import { createRouter } from "../../lib/create-router";
import * as handlers from "./playbooks.handlers";
import * as routes from "./playbooks.routes";

export const playbooksRouter = createRouter().openapi(routes.list, handlers.list);
