import { createRouter } from "../../lib/create-router";
import { getJob, recomputeAll } from "./health.handlers";
import { getRecomputeJob, recompute } from "./health.routes";

export const healthRouter = createRouter().openapi(recompute, recomputeAll).openapi(getRecomputeJob, getJob);
