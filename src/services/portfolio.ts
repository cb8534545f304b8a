import { getPortfolioAggregates } from "../db/queries/portfolio";
import { summarisePortfolio } from "../domain/portfolio";
import type { Database } from "../lib/types";
import type { PortfolioSummary } from "../routes/portfolio/portfolio.schemas";

/** GET /portfolio/summary: the aggregates D1 sums, turned into the figures by the pure rules. */
export async function getPortfolioSummary(db: Database): Promise<PortfolioSummary> {
  const aggregates = await getPortfolioAggregates(db);
  const figures = summarisePortfolio(aggregates.totals, aggregates.segments, aggregates.regions);
  return { ...figures, lowest_accounts: aggregates.lowestAccounts };
}
