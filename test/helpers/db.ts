import { env } from "cloudflare:test";

/**
 * Storage is isolated per test file but shared by the tests inside one file, so tests that need a
 * known state start from an empty database.
 */
export async function resetDatabase(): Promise<void> {
  await env.DB.batch([
    env.DB.prepare("DELETE FROM insight_cache"),
    env.DB.prepare("DELETE FROM recompute_jobs"),
    env.DB.prepare("DELETE FROM account_health"),
    env.DB.prepare("DELETE FROM health_scores"),
    env.DB.prepare("DELETE FROM account_metrics"),
    env.DB.prepare("DELETE FROM accounts"),
    env.DB.prepare("DELETE FROM ingest_runs"),
  ]);
}
