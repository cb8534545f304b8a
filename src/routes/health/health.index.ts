import { createRouter } from "../../lib/create-router";
import { recomputeAll } from "./health.handlers";
import { recompute } from "./health.routes";

export const healthRouter = createRouter().openapi(recompute, recomputeAll);
