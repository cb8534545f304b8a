import type { HeaderMapping } from "../../ingest/csv-header";
import { drainableBody } from "../../ingest/drainable-body";
import { IngestError } from "../../ingest/errors";
import { parseMapping } from "../../ingest/mapping-param";
import { MAPPING_FIELD, openUploadSource, type UploadSource } from "../../ingest/upload-source";
import type { AppConfig } from "../../lib/config";
import { recomputeSettings } from "../../scoring";
import type { IngestContext, IngestReport } from "./types";
import { ingestCsv } from "./upload";

/**
 * An upload as it arrives over HTTP, for POST /ingest/csv and the console's import page alike: the request body
 * streamed (a form's `file` part or the raw body) under the configured limits, the mapping from the query or the
 * form (not both), then ingestCsv. Refusals throw an IngestError, which each caller answers in its own way.
 */

export interface UploadRequest {
  headers: Headers;
  body: ReadableStream<Uint8Array> | null;
  /** The `mapping` query parameter, when the caller has one. */
  mappingParam?: string;
  dryRun: boolean;
}

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

/** `context`: where it writes and who uploads; the rescore's settings come from `config`, as an upload's. */
export async function ingestUploadRequest(
  context: Omit<IngestContext, "scoring">,
  config: AppConfig,
  request: UploadRequest,
): Promise<IngestReport> {
  const body =
    config.drainRejectedUploads && request.body
      ? drainableBody(request.body, Number(request.headers.get("content-length") ?? Number.NaN))
      : null;
  try {
    const source = await openUploadSource({ headers: request.headers, body: body?.stream ?? request.body }, config.limits.maxUploadBytes);
    const mapping = await uploadMapping(request.mappingParam, source, config.limits.maxColumns);
    return await ingestCsv({ ...context, scoring: recomputeSettings(config, "ingest") }, source, {
      maxLineChars: config.limits.maxLineChars,
      maxColumns: config.limits.maxColumns,
      minMetricDate: config.limits.minMetricDate,
      mapping,
      dryRun: request.dryRun,
    });
  } finally {
    await body?.drain(config.limits.maxUploadBytes);
  }
}
