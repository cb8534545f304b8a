import { currentFingerprintSql } from "./health-models";
import { sql } from "drizzle-orm";
import type { GroupTotals, PortfolioTotals, RegionTotals, SegmentTotals } from "../../domain/portfolio";
import type { EngagementTrend, Segment } from "../../domain/types";
import { PENDING_ACCOUNT_IDS } from "./stale-marks";
import type { Database } from "../../lib/types";
import type { Account } from "../../contract/accounts";
import { LOWEST_ACCOUNTS_LIMIT, type AccountBrief } from "../../contract/portfolio";
import { runBatch } from "../batch";

// The lowest accounts are read straight into the summary's AccountBrief shape (a few columns, no further mapping).

/**
 * Portfolio aggregates, summed in D1 in ONE pass over the accounts table (no covering index: the daily rescore rewrites
 * the score, ARR and trend columns it would hold, and D1 bills every index entry written): a GROUP BY of segment,
 * region, bucket and 30-day engagement trend (at most 3 × regions × 4 × 4 groups), which this module folds into the
 * totals and the per-segment and per-region figures. `total()` rather than `sum()`, so empty groups add up to 0.
 */


export interface PortfolioAggregates {
  totals: PortfolioTotals;
  segments: SegmentTotals[];
  regions: RegionTotals[];
  lowestAccounts: AccountBrief[];
}

/**
 * Accounts whose scores are behind their metrics: the ones marked stale or waiting in an upload's pending rescores, or
 * every account with metrics when the stored scores follow another health configuration than `healthFingerprint`.
 */
export async function countStaleAccounts(db: Database, healthFingerprint: string): Promise<number> {
  const row = await db.get<{ stale: number }>(sql`
    SELECT CASE WHEN EXISTS (SELECT 1 FROM scoring_config WHERE id = 1 AND fingerprint = ${currentFingerprintSql(healthFingerprint)})
                THEN (SELECT count(*) FROM accounts
                      WHERE scores_stale_from IS NOT NULL OR id IN (${PENDING_ACCOUNT_IDS}))
                ELSE (SELECT count(*) FROM accounts WHERE latest_metric_date IS NOT NULL) END AS stale`);
  return row?.stale ?? 0;
}

const GROUPS = sql`
SELECT segment, region, health_bucket, engagement_trend_30d,
       count(*) AS accounts, total(arr) AS arr, count(health_score) AS scored_accounts, total(health_score) AS score_sum,
       total(arr_change_30d) AS arr_change_30d, total(arr_change_90d) AS arr_change_90d,
       max(latest_metric_date) AS as_of_date
FROM accounts
GROUP BY segment, region, health_bucket, engagement_trend_30d`;

/**
 * Ties on the score show the bigger account first: it is the one to look at. One pass over the accounts that keeps the
 * five lowest as it goes (SQLite's sorter with a LIMIT holds only those), as no index holds the score.
 */
const LOWEST = sql`
SELECT id, account_name, health_score, health_bucket, arr
FROM accounts
WHERE health_score IS NOT NULL
ORDER BY health_score ASC, arr DESC, id ASC
LIMIT ${sql.raw(String(LOWEST_ACCOUNTS_LIMIT))}`;

/** One group: its key columns, then its figures. */
type GroupRow = Pick<Account, "segment" | "region" | "health_bucket"> & {
  engagement_trend_30d: EngagementTrend | null;
  accounts: number;
  arr: number;
  scored_accounts: number;
  score_sum: number;
  arr_change_30d: number;
  arr_change_90d: number;
  as_of_date: string | null;
};

function emptyGroup(): GroupTotals {
  return { accounts: 0, arr: 0, scoredAccounts: 0, scoreSum: 0 };
}

function addTo(group: GroupTotals, row: GroupRow): void {
  group.accounts += row.accounts;
  group.arr += row.arr;
  group.scoredAccounts += row.scored_accounts;
  group.scoreSum += row.score_sum;
}

/** Folds the grouped rows into the totals and the per-segment and per-region figures (regions by name). */
export function foldGroups(rows: readonly GroupRow[]): Omit<PortfolioAggregates, "lowestAccounts"> {
  const totals: PortfolioTotals = {
    ...emptyGroup(),
    accountsByBucket: { Healthy: 0, "At-Risk": 0, Critical: 0 },
    arrByBucket: { Healthy: 0, "At-Risk": 0, Critical: 0 },
    arrChange30d: 0,
    arrChange90d: 0,
    engagement: { improving: 0, stable: 0, declining: 0 },
    asOfDate: null,
  };
  const segments = new Map<Segment, GroupTotals>();
  const regions = new Map<string, GroupTotals>();
  for (const row of rows) {
    addTo(totals, row);
    if (row.health_bucket) {
      totals.accountsByBucket[row.health_bucket] += row.accounts;
      totals.arrByBucket[row.health_bucket] += row.arr;
    }
    if (row.engagement_trend_30d) totals.engagement[row.engagement_trend_30d] += row.accounts;
    totals.arrChange30d += row.arr_change_30d;
    totals.arrChange90d += row.arr_change_90d;
    if (row.as_of_date && (!totals.asOfDate || row.as_of_date > totals.asOfDate)) totals.asOfDate = row.as_of_date;
    const segment = segments.get(row.segment) ?? emptyGroup();
    addTo(segment, row);
    segments.set(row.segment, segment);
    const region = regions.get(row.region) ?? emptyGroup();
    addTo(region, row);
    regions.set(row.region, region);
  }
  // SQLite's `ORDER BY region COLLATE NOCASE, region`: ASCII letters folded, then the exact text.
  const foldAscii = (text: string) => text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
  const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const byName = (a: string, b: string) => compareText(foldAscii(a), foldAscii(b)) || compareText(a, b);
  return {
    totals,
    segments: [...segments.entries()].map(([segment, group]) => ({ segment, ...group })),
    regions: [...regions.keys()].sort(byName).map((region) => ({ region, ...(regions.get(region) as GroupTotals) })),
  };
}

/** Every aggregate of the portfolio summary, read in one batch (one consistent snapshot). */
export async function getPortfolioAggregates(db: Database): Promise<PortfolioAggregates> {
  const [groups, lowest] = await runBatch(db, [db.all<GroupRow>(GROUPS), db.all<AccountBrief>(LOWEST)]);
  return { ...foldGroups(groups), lowestAccounts: lowest };
}
