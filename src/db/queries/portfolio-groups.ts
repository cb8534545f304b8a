import { sql, type SQL } from "drizzle-orm";

/*
 * The book's figures kept as it changes (portfolio_groups and book_latest_dates, see the schema), so the portfolio
 * summary reads a few rows instead of every account. Each write that changes an account's group or figures keeps them
 * in its own atomic batch: the rescore takes its accounts' shares away before updating them and adds the new ones
 * after (removeShares, addShares); an upload batch applies the net change of the accounts it creates or moves to
 * another segment or region (uploadedAccountShares). Sums are integers (cents, tenths), so the shares cancel exactly
 * and the figures always equal the same sums computed from scratch (a property test replays random histories).
 */

/** Money in whole cents, as the figures sum it. */
export const centsSql = (value: string) => `CAST(round(${value} * 100) AS INTEGER)`;
/** A score (one decimal) in whole tenths. */
export const tenthsSql = (value: string) => `CAST(round(${value} * 10) AS INTEGER)`;

const GROUP_COLUMNS = `segment, region, health_bucket, engagement_trend_30d, accounts, arr_cents, scored_accounts,
  score_tenths, arr_change_30d_cents, arr_change_90d_cents`;

/**
 * One account's share of its group (the account row `a`), as portfolio_groups' columns, `sign` times; `key` puts it in
 * another segment and region than the row's (where an upload moves it).
 */
function shareColumns(sign: 1 | -1, key = { segment: "a.segment", region: "a.region" }): string {
  return `${key.segment} AS segment, ${key.region} AS region, coalesce(a.health_bucket, '') AS health_bucket,
    coalesce(a.engagement_trend_30d, '') AS engagement_trend_30d, ${sign} AS accounts,
    ${sign} * ${centsSql("a.arr")} AS arr_cents, ${sign} * (a.health_score IS NOT NULL) AS scored_accounts,
    ${sign} * coalesce(${tenthsSql("a.health_score")}, 0) AS score_tenths,
    ${sign} * coalesce(${centsSql("a.arr_change_30d")}, 0) AS arr_change_30d_cents,
    ${sign} * coalesce(${centsSql("a.arr_change_90d")}, 0) AS arr_change_90d_cents`;
}

/**
 * Adds the shares (`shares`: rows of portfolio_groups' columns, one per account and sign) to their groups, one row
 * written per group whose sums move: shares that cancel (an account whose rescore changed none of its figures) write
 * nothing.
 */
function addToGroups(shares: SQL): SQL {
  return sql`
WITH shares AS (${shares})
INSERT INTO portfolio_groups (${sql.raw(GROUP_COLUMNS)})
SELECT * FROM (
  SELECT segment, region, health_bucket, engagement_trend_30d, sum(accounts) AS accounts, sum(arr_cents) AS arr_cents,
         sum(scored_accounts) AS scored_accounts, sum(score_tenths) AS score_tenths,
         sum(arr_change_30d_cents) AS arr_change_30d_cents, sum(arr_change_90d_cents) AS arr_change_90d_cents
  FROM shares
  GROUP BY segment, region, health_bucket, engagement_trend_30d)
WHERE accounts <> 0 OR arr_cents <> 0 OR scored_accounts <> 0 OR score_tenths <> 0 OR arr_change_30d_cents <> 0
   OR arr_change_90d_cents <> 0
ON CONFLICT (segment, region, health_bucket, engagement_trend_30d) DO UPDATE
SET accounts = accounts + excluded.accounts, arr_cents = arr_cents + excluded.arr_cents,
    scored_accounts = scored_accounts + excluded.scored_accounts, score_tenths = score_tenths + excluded.score_tenths,
    arr_change_30d_cents = arr_change_30d_cents + excluded.arr_change_30d_cents,
    arr_change_90d_cents = arr_change_90d_cents + excluded.arr_change_90d_cents`;
}

/** Adds the counts (`counts`: rows of date, accounts) to book_latest_dates, one row written per date whose count moves. */
function addToLatestDates(counts: SQL): SQL {
  return sql`
WITH counts AS (${counts})
INSERT INTO book_latest_dates (date, accounts)
SELECT * FROM (SELECT date, sum(accounts) AS accounts FROM counts WHERE date IS NOT NULL GROUP BY date)
WHERE accounts <> 0
ON CONFLICT (date) DO UPDATE SET accounts = accounts + excluded.accounts`;
}

/** The statements that add the shares of the accounts `ids` (JSON), `sign` times, to the figures. */
function sharesOf(ids: string, sign: 1 | -1): [SQL, SQL] {
  const accounts = sql`json_each(${ids}) AS c JOIN accounts AS a ON a.id = c.value`;
  return [
    addToGroups(sql`SELECT ${sql.raw(shareColumns(sign))} FROM ${accounts}`),
    addToLatestDates(sql`SELECT a.latest_metric_date AS date, ${sql.raw(String(sign))} AS accounts FROM ${accounts}`),
  ];
}

/** Takes the shares of the accounts `ids` (JSON) out of the figures: before a statement that rewrites their rows. */
export function removeShares(ids: string): [SQL, SQL] {
  return sharesOf(ids, -1);
}

/** Adds the shares of the accounts `ids` (JSON) to the figures: after that statement, in the same batch. */
export function addShares(ids: string): [SQL, SQL] {
  return sharesOf(ids, 1);
}

/**
 * The change an upload batch's account upsert (metric-batches.ts) makes to the figures, run just before it: each new
 * account (a name not stored yet) joins its segment and region's group, unscored, with its ARR and latest date; each
 * account the upsert moves (`moves`: the upsert's own condition, on the stored row `a` and the batch's tuple `j`)
 * takes its figures from its group to the new segment and region's. Other accounts write nothing.
 */
export function uploadedAccountShares(accountsJson: string, moves: SQL): [SQL, SQL] {
  // The batch's tuples once (the JSON is parsed once, not per reference), as `j.value` like json_each's.
  const tuples = sql`tuples AS MATERIALIZED (SELECT value FROM json_each(${accountsJson}))`;
  const created = sql`tuples AS j WHERE NOT EXISTS (SELECT 1 FROM accounts AS a WHERE a.account_name = j.value ->> 0)`;
  const moved = sql`tuples AS j JOIN accounts AS a ON a.account_name = j.value ->> 0 WHERE ${moves}`;
  const newKey = { segment: "j.value ->> 1", region: "j.value ->> 2" };
  return [
    addToGroups(sql`
      WITH ${tuples}
      SELECT j.value ->> 1 AS segment, j.value ->> 2 AS region, '' AS health_bucket, '' AS engagement_trend_30d,
             1 AS accounts, ${sql.raw(centsSql("(j.value ->> 3)"))} AS arr_cents, 0 AS scored_accounts, 0 AS score_tenths,
             0 AS arr_change_30d_cents, 0 AS arr_change_90d_cents
      FROM ${created}
      UNION ALL SELECT ${sql.raw(shareColumns(-1))} FROM ${moved}
      UNION ALL SELECT ${sql.raw(shareColumns(1, newKey))} FROM ${moved}`),
    addToLatestDates(sql`WITH ${tuples} SELECT j.value ->> 4 AS date, 1 AS accounts FROM ${created}`),
  ];
}
