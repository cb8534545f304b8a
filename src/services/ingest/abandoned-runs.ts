import { markAbandonedRuns, type AbandonedRuns } from "../../db/queries/ingest-runs";
import { log } from "../../lib/logger";
import type { Database } from "../../lib/types";

/**
 * Marks the uploads cut off by a crash as failed and says so in the log. Their stored rows were never rescored: the
 * caller rescores the accounts answered (the next upload) or everything (the daily cron). `logFields` go on the log
 * line (e.g. the cron's schedule).
 */
export async function recoverAbandonedRuns(db: Database, logFields: Record<string, unknown> = {}): Promise<AbandonedRuns> {
  const abandoned = await markAbandonedRuns(db);
  if (abandoned.runIds.length > 0) {
    log("warn", "uploads that stopped without finishing marked failed", {
      ...logFields,
      runs: abandoned.runIds,
      accounts_to_rescore: abandoned.accountIds.length,
    });
  }
  return abandoned;
}
