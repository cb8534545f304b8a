import { createRouter } from "../../lib/create-router";
import { recommendForAccount } from "./actions.handlers";
import { recommend } from "./actions.routes";

export const actionsRouter = createRouter().openapi(recommend, recommendForAccount);
