import { createRouter } from "../../lib/create-router";
import * as handlers from "./ingest.handlers";
import * as routes from "./ingest.routes";

export const ingestRouter = createRouter()
  .openapi(routes.upload, handlers.upload)
  .openapi(routes.listRuns, handlers.listRuns)
  .openapi(routes.getRun, handlers.getRun);
