import { countStaleAccounts, getPortfolioAggregates } from "../db/queries/portfolio";
import { summarisePortfolio } from "../domain/portfolio";
import { healthConfigFingerprint, type HealthConfig } from "../domain/health";
import type { Database } from "../lib/types";
import type { PortfolioSummary } from "../contract/portfolio";
import { summariseRenewals } from "./renewals";

/** GET /portfolio/summary: the aggregates D1 sums, turned into the figures by the pure rules. */
export async function getPortfolioSummary(db: Database, health: HealthConfig): Promise<PortfolioSummary> {
  const [aggregates, staleAccounts, renewals] = await Promise.all([
    getPortfolioAggregates(db),
    countStaleAccounts(db, healthConfigFingerprint(health)),
    summariseRenewals(db),
  ]);
  const figures = summarisePortfolio(aggregates.totals, aggregates.segments, aggregates.regions);
  return {
    ...figures,
    lowest_accounts: aggregates.lowestAccounts,
    stale_accounts: staleAccounts,
    renewals_next_90_days: renewals,
  };
}
