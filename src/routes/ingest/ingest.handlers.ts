import type { RouteHandler } from "@hono/zod-openapi";
import { queuesOf } from "../../bindings";
import { getIngestRun, listIngestRuns } from "../../db/queries/ingest-runs";
import { IngestError } from "../../ingest/errors";
import type { HeaderMapping } from "../../ingest/csv-header";
import { drainableBody } from "../../ingest/drainable-body";
import { parseMapping } from "../../ingest/mapping-param";
import { MAPPING_FIELD, openUploadSource, type UploadSource } from "../../ingest/upload-source";
import { ApiError } from "../../lib/errors";
import type { AppEnv } from "../../lib/types";
import { recomputeSettings } from "../../scoring";
import { ingestCsv } from "../../services/ingest/upload";
import { toIngestResult, toIngestRun, toProblem } from "./ingest.mappers";
import type { GetRunRoute, ListRunsRoute, UploadRoute } from "./ingest.routes";

/** The upload's mapping: the query parameter or the form field (not both), parsed; empty without either. */
async function uploadMapping(fromQuery: string | undefined, source: UploadSource, maxEntries: number): Promise<HeaderMapping> {
  const fromForm = source.fields?.[MAPPING_FIELD];
  if (fromQuery !== undefined && fromForm !== undefined) {
    await source.stream.cancel().catch(() => undefined);
    throw mappingError("Send the mapping once: as the query parameter or as the form field, not both.");
  }
  const text = fromQuery ?? fromForm;
  if (text === undefined || text.trim() === "") return {};
  const parsed = parseMapping(text, maxEntries);
  if ("reason" in parsed) {
    await source.stream.cancel().catch(() => undefined);
    throw mappingError(parsed.reason);
  }
  return parsed.mapping;
}

function mappingError(reason: string): IngestError {
  return new IngestError("invalid_mapping", `${reason} Nothing was stored.`, [{ field: MAPPING_FIELD, message: reason }]);
}

export const upload: RouteHandler<UploadRoute, AppEnv> = async (c) => {
  const config = c.get("config");
  const query = c.req.valid("query");
  const request = c.req.raw;
  const body =
    config.drainRejectedUploads && request.body
      ? drainableBody(request.body, Number(request.headers.get("content-length") ?? Number.NaN))
      : null;
  try {
    const source = await openUploadSource({ headers: request.headers, body: body?.stream ?? request.body }, config.limits.maxUploadBytes);
    const mapping = await uploadMapping(query.mapping, source, config.limits.maxColumns);
    const report = await ingestCsv(
      {
        db: c.get("db"),
        scoring: recomputeSettings(config, "ingest"),
        queues: queuesOf(c.env),
        createdBy: c.get("apiKeyName") ?? null,
      },
      source,
      {
        maxLineChars: config.limits.maxLineChars,
        maxColumns: config.limits.maxColumns,
        minMetricDate: config.limits.minMetricDate,
        mapping,
        dryRun: query.dry_run,
      },
    );
    return c.json(toIngestResult(report), 200);
  } catch (error) {
    throw error instanceof IngestError ? toProblem(error) : error;
  } finally {
    await body?.drain(config.limits.maxUploadBytes);
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
