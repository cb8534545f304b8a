import type { RouteHandler } from "@hono/zod-openapi";
import { queuesOf } from "../../bindings";
import { getIngestRun, listIngestRuns } from "../../db/queries/ingest-runs";
import { IngestError } from "../../ingest/errors";
import { ApiError } from "../../lib/errors";
import type { AppEnv } from "../../lib/types";
import { ingestUploadRequest } from "../../services/ingest/upload-request";
import { toIngestResult, toIngestRun, toProblem } from "./ingest.mappers";
import type { GetRunRoute, ListRunsRoute, UploadRoute } from "./ingest.routes";

export const upload: RouteHandler<UploadRoute, AppEnv> = async (c) => {
  const query = c.req.valid("query");
  try {
    const report = await ingestUploadRequest(
      { db: c.get("db"), queues: queuesOf(c.env), createdBy: c.get("apiKeyName") ?? null },
      c.get("config"),
      { headers: c.req.raw.headers, body: c.req.raw.body, mappingParam: query.mapping, dryRun: query.dry_run },
    );
    return c.json(toIngestResult(report), 200);
  } catch (error) {
    throw error instanceof IngestError ? toProblem(error) : error;
  }
};

export const listRuns: RouteHandler<ListRunsRoute, AppEnv> = async (c) => {
  const { limit } = c.req.valid("query");
  const runs = await listIngestRuns(c.get("db"), limit);
  return c.json({ runs: runs.map(toIngestRun) }, 200);
};

export const getRun: RouteHandler<GetRunRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const run = await getIngestRun(c.get("db"), id);
  if (!run) throw new ApiError("not_found", `No ingest run has id ${id}.`);
  return c.json(toIngestRun(run), 200);
};
