import { env } from "cloudflare:test";
import { createDb } from "../../src/db/client";
import { IngestError } from "../../src/ingest/errors";
import type { RecomputeMessage } from "../../src/jobs/recompute-queue";
import { DEFAULT_HEALTH_CONFIG } from "../../src/domain/health";
import { toProblem } from "../../src/routes/ingest/ingest.mappers";
import type { IngestOptions, IngestReport } from "../../src/services/ingest/types";
import { ingestCsv } from "../../src/services/ingest/upload";
import type { WebhookMessage } from "../../src/webhooks/messages";

/**
 * Runs the ingest service on a byte stream as the upload route does, without HTTP in between: a refused or stopped
 * upload fails with the problem (ApiError) the route answers.
 */
export function ingestStream(stream: ReadableStream<Uint8Array>, fileName: string, options?: IngestOptions): Promise<IngestReport> {
  const context = {
    db: createDb(env.DB),
    health: DEFAULT_HEALTH_CONFIG,
    queue: env.RECOMPUTE_QUEUE as Queue<RecomputeMessage>,
    inlineRescoreMaxAccounts: 2000,
    alertScoreDrop: 10,
    webhookQueue: env.WEBHOOK_QUEUE as Queue<WebhookMessage>,
    createdBy: null,
  };
  return ingestCsv(context, { stream, fileName, contentType: "text/csv" }, options).catch((error: unknown) => {
    throw error instanceof IngestError ? toProblem(error) : error;
  });
}
