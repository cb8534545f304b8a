import { bumpDataVersion } from "../db/queries/data-version";
import {
  deleteOldDeliveries,
  deleteOldEvents,
  deleteOldIngestRuns,
  deleteOldMetrics,
} from "../db/queries/retention";
import { retentionCutoff } from "../domain/retention";
import type { RetentionConfig } from "../lib/config";
import type { Database } from "../lib/types";

/**
 * What the cron prunes: each kind in batches of `batchSize` rows, at most `maxBatches` of them per run, so an invocation
 * stays far inside D1's 1,000 queries whatever has piled up (the next run goes on where this one stopped).
 */
export interface PruneLimits {
  batchSize: number;
  maxBatches: number;
}

export const PRUNE_LIMITS: PruneLimits = { batchSize: 1_000, maxBatches: 50 };

export interface Pruned {
  events: number;
  deliveries: number;
  ingestRuns: number;
  /** Null when METRICS_RETENTION_DAYS is unset. */
  metrics: number | null;
  /** Whether every kind got to its end; false: a batch limit stopped one, and the next run goes on. */
  complete: boolean;
}

/** Repeats `deleteBatch` while it deletes a full batch, up to the limit; answers the rows deleted and whether it ran out. */
async function inBatches(limits: PruneLimits, deleteBatch: () => Promise<number>) {
  let deleted = 0;
  for (let batch = 0; batch < limits.maxBatches; batch++) {
    const count = await deleteBatch();
    deleted += count;
    if (count < limits.batchSize) return { deleted, complete: true };
  }
  return { deleted, complete: false };
}

async function pruneMetrics(db: Database, days: number, limits: PruneLimits) {
  let fromAccountId = 0;
  return inBatches(limits, async () => {
    const batch = await deleteOldMetrics(db, days, fromAccountId, limits.batchSize);
    fromAccountId = batch.lastAccountId ?? fromAccountId;
    return batch.deleted;
  });
}

export async function pruneExpired(
  db: Database,
  retention: RetentionConfig,
  now: Date = new Date(),
  limits: PruneLimits = PRUNE_LIMITS,
): Promise<Pruned> {
  const events = await inBatches(limits, () =>
    deleteOldEvents(db, retentionCutoff(now, retention.eventsDays), limits.batchSize),
  );
  const deliveries = await inBatches(limits, () =>
    deleteOldDeliveries(db, retentionCutoff(now, retention.deliveriesDays), limits.batchSize),
  );
  const ingestRuns = await inBatches(limits, () =>
    deleteOldIngestRuns(db, retentionCutoff(now, retention.ingestRunsDays), limits.batchSize),
  );
  const metrics = retention.metricsDays === null ? null : await pruneMetrics(db, retention.metricsDays, limits);
  const parts = [events, deliveries, ingestRuns, ...(metrics ? [metrics] : [])];
  // The feed, the runs and an account's metric history answer differently now: their ETags must change.
  if (parts.some((part) => part.deleted > 0)) await bumpDataVersion(db);
  return {
    events: events.deleted,
    deliveries: deliveries.deleted,
    ingestRuns: ingestRuns.deleted,
    metrics: metrics?.deleted ?? null,
    complete: parts.every((part) => part.complete),
  };
}
