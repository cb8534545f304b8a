import { createRouter } from "../../lib/create-router";
import { ingest } from "./ingest.handlers";
import { ingestCsv } from "./ingest.routes";

export const ingestRouter = createRouter().openapi(ingestCsv, ingest);
