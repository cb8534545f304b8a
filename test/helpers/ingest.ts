import { env } from "cloudflare:test";
import { queuesOf } from "../../src/bindings";
import { createDb } from "../../src/db/client";
import { IngestError } from "../../src/ingest/errors";
import { DEFAULT_HEALTH_CONFIG } from "../../src/domain/health";
import { toProblem } from "../../src/routes/ingest/ingest.mappers";
import type { IngestOptions, IngestReport } from "../../src/services/ingest/types";
import { ingestCsv } from "../../src/services/ingest/upload";

/**
 * Runs the ingest service on a byte stream as the upload route does, without HTTP in between: a refused or stopped
 * upload fails with the problem (ApiError) the route answers.
 */
export function ingestStream(stream: ReadableStream<Uint8Array>, fileName: string, options?: IngestOptions): Promise<IngestReport> {
  const context = {
    db: createDb(env.DB),
    scoring: { health: DEFAULT_HEALTH_CONFIG, inlineMaxAccounts: 2000, alertScoreDrop: 10 },
    queues: queuesOf(env),
    createdBy: null,
  };
  return ingestCsv(context, { stream, fileName, contentType: "text/csv" }, options).catch((error: unknown) => {
    throw error instanceof IngestError ? toProblem(error) : error;
  });
}
