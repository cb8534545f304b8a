import type { PortfolioTotals, RegionTotals, SegmentTotals } from "../../domain/portfolio";
import type { Bucket, Segment } from "../../domain/types";

/**
 * Portfolio aggregates, summed in D1 over the accounts' current health and stored trends. `total()` rather than
 * `sum()`, so an empty table adds up to 0 instead of NULL.
 */

export const LOWEST_ACCOUNTS_LIMIT = 5;

export interface LowestAccount {
  id: number;
  account_name: string;
  health_score: number;
  health_bucket: Bucket;
  arr: number;
}

export interface PortfolioAggregates {
  totals: PortfolioTotals;
  segments: SegmentTotals[];
  regions: RegionTotals[];
  lowestAccounts: LowestAccount[];
}

const TOTALS_SQL = `
SELECT count(*) AS accounts,
       total(arr) AS arr,
       count(health_score) AS scored_accounts,
       total(health_score) AS score_sum,
       count(CASE WHEN health_bucket = 'Healthy' THEN 1 END) AS healthy_accounts,
       count(CASE WHEN health_bucket = 'At-Risk' THEN 1 END) AS at_risk_accounts,
       count(CASE WHEN health_bucket = 'Critical' THEN 1 END) AS critical_accounts,
       total(CASE WHEN health_bucket = 'Healthy' THEN arr END) AS healthy_arr,
       total(CASE WHEN health_bucket = 'At-Risk' THEN arr END) AS at_risk_arr,
       total(CASE WHEN health_bucket = 'Critical' THEN arr END) AS critical_arr,
       total(json_extract(trend_30d, '$.arr_change')) AS arr_change_30d,
       total(json_extract(trend_90d, '$.arr_change')) AS arr_change_90d,
       count(CASE WHEN json_extract(trend_30d, '$.engagement_trend') = 'improving' THEN 1 END) AS improving,
       count(CASE WHEN json_extract(trend_30d, '$.engagement_trend') = 'stable' THEN 1 END) AS stable,
       count(CASE WHEN json_extract(trend_30d, '$.engagement_trend') = 'declining' THEN 1 END) AS declining,
       max(latest_metric_date) AS as_of_date
FROM accounts`;

const GROUP_COLUMNS = `count(a.id) AS accounts, total(a.arr) AS arr, count(a.health_score) AS scored_accounts,
       total(a.health_score) AS score_sum`;

const SEGMENTS_SQL = `
SELECT a.segment, ${GROUP_COLUMNS}
FROM accounts AS a
GROUP BY a.segment`;

const REGIONS_SQL = `
SELECT a.region, ${GROUP_COLUMNS}
FROM accounts AS a
GROUP BY a.region
ORDER BY a.region COLLATE NOCASE, a.region`;

/** Ties on the score show the bigger account first: it is the one to look at. */
const LOWEST_SQL = `
SELECT id, account_name, health_score, health_bucket, arr
FROM accounts
WHERE health_score IS NOT NULL
ORDER BY health_score ASC, arr DESC, id ASC
LIMIT ${LOWEST_ACCOUNTS_LIMIT}`;

interface TotalsRow {
  accounts: number;
  arr: number;
  scored_accounts: number;
  score_sum: number;
  healthy_accounts: number;
  at_risk_accounts: number;
  critical_accounts: number;
  healthy_arr: number;
  at_risk_arr: number;
  critical_arr: number;
  arr_change_30d: number;
  arr_change_90d: number;
  improving: number;
  stable: number;
  declining: number;
  as_of_date: string | null;
}

interface GroupRow {
  accounts: number;
  arr: number;
  scored_accounts: number;
  score_sum: number;
}

function groupTotals(row: GroupRow) {
  return { accounts: row.accounts, arr: row.arr, scoredAccounts: row.scored_accounts, scoreSum: row.score_sum };
}

function toTotals(row: TotalsRow): PortfolioTotals {
  return {
    ...groupTotals(row),
    accountsByBucket: { Healthy: row.healthy_accounts, "At-Risk": row.at_risk_accounts, Critical: row.critical_accounts },
    arrByBucket: { Healthy: row.healthy_arr, "At-Risk": row.at_risk_arr, Critical: row.critical_arr },
    arrChange30d: row.arr_change_30d,
    arrChange90d: row.arr_change_90d,
    engagement: { improving: row.improving, stable: row.stable, declining: row.declining },
    asOfDate: row.as_of_date,
  };
}

/** Every aggregate of the portfolio summary, read in one batch (one consistent snapshot). */
export async function getPortfolioAggregates(d1: D1Database): Promise<PortfolioAggregates> {
  const [totals, segments, regions, lowest] = await d1.batch([
    d1.prepare(TOTALS_SQL),
    d1.prepare(SEGMENTS_SQL),
    d1.prepare(REGIONS_SQL),
    d1.prepare(LOWEST_SQL),
  ]);
  const totalsRow = totals?.results[0] as TotalsRow | undefined;
  if (!totalsRow) throw new Error("The portfolio totals query returned no row");
  return {
    totals: toTotals(totalsRow),
    segments: ((segments?.results ?? []) as (GroupRow & { segment: Segment })[]).map((row) => ({
      segment: row.segment,
      ...groupTotals(row),
    })),
    regions: ((regions?.results ?? []) as (GroupRow & { region: string })[]).map((row) => ({
      region: row.region,
      ...groupTotals(row),
    })),
    lowestAccounts: (lowest?.results ?? []) as LowestAccount[],
  };
}
