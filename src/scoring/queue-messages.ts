import { z } from "@hono/zod-openapi";
import { BYTES_PER_SEND, MESSAGES_PER_SEND } from "../lib/queues";
import { RESCORE_SCOPES, type RescoreScope } from "./types";

/**
 * The recompute queue's messages. A recompute bigger than one invocation (D1 allows 1,000 queries per invocation and
 * 30 s per query) runs as one message per ACCOUNTS_PER_MESSAGE accounts: a range of ids, or the ids an upload changed.
 * This Worker's `queue` handler consumes them (queue.ts).
 */

/** Accounts per queue message: a few chunks' batches and a few seconds of work. */
export const ACCOUNTS_PER_MESSAGE = 1000;
/** Deliveries of a message before its job is marked failed: `max_retries` (3) in wrangler.toml, plus the first. */
export const RECOMPUTE_MAX_ATTEMPTS = 4;

const numbering = { job_id: z.number().int().positive(), chunk: z.number().int().min(0) };
const accountId = z.number().int().positive();

/**
 * A range of ids is always rescored whole; a list of ids in its `scope` (absent in messages sent before scopes
 * existed, which meant `all`). A stale-scope message reads each account's stale range from D1, where the upload wrote
 * it with the rows, so it carries ids only and a redelivered message finds nothing left to do.
 */
export const recomputeMessageSchema = z.union([
  z.object({ ...numbering, first_id: accountId, last_id: accountId }),
  z.object({ ...numbering, account_ids: z.array(accountId), scope: z.enum(RESCORE_SCOPES).optional() }),
]);
export type RecomputeMessage = z.infer<typeof recomputeMessageSchema>;

/** A message's accounts, before the job it belongs to is recorded. */
type Unnumbered<T> = T extends unknown ? Omit<T, "job_id" | "chunk"> : never;
export type RecomputePart = Unnumbered<RecomputeMessage>;

/** The given accounts, sorted and deduplicated, as lists of at most ACCOUNTS_PER_MESSAGE ids. */
export function partsForAccounts(
  accountIds: readonly number[],
  scope: RescoreScope,
): { accountsTotal: number; parts: RecomputePart[] } {
  const ids = [...new Set(accountIds)].sort((a, b) => a - b);
  const parts: RecomputePart[] = [];
  for (let start = 0; start < ids.length; start += ACCOUNTS_PER_MESSAGE) {
    parts.push({ account_ids: ids.slice(start, start + ACCOUNTS_PER_MESSAGE), scope });
  }
  return { accountsTotal: ids.length, parts };
}

/** Sends the job's parts as numbered messages, in as few sendBatch calls as its limits allow. */
export async function sendParts(queue: Queue<RecomputeMessage>, jobId: number, parts: readonly RecomputePart[]): Promise<void> {
  let batch: { body: RecomputeMessage }[] = [];
  let batchBytes = 0;
  for (const [chunk, part] of parts.entries()) {
    const message = { body: { ...part, job_id: jobId, chunk } };
    const bytes = JSON.stringify(message.body).length;
    if (batch.length > 0 && (batch.length >= MESSAGES_PER_SEND || batchBytes + bytes > BYTES_PER_SEND)) {
      await queue.sendBatch(batch);
      batch = [];
      batchBytes = 0;
    }
    batch.push(message);
    batchBytes += bytes;
  }
  if (batch.length > 0) await queue.sendBatch(batch);
}
