/*
 * The scoring wing: how a change of metrics becomes scores and events (docs/architecture.md, "Data flow").
 * 1. Whatever changes metrics records what is behind (state.ts): an upload's batches write pending rescores, a new
 *    segment or a new health configuration marks accounts stale.
 * 2. recomputeScores (recompute.ts) reads that state and rescores inline, or queues a job (queue.ts) when too big.
 * 3. A rescore (rescore.ts) cuts its accounts into chunks (chunks.ts); each chunk is one atomic D1 batch that upserts
 *    the scores (scores-sql.ts), rewrites each account's current health and trends (account-health-sql.ts), writes
 *    the health events the change caused (events-sql.ts), bumps the data version and clears the marks.
 * 4. The events are announced to the webhook fan-out once the batch has committed (queue.ts, announceEvents).
 * Everything outside the wing comes in through this file.
 */
export { activateModel } from "./activation";
export { getRecomputeJob } from "./jobs";
export { scoringModelOf, specOf } from "./model";
export { previewAccounts, previewMovers } from "./preview";
export { consumeRecomputeChunks } from "./queue";
export { recomputeScores } from "./recompute";
export { recomputeSettings } from "./settings";
export { adoptPendingRescores } from "./state";
export type { RecomputeOutcome, RecomputeSettings, UploadChanges } from "./types";
