import { createRouter } from "../../lib/create-router";
import { getRun, ingest, listRuns } from "./ingest.handlers";
import { getIngestRun, ingestCsv, listIngestRuns } from "./ingest.routes";

export const ingestRouter = createRouter()
  .openapi(ingestCsv, ingest)
  .openapi(listIngestRuns, listRuns)
  .openapi(getIngestRun, getRun);
