import { and, eq, lt } from "drizzle-orm";
import type { Database } from "../../lib/types";
import { insightCache } from "../schema";

/**
 * Stored insight answers. One row per scope: a newer answer for the same scope replaces the older one, so the table
 * holds at most one answer per account (plus one per distinct portfolio request), and rows untouched for
 * CACHE_RETENTION_DAYS are dropped whenever an answer is stored.
 */

export const CACHE_RETENTION_DAYS = 30;

/** A row of the cache, its answer typed. */
export type CacheEntry<T> = Omit<typeof insightCache.$inferSelect, "answer"> & { answer: T };

/** What a cache hit gives back. */
export type CachedInsight<T> = Pick<CacheEntry<T>, "answer" | "source" | "model" | "generatedAt">;

/** The answer stored for `scope` when it was computed from the same input; null otherwise. */
export async function findCachedInsight<T>(db: Database, scope: string, inputHash: string): Promise<CachedInsight<T> | null> {
  const row = await db
    .select()
    .from(insightCache)
    .where(and(eq(insightCache.scope, scope), eq(insightCache.inputHash, inputHash)))
    .get();
  if (!row) return null;
  return { answer: row.answer as T, source: row.source, model: row.model, generatedAt: row.generatedAt };
}

export async function storeInsight<T>(db: Database, entry: CacheEntry<T>): Promise<void> {
  const values = {
    scope: entry.scope,
    accountId: entry.accountId,
    inputHash: entry.inputHash,
    source: entry.source,
    model: entry.model,
    answer: entry.answer,
    generatedAt: entry.generatedAt,
  };
  const expired = new Date(Date.parse(entry.generatedAt) - CACHE_RETENTION_DAYS * 86_400_000).toISOString();
  await db.batch([
    db.insert(insightCache).values(values).onConflictDoUpdate({ target: insightCache.scope, set: values }),
    db.delete(insightCache).where(lt(insightCache.generatedAt, expired)),
  ]);
}
