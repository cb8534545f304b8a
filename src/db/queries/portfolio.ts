import { currentFingerprintSql } from "./health-models";
import { sql } from "drizzle-orm";
import type { GroupTotals, PortfolioTotals, RegionTotals, SegmentTotals } from "../../domain/portfolio";
import type { Bucket, EngagementTrend, Segment } from "../../domain/types";
import { PENDING_ACCOUNT_IDS } from "./stale-marks";
import type { Database } from "../../lib/types";
import type { Account } from "../../contract/accounts";
import { LOWEST_ACCOUNTS_LIMIT, type AccountBrief } from "../../contract/portfolio";
import { runBatch } from "../batch";
import { BOOK_LATEST_DATE } from "./book-figures";
import { LOW_SCORE_INDEX_BELOW } from "../schema";

// The lowest accounts are read straight into the summary's AccountBrief shape (a few columns, no further mapping).

/**
 * Portfolio aggregates: the figures per segment, region, bucket and 30-day engagement trend (at most 3 × regions × 4 × 4
 * groups) that every write keeps (book-figures.ts), which this module folds into the totals and the per-segment and
 * per-region figures.
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
 * Counted without a scan of the book: the marked accounts from accounts_stale_idx, the pending ones not marked by
 * their ids, and the accounts with metrics from the kept book_latest_dates.
 */
export async function countStaleAccounts(db: Database, healthFingerprint: string): Promise<number> {
  const row = await db.get<{ stale: number }>(sql`
    SELECT CASE WHEN EXISTS (SELECT 1 FROM scoring_config WHERE id = 1 AND fingerprint = ${currentFingerprintSql(healthFingerprint)})
                THEN (SELECT count(*) FROM accounts INDEXED BY accounts_stale_idx WHERE scores_stale_from IS NOT NULL)
                   + (SELECT count(*) FROM accounts WHERE id IN (${PENDING_ACCOUNT_IDS}) AND scores_stale_from IS NULL)
                ELSE (SELECT coalesce(sum(accounts), 0) FROM book_latest_dates) END AS stale`);
  return row?.stale ?? 0;
}

/**
 * The groups' figures as the rescore and the uploads keep them (book-figures.ts): a few rows, whatever the size of
 * the book. Sums stay whole cents and tenths until every group is added (foldGroups), so no order of addition rounds.
 */
const GROUPS = sql`
SELECT segment, region, nullif(health_bucket, '') AS health_bucket, nullif(engagement_trend_30d, '') AS engagement_trend_30d,
       accounts, arr_cents, scored_accounts, score_tenths, arr_change_30d_cents, arr_change_90d_cents
FROM portfolio_groups
WHERE accounts > 0`;


/**
 * The lowest scored accounts; ties on the score show the bigger account first: it is the one to look at. Read from
 * accounts_low_score_idx in score order (a tie's few rows sorted by ARR); only when fewer than the limit score under
 * its bound does the second part sort the rest of the book. Its LIMIT is the guard: a LIMIT is evaluated once, before
 * the loop, and a LIMIT of 0 skips the loop (a guard in the WHERE clause would be tested on every row of a scan).
 */
const LOWEST = sql.raw(`
SELECT id, account_name, health_score, health_bucket, arr FROM (
  SELECT * FROM (
    SELECT id, account_name, health_score, health_bucket, arr FROM accounts INDEXED BY accounts_low_score_idx
    WHERE health_score < ${LOW_SCORE_INDEX_BELOW}
    ORDER BY health_score ASC, arr DESC, id ASC LIMIT ${LOWEST_ACCOUNTS_LIMIT})
  UNION ALL
  SELECT * FROM (
    SELECT id, account_name, health_score, health_bucket, arr FROM accounts
    WHERE health_score >= ${LOW_SCORE_INDEX_BELOW}
    ORDER BY health_score ASC, arr DESC, id ASC
    LIMIT (CASE WHEN (SELECT count(*) FROM (SELECT 1 FROM accounts WHERE health_score < ${LOW_SCORE_INDEX_BELOW}
                                             LIMIT ${LOWEST_ACCOUNTS_LIMIT})) < ${LOWEST_ACCOUNTS_LIMIT}
                THEN ${LOWEST_ACCOUNTS_LIMIT} ELSE 0 END)))
ORDER BY health_score ASC, arr DESC, id ASC
LIMIT ${LOWEST_ACCOUNTS_LIMIT}`);

/** One group: its key columns, then its figures (money in whole cents, scores in tenths). */
export type GroupRow = Pick<Account, "segment" | "region" | "health_bucket"> & {
  engagement_trend_30d: EngagementTrend | null;
  accounts: number;
  arr_cents: number;
  scored_accounts: number;
  score_tenths: number;
  arr_change_30d_cents: number;
  arr_change_90d_cents: number;
};

function emptyGroup(): GroupTotals {
  return { accounts: 0, arr: 0, scoredAccounts: 0, scoreSum: 0 };
}

/** Adds a group's figures to `group`, whose arr and scoreSum hold cents and tenths until inUnits. */
function addTo(group: GroupTotals, row: GroupRow): void {
  group.accounts += row.accounts;
  group.arr += row.arr_cents;
  group.scoredAccounts += row.scored_accounts;
  group.scoreSum += row.score_tenths;
}

function inUnits<T extends GroupTotals>(group: T): T {
  return { ...group, arr: group.arr / 100, scoreSum: group.scoreSum / 10 };
}

/**
 * Folds the grouped rows into the totals and the per-segment and per-region figures (regions by name), adding whole
 * cents and tenths (exact in any order) and dividing once at the end.
 */
export function foldGroups(rows: readonly GroupRow[], asOfDate: string | null): Omit<PortfolioAggregates, "lowestAccounts"> {
  const totals: PortfolioTotals = {
    ...emptyGroup(),
    accountsByBucket: { Healthy: 0, "At-Risk": 0, Critical: 0 },
    arrByBucket: { Healthy: 0, "At-Risk": 0, Critical: 0 },
    arrChange30d: 0,
    arrChange90d: 0,
    engagement: { improving: 0, stable: 0, declining: 0 },
    asOfDate,
  };
  const segments = new Map<Segment, GroupTotals>();
  const regions = new Map<string, GroupTotals>();
  for (const row of rows) {
    addTo(totals, row);
    if (row.health_bucket) {
      totals.accountsByBucket[row.health_bucket] += row.accounts;
      totals.arrByBucket[row.health_bucket] += row.arr_cents;
    }
    if (row.engagement_trend_30d) totals.engagement[row.engagement_trend_30d] += row.accounts;
    totals.arrChange30d += row.arr_change_30d_cents;
    totals.arrChange90d += row.arr_change_90d_cents;
    const segment = segments.get(row.segment) ?? emptyGroup();
    addTo(segment, row);
    segments.set(row.segment, segment);
    const region = regions.get(row.region) ?? emptyGroup();
    addTo(region, row);
    regions.set(row.region, region);
  }
  const byBucket = (cents: Record<Bucket, number>) =>
    Object.fromEntries(Object.entries(cents).map(([bucket, value]) => [bucket, value / 100])) as Record<Bucket, number>;
  // SQLite's `ORDER BY region COLLATE NOCASE, region`: ASCII letters folded, then the exact text.
  const foldAscii = (text: string) => text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
  const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const byName = (a: string, b: string) => compareText(foldAscii(a), foldAscii(b)) || compareText(a, b);
  return {
    totals: {
      ...inUnits(totals),
      arrByBucket: byBucket(totals.arrByBucket),
      arrChange30d: totals.arrChange30d / 100,
      arrChange90d: totals.arrChange90d / 100,
    },
    segments: [...segments.entries()].map(([segment, group]) => ({ segment, ...inUnits(group) })),
    regions: [...regions.keys()].sort(byName).map((region) => ({ region, ...inUnits(regions.get(region) as GroupTotals) })),
  };
}

/** Every aggregate of the portfolio summary, read in one batch (one consistent snapshot). */
export async function getPortfolioAggregates(db: Database): Promise<PortfolioAggregates> {
  const [groups, asOf, lowest] = await runBatch(db, [
    db.all<GroupRow>(GROUPS),
    db.get<{ as_of: string } | undefined>(BOOK_LATEST_DATE),
    db.all<AccountBrief>(LOWEST),
  ]);
  return { ...foldGroups(groups, asOf?.as_of ?? null), lowestAccounts: lowest };
}
