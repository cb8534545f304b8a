import { markAbandonedRuns } from "../../db/queries/ingest-runs";
import { log } from "../../lib/logger";
import type { Database } from "../../lib/types";

/**
 * Marks the uploads cut off by a crash as failed and says so in the log; answers their ids. The pending rescores their
 * batches recorded with their rows are adopted by whichever rescore comes next (an upload's, the cron's). `logFields` go on the log line
 * (e.g. the cron's schedule).
 */
export async function recoverAbandonedRuns(db: Database, logFields: Record<string, unknown> = {}): Promise<number[]> {
  const runIds = await markAbandonedRuns(db);
  if (runIds.length > 0) log("warn", "uploads that stopped without finishing marked failed", { ...logFields, runs: runIds });
  return runIds;
}
