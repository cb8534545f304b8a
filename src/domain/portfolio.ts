import { roundTo } from "./health";
import type { PortfolioAccount } from "./recommend-portfolio";
import { BUCKETS, SEGMENTS, type Bucket, type Segment } from "./types";

/**
 * Portfolio statistics from aggregates that SQL has already summed: this module only divides, rounds and fills
 * in the keys a client relies on (every bucket, every segment), so an empty or all-zero portfolio is well defined.
 */

export interface GroupTotals {
  accounts: number;
  arr: number;
  scoredAccounts: number;
  /** Sum of the current scores of the scored accounts. */
  scoreSum: number;
}

export interface PortfolioTotals extends GroupTotals {
  accountsByBucket: Record<Bucket, number>;
  arrByBucket: Record<Bucket, number>;
  /** Sums of each account's stored trend `arr_change` (accounts without that trend add nothing). */
  arrChange30d: number;
  arrChange90d: number;
  /** Accounts by `trend_30d.engagement_trend`. */
  engagement: { improving: number; stable: number; declining: number };
  /** The latest metric date of any account; null when no account has metrics. */
  asOfDate: string | null;
}

export type SegmentTotals = GroupTotals & { segment: Segment };
export type RegionTotals = GroupTotals & { region: string };

export interface GroupSummary {
  accounts: number;
  arr: number;
  avg_health_score: number | null;
}

export interface PortfolioFigures {
  total_accounts: number;
  total_arr: number;
  arr_by_bucket: Record<Bucket, number>;
  /** Percent of scored accounts per bucket. */
  risk_breakdown: Record<Bucket, number>;
  arr_trend_30d: number;
  arr_trend_90d: number;
  avg_health_score: number;
  accounts_by_segment: Record<Segment, number>;
  arr_trend_30d_percent: number | null;
  arr_trend_90d_percent: number | null;
  arr_at_risk: number;
  accounts_by_bucket: Record<Bucket, number>;
  scored_accounts: number;
  unscored_accounts: number;
  by_segment: (GroupSummary & { segment: Segment })[];
  by_region: (GroupSummary & { region: string })[];
  trend_counts: { improving: number; stable: number; declining: number; unknown: number };
  as_of_date: string | null;
}

/** The /portfolio/summary figures an insight is grounded in, plus the accounts most at risk. */
export type PortfolioSnapshot = Pick<
  PortfolioFigures,
  | "total_accounts"
  | "total_arr"
  | "arr_by_bucket"
  | "risk_breakdown"
  | "avg_health_score"
  | "arr_at_risk"
  | "arr_trend_30d"
  | "arr_trend_90d"
  | "by_segment"
  | "by_region"
  | "trend_counts"
  | "as_of_date"
> & {
  /** How many accounts are At-Risk or Critical in the whole portfolio. */
  at_risk_accounts: number;
  /**
   * At-Risk and Critical accounts with their risk factors, the biggest ARR first (see prioritiseAccounts); the biggest
   * ones only when the portfolio holds more than the service loads (then shorter than `at_risk_accounts`).
   */
  accounts_at_risk: PortfolioAccount[];
  /** Healthy accounts whose factors include the positive signal (healthy and growing), biggest ARR first. */
  growing_accounts?: PortfolioAccount[];
};

const money = (value: number) => roundTo(value, 2);

/** Mean score of the scored accounts (one decimal); null when none is scored. */
export function averageScore(group: Pick<GroupTotals, "scoredAccounts" | "scoreSum">): number | null {
  return group.scoredAccounts > 0 ? roundTo(group.scoreSum / group.scoredAccounts, 1) : null;
}

/** `part` as a percentage of `whole`, one decimal; 0 when the whole is empty. */
export function percentOf(part: number, whole: number): number {
  return whole > 0 ? roundTo((part / whole) * 100, 1) : 0;
}

/**
 * The change as a percentage of the value before it (`current − change`), two decimals. 0 when nothing changed;
 * null when the earlier value was zero or less and something changed (growth from nothing has no percentage).
 */
export function percentChange(current: number, change: number): number | null {
  if (change === 0) return 0;
  const before = money(current - change);
  if (before <= 0) return null;
  return roundTo((change / before) * 100, 2);
}

function groupSummary(group: GroupTotals): GroupSummary {
  return { accounts: group.accounts, arr: money(group.arr), avg_health_score: averageScore(group) };
}

function perBucket(value: (bucket: Bucket) => number): Record<Bucket, number> {
  return Object.fromEntries(BUCKETS.map((bucket) => [bucket, value(bucket)])) as Record<Bucket, number>;
}

/** Segments missing from `segments` appear with zero accounts, in the order of SEGMENTS. */
export function summarisePortfolio(
  totals: PortfolioTotals,
  segments: readonly SegmentTotals[],
  regions: readonly RegionTotals[],
): PortfolioFigures {
  const empty: GroupTotals = { accounts: 0, arr: 0, scoredAccounts: 0, scoreSum: 0 };
  const bySegment = SEGMENTS.map((segment) => ({
    segment,
    ...groupSummary(segments.find((group) => group.segment === segment) ?? empty),
  }));
  const { improving, stable, declining } = totals.engagement;
  return {
    total_accounts: totals.accounts,
    total_arr: money(totals.arr),
    arr_by_bucket: perBucket((bucket) => money(totals.arrByBucket[bucket])),
    risk_breakdown: perBucket((bucket) => percentOf(totals.accountsByBucket[bucket], totals.scoredAccounts)),
    arr_trend_30d: money(totals.arrChange30d),
    arr_trend_90d: money(totals.arrChange90d),
    avg_health_score: averageScore(totals) ?? 0,
    accounts_by_segment: Object.fromEntries(bySegment.map((group) => [group.segment, group.accounts])) as Record<
      Segment,
      number
    >,
    arr_trend_30d_percent: percentChange(totals.arr, totals.arrChange30d),
    arr_trend_90d_percent: percentChange(totals.arr, totals.arrChange90d),
    arr_at_risk: money(totals.arrByBucket["At-Risk"] + totals.arrByBucket.Critical),
    accounts_by_bucket: { ...totals.accountsByBucket },
    scored_accounts: totals.scoredAccounts,
    unscored_accounts: totals.accounts - totals.scoredAccounts,
    by_segment: bySegment,
    by_region: regions.map((group) => ({ region: group.region, ...groupSummary(group) })),
    trend_counts: {
      improving,
      stable,
      declining,
      unknown: Math.max(0, totals.accounts - improving - stable - declining),
    },
    as_of_date: totals.asOfDate,
  };
}
