import { env } from "cloudflare:test";
import { createDb } from "../../src/db/client";
import { MARK_REVENUE_FIGURES_STALE } from "../../src/db/queries/revenue";
import type { Database } from "../../src/lib/types";

/**
 * Storage is isolated per test file but shared by the tests inside one file, so tests that need a
 * known state start from an empty database.
 */
export async function resetDatabase(): Promise<void> {
  await env.DB.batch([
    env.DB.prepare("DELETE FROM insight_cache"),
    env.DB.prepare("DELETE FROM figure_cache"),
    env.DB.prepare("DELETE FROM recompute_jobs"),
    env.DB.prepare("DELETE FROM pending_rescores"),
    env.DB.prepare("DELETE FROM health_scores"),
    env.DB.prepare("DELETE FROM account_metrics"),
    env.DB.prepare("DELETE FROM accounts"),
    env.DB.prepare("DELETE FROM portfolio_groups"),
    env.DB.prepare("DELETE FROM book_latest_dates"),
    env.DB.prepare("DELETE FROM renewal_figures"),
    env.DB.prepare("DELETE FROM account_counts"),
    env.DB.prepare("DELETE FROM revenue_figures"),
    env.DB.prepare("DELETE FROM revenue_movers"),
    env.DB.prepare("UPDATE revenue_state SET stale = 1, as_of = NULL"),
    env.DB.prepare("DELETE FROM ingest_runs"),
    env.DB.prepare("DELETE FROM scoring_config"),
    env.DB.prepare("DELETE FROM webhook_deliveries"),
    env.DB.prepare("DELETE FROM webhooks"),
    env.DB.prepare("DELETE FROM webhook_cursor"),
    env.DB.prepare("DELETE FROM health_events"),
    env.DB.prepare("DELETE FROM measures"),
    env.DB.prepare("DELETE FROM account_aliases"),
    env.DB.prepare("DELETE FROM audit_records"),
    // Model 1 comes with the migrations, active; the models a test created go.
    env.DB.prepare("DELETE FROM health_models WHERE id <> 1"),
    env.DB.prepare("UPDATE health_models SET status = 'active', activated_at = coalesce(activated_at, created_at) WHERE id = 1"),
  ]);
}

/**
 * A test that writes accounts or metrics with SQL of its own marks the revenue statement's kept figures stale, as
 * every metric batch of an upload does, so the revenue reads compute from what the test wrote.
 */
export async function markRevenueStale(): Promise<void> {
  await testDb().run(MARK_REVENUE_FIGURES_STALE);
}

/** The drizzle client over the test's local D1, as the app's middleware builds it. */
export function testDb(): Database {
  return createDb(env.DB);
}
