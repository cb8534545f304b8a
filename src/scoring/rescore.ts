import {
  AT_RISK_MIN_SCORE,
  COMPONENT_POINTS,
  HEALTHY_MIN_SCORE,
  NPS_CARRY_DAYS,
  POINTS_WITHOUT_NPS,
} from "../domain/health";
import { DEFAULT_ALERT_SCORE_DROP } from "../domain/events";
import { ENGAGEMENT_CHANGE_THRESHOLD, TREND_PERIODS } from "../domain/trend";
import { sql, type SQL } from "drizzle-orm";
import type { HealthConfig } from "../domain/health";
import { runBatch } from "../db/batch";
import type { Database } from "../lib/types";
import type { ChangedRange } from "../db/queries/metric-batches";
import { BUMP_DATA_VERSION } from "../db/queries/data-version";
import { deletePendingRescoresSql } from "../db/queries/pending-rescores";

/**
 * `all`: every date of each account. `stale`: only the accounts marked stale (accounts.scores_stale_from), and of
 * those only the dates their changes can reach (see rescoreReachDays).
 */
export type RescoreScope = "all" | "stale";

export interface RecomputeOptions {
  /** Rescore only these accounts (e.g. the stale ones an upload sees); all accounts when absent. */
  accountIds?: readonly number[];
  /** Rescore only the accounts whose id is in [first, last] (a chunk of a queued job). */
  idRange?: { first: number; last: number };
  /** `all` when absent. */
  scope?: RescoreScope;
  /**
   * Scope `stale`: dates to rescore besides the stale marks, per account (an upload's changes, which it records as
   * pending rescores rather than as marks on every account).
   */
  changedRanges?: readonly ChangedRange[];
  /** `health.score_dropped` when the 30-day change falls to −this or below (ALERT_SCORE_DROP); 10 when absent. */
  alertScoreDrop?: number;
  /** The upload whose changed ranges these are: its pending rescores are deleted with the last chunk. */
  settlesRunId?: number;
}

export interface RecomputeResult {
  /** Accounts whose current health, components and trends were rewritten (each rescored account). */
  accountsUpdated: number;
  /** Rows of `health_scores` inserted or rewritten (one per account and metric date). */
  scoresWritten: number;
  /** D1 rows written by every statement (`meta.rows_written`, what D1 bills), indexes included. */
  rowsWritten: number;
  /** Health events written (bucket changes, score drops and recoveries), in the chunks' batches. */
  eventsWritten: number;
  durationMs: number;
  startedAt: string;
  finishedAt: string;
}

/**
 * Accounts per atomic batch of statements. 250 accounts × 90 days is ~22,500 metric rows per statement, far from
 * D1's 30 s per query, and each statement binds at most 8 parameters (the ids travel as ONE JSON parameter).
 */
export const ACCOUNTS_PER_CHUNK = 250;

/** What a stale rescore counts for an account marked stale without its dates (a year of history). */
const DATES_PER_UNKNOWN_ACCOUNT = 365;
/** Each chunk's ids and ranges are JSON parameters; this keeps them small. */
const MAX_ACCOUNTS_PER_CHUNK = 1000;
/**
 * The dates a stale rescore's chunk reads at most: what a daily delta of MAX_ACCOUNTS_PER_CHUNK accounts reads with a
 * 30-day window (the day, the window before it, the NPS reach after it), so a daily feed of 1,000 accounts is one
 * batch. A chunk of year-long backfills is then ~330 accounts, about what a full recompute's chunk reads.
 */
const DATES_PER_CHUNK = MAX_ACCOUNTS_PER_CHUNK * (1 + 29 + NPS_CARRY_DAYS);

/**
 * Rounds half away from zero exactly as `roundTo` in src/domain/health.ts does (floor(|x| × 10^d + 0.5) / 10^d):
 * SQLite's round() handles decimal ties differently, and the stored values must match the pure reference.
 */
function roundedSql(expression: string, decimals: number): string {
  const factor = `${10 ** decimals}.0`;
  const magnitude = `(CAST(abs(${expression}) * ${factor} + 0.5 AS INTEGER) / ${factor})`;
  return `(CASE WHEN (${expression}) < 0 THEN 0.0 - ${magnitude} ELSE ${magnitude} END)`;
}

/** The same rounding for an expression known to be >= 0 (every score and component is clamped so). */
function roundedNonNegativeSql(expression: string, decimals: number): SQL {
  const factor = `${10 ** decimals}.0`;
  return sql.raw(`(CAST((${expression}) * ${factor} + 0.5 AS INTEGER) / ${factor})`);
}

function clampedSql(expression: string, points: number): SQL {
  return sql.raw(`max(0.0, min(${points}.0, ${expression}))`);
}

/**
 * A score at date t reads the metrics of the window ending at t and the NPS carried from the 90 days before t, so a
 * change of the metrics at date d can move only the scores of d … d + this many days.
 */
export function rescoreReachDays(config: HealthConfig): number {
  return Math.max(config.windowDays - 1, NPS_CARRY_DAYS);
}

/**
 * The CTE every statement of a chunk starts with: the accounts to rescore and, per account, the dates to score
 * (score_from … score_to) and the first date the window functions must read (read_from: the trailing window of the
 * first; the NPS carried from further back comes from one index lookup, see upsertScores). Materialized, so a
 * statement that reads it twice (upsertScores: the seeds and the scores) groups the marks and ranges once. Scope
 * `stale`: from the first changed date to the last changed date plus the reach, over the account's stale marks and the
 * changed ranges given (JSON `[[account_id, first_date, last_date], …]`, of the chunk's accounts only: every statement
 * parses it).
 */
function targets(ids: string, scope: RescoreScope, reachDays: number, windowDays: number, changedRanges = "[]"): SQL {
  if (scope === "all") {
    return sql`targets AS MATERIALIZED (
  SELECT value AS account_id, '0000-01-01' AS score_from, '9999-12-31' AS score_to, '0000-01-01' AS read_from
  FROM json_each(${ids}))`;
  }
  const later = sql.raw(`'+${reachDays} days'`);
  const windowBefore = sql.raw(`'-${windowDays - 1} days'`);
  return sql`chunk_ids AS MATERIALIZED (SELECT value AS account_id FROM json_each(${ids})),
stale_ranges AS (
  SELECT a.id AS account_id, a.scores_stale_from AS first_date, a.scores_stale_to AS last_date
  FROM chunk_ids AS c
  JOIN accounts AS a ON a.id = c.account_id
  WHERE a.scores_stale_from IS NOT NULL
  UNION ALL
  SELECT r.value ->> 0, r.value ->> 1, r.value ->> 2
  FROM json_each(${changedRanges}) AS r
),
targets AS MATERIALIZED (
  SELECT account_id, min(first_date) AS score_from, date(max(last_date), ${later}) AS score_to,
         date(min(first_date), ${windowBefore}) AS read_from
  FROM stale_ranges
  GROUP BY account_id)`;
}

/**
 * Removes the scores of dates that no longer have metrics, so history holds exactly one score per metric date. The
 * scores are clustered by date, so an account's scores are not adjacent: per distinct date scored (one seek each), one
 * range seek over the chunk's ids (adjacent within a date) rather than a scan of the table per chunk.
 */
function deleteOrphanScores(scope: SQL): SQL {
  return sql`
WITH RECURSIVE ${scope},
scored_dates(date) AS (
  SELECT min(date) FROM health_scores
  UNION ALL
  SELECT (SELECT min(h.date) FROM health_scores AS h WHERE h.date > d.date) FROM scored_dates AS d WHERE d.date IS NOT NULL
)
DELETE FROM health_scores
WHERE (date, account_id) IN (
  SELECT h.date, h.account_id
  FROM scored_dates AS d
  JOIN health_scores AS h ON h.date = d.date
   AND h.account_id BETWEEN (SELECT min(account_id) FROM targets) AND (SELECT max(account_id) FROM targets)
  JOIN targets AS t ON t.account_id = h.account_id AND h.date BETWEEN t.score_from AND t.score_to
  WHERE NOT EXISTS (SELECT 1 FROM account_metrics AS m WHERE m.account_id = h.account_id AND m.date = h.date))`;
}

/**
 * Scores the chunk's dates in one pass of window functions. A RANGE frame over julianday(date) averages the rows
 * present in the trailing window, whatever the gaps. For the carried NPS, a running max() of 'date|nps' strings finds
 * the latest NPS so far (ISO dates sort as text), or, before the first date scored, the latest NPS found by one
 * backward index lookup (the seed), kept when it is at most 90 days old; a running frame spares the temporary index
 * SQLite keeps for max() over a sliding frame. When every row read is scored (`scoresEveryRowRead`: a full recompute)
 * the running max shares the averages' pass; a stale rescore reads the window before its first date for the averages
 * only, so its running max runs over the scored rows alone (a daily delta: one row per account, not a window's worth).
 * The rows are written in the scores' key order (date, account_id): a year of an account's new scores then costs a
 * walk along the table, not a seek into each date's rows per row (the sort is cheaper than those seeks).
 * The frame offset cannot be a bound parameter; it is a validated integer inlined into the SQL.
 */
function upsertScores(scope: SQL, config: HealthConfig, computedAt: string, scoresEveryRowRead: boolean): SQL {
  const points = COMPONENT_POINTS;
  const npsValue = "coalesce(window_nps, carried_nps)";
  const { Enterprise, "Mid-Market": midMarket, SMB } = config.dauBenchmarks;
  const raw = sql.raw;
  const bucket = raw(`CASE WHEN score >= ${HEALTHY_MIN_SCORE} THEN 'Healthy' WHEN score >= ${AT_RISK_MIN_SCORE} THEN 'At-Risk'
                           ELSE 'Critical' END`);
  // An integer from 1 to 3650: recomputeHealth validated it.
  const frameStart = raw(String(config.windowDays - 1));
  const carryBefore = raw(`'-${NPS_CARRY_DAYS} days'`);
  const runningNps = (date: string, nps: string) =>
    `max(CASE WHEN ${nps} IS NOT NULL THEN ${date} || '|' || ${nps} END) OVER so_far AS last_nps`;
  const soFar = (accountId: string, date: string) =>
    `so_far AS (PARTITION BY ${accountId} ORDER BY julianday(${date}) ROWS UNBOUNDED PRECEDING)`;
  return sql`
WITH ${scope},
seeds AS MATERIALIZED (
  SELECT t.account_id,
         (SELECT m.date || '|' || m.nps_score FROM account_metrics AS m
          WHERE m.account_id = t.account_id AND m.nps_score IS NOT NULL
            AND m.date < t.score_from AND m.date >= date(t.score_from, ${carryBefore})
          ORDER BY m.date DESC LIMIT 1) AS nps_seed
  FROM targets AS t
)
INSERT INTO health_scores (account_id, date, score, bucket, dau_points, adoption_points, tickets_points, nps_points,
                           login_points, nps_source, computed_at)
SELECT account_id, date, score, ${bucket},
       ${roundedNonNegativeSql("dau", 2)}, ${roundedNonNegativeSql("adoption", 2)},
       ${roundedNonNegativeSql("tickets", 2)},
       CASE WHEN nps IS NULL THEN NULL ELSE ${roundedNonNegativeSql("nps", 2)} END,
       ${roundedNonNegativeSql("login", 2)}, nps_source, ${computedAt}
FROM (
  SELECT *,
         ${roundedNonNegativeSql(
           `CASE WHEN nps IS NULL THEN (dau + adoption + tickets + login) * 100.0 / ${POINTS_WITHOUT_NPS}.0
                 ELSE dau + adoption + tickets + nps + login END`,
           1,
         )} AS score
  FROM (
    SELECT account_id, date,
           ${clampedSql(`${points.daily_active_users}.0 * min(1.0, avg_dau / benchmark)`, points.daily_active_users)} AS dau,
           ${clampedSql(`${points.feature_adoption}.0 * avg_adoption`, points.feature_adoption)} AS adoption,
           ${clampedSql(`${points.support_tickets}.0 * max(0.0, 1.0 - avg_tickets / ticket_ceiling)`, points.support_tickets)} AS tickets,
           ${clampedSql(`${points.nps}.0 * (${npsValue} + 100.0) / 200.0`, points.nps)} AS nps,
           ${clampedSql(`${points.login_frequency}.0 * avg_login`, points.login_frequency)} AS login,
           CASE WHEN window_nps IS NOT NULL THEN 'window' WHEN carried_nps IS NOT NULL THEN 'carried'
                ELSE 'missing' END AS nps_source,
           score_from
    FROM (
      SELECT *,
             CASE WHEN window_nps IS NULL AND coalesce(last_nps, nps_seed) >= date(date, ${carryBefore})
                  THEN CAST(substr(coalesce(last_nps, nps_seed), 12) AS REAL) END AS carried_nps
      FROM (
      SELECT *${raw(scoresEveryRowRead ? "" : `, ${runningNps("date", "nps_score")}`)}
      FROM (
      SELECT m.account_id, m.date, m.nps_score, t.score_from, sd.nps_seed,
             CASE a.segment WHEN 'Enterprise' THEN ${Enterprise} WHEN 'Mid-Market' THEN ${midMarket} WHEN 'SMB' THEN ${SMB} END AS benchmark,
             ${config.ticketCeiling} AS ticket_ceiling,
             avg(m.daily_active_users) OVER recent AS avg_dau,
             avg(m.feature_adoption_rate) OVER recent AS avg_adoption,
             avg(m.support_tickets_open) OVER recent AS avg_tickets,
             avg(m.nps_score) OVER recent AS window_nps,
             avg(m.login_frequency) OVER recent AS avg_login${raw(scoresEveryRowRead ? `, ${runningNps("m.date", "m.nps_score")}` : "")}
      FROM targets AS t
      JOIN seeds AS sd ON sd.account_id = t.account_id
      JOIN account_metrics AS m ON m.account_id = t.account_id AND m.date BETWEEN t.read_from AND t.score_to
      JOIN accounts AS a ON a.id = m.account_id
      WHERE a.segment IN ('Enterprise', 'Mid-Market', 'SMB')
      WINDOW recent AS (PARTITION BY m.account_id ORDER BY julianday(m.date)
                        RANGE BETWEEN ${frameStart} PRECEDING AND CURRENT ROW)${raw(scoresEveryRowRead ? `, ${soFar("m.account_id", "m.date")}` : "")}
      )
      WHERE date >= score_from
      ${raw(scoresEveryRowRead ? "" : `WINDOW ${soFar("account_id", "date")}`)}
      )
    )
  )
)
-- An INSERT … SELECT with an upsert clause needs a WHERE clause (SQLite's parsing ambiguity); the rows are filtered above.
WHERE true
-- In the table's key order: the rows come out account by account, and a date's rows sit together.
ORDER BY date, account_id
ON CONFLICT (account_id, date) DO UPDATE
SET score = excluded.score, bucket = excluded.bucket, dau_points = excluded.dau_points,
    adoption_points = excluded.adoption_points, tickets_points = excluded.tickets_points,
    nps_points = excluded.nps_points, login_points = excluded.login_points, nps_source = excluded.nps_source,
    computed_at = excluded.computed_at`;
}

/** The change of the score's components from a window's first scores (`from`: a column's value) to the latest (`l`). */
function componentsChangeSql(from: (column: string) => string): string {
  const change = (column: string) => roundedSql(`l.${column} - ${from(column)}`, 2);
  return `json_object(
        'daily_active_users', ${change("dau_points")},
        'feature_adoption', ${change("adoption_points")},
        'support_tickets', ${change("tickets_points")},
        'nps', CASE WHEN l.nps_points IS NULL OR ${from("nps_points")} IS NULL THEN NULL ELSE ${change("nps_points")} END,
        'login_frequency', ${change("login_points")})`;
}

/** The columns of a score row the trends compare. */
const TREND_SCORE_COLUMNS = ["score", "dau_points", "adoption_points", "tickets_points", "nps_points", "login_points"];

/** The start of the `days` window ending at the latest scored date (of the row `row`). */
function windowStartSql(row: string, days: number): string {
  return `date(${row}.to_date, '-${days} days')`;
}

/**
 * The first scored date of the `days` window ending at to_date. A daily history has a score on the window's start: one
 * primary-key probe (s{days}, joined in window_firsts) finds it and gives the scores the trend starts from, so
 * latest_health need not seek them; otherwise a seek on the metrics' primary key finds the first date (a rescored
 * account has a score for each of its metrics dates, and the metrics are clustered by account).
 */
function windowFirstSql(days: number): string {
  return `coalesce(s${days}.date, (SELECT min(m.date) FROM account_metrics AS m
          WHERE m.account_id = l.account_id AND m.date >= ${windowStartSql("l", days)})) AS first_${days},
         ${TREND_SCORE_COLUMNS.map((column) => `s${days}.${column} AS s${days}_${column}`).join(", ")}`;
}

/** The score row at the start of the `days` window, when there is one. */
function windowStartScoresSql(days: number): string {
  return `LEFT JOIN health_scores AS s${days} ON s${days}.account_id = l.account_id AND s${days}.date = ${windowStartSql("l", days)}`;
}

/**
 * A column of the scores the `days` trend starts from: those of the window's start (s{days}), else of the from date
 * (f{days}, joined only then: its key is null when the start has scores, and a null key seeks nothing).
 */
function fromScoreSql(days: number): (column: string) => string {
  return (column) => `CASE WHEN l.s${days}_score IS NOT NULL THEN l.s${days}_${column} ELSE f${days}.${column} END`;
}

/**
 * The mean DAU of the earlier and the later half of the `days` window (first … to_date, n = the whole days between
 * them), each from a range seek on the metrics' primary key: the earlier half is the dates before first + ceil(n / 2),
 * the later half the dates after first + floor(n / 2). When n is even both are the midpoint, which then belongs to
 * neither half; when n is odd no date sits at the midpoint. And the date the trend starts from: the latest scored
 * date on or before the window's start, else the window's first date (the window holds the whole history); when the
 * first date is the start (a daily history) that is the first date, and the seek for it is skipped.
 */
function dauHalvesSql(days: number): string {
  const first = `w.first_${days}`;
  const start = windowStartSql("w", days);
  const span = `CAST(julianday(w.to_date) - julianday(${first}) AS INTEGER)`;
  const mean = (range: string) =>
    `(SELECT avg(m.daily_active_users) FROM account_metrics AS m WHERE m.account_id = w.account_id AND ${range})`;
  return `${mean(`m.date >= ${first} AND m.date < date(${first}, '+' || ((${span} + 1) / 2) || ' days')`)} AS earlier_dau_${days},
         ${mean(`m.date > date(${first}, '+' || (${span} / 2) || ' days') AND m.date <= w.to_date`)} AS later_dau_${days},
         CASE WHEN ${first} = ${start} THEN ${first}
              ELSE coalesce((SELECT max(m.date) FROM account_metrics AS m
                             WHERE m.account_id = w.account_id AND m.date <= ${start}), ${first}) END AS from_${days}`;
}

/**
 * The `days` trend of the account as JSON, or null when the window holds only the latest date: the changes from
 * the scores and ARR of from_date (rows f{days}, fm{days}) to the latest, and the engagement trend.
 */
function trendSql(days: number): string {
  const earlier = `l.earlier_dau_${days}`;
  const later = `l.later_dau_${days}`;
  const from = fromScoreSql(days);
  return `CASE WHEN l.first_${days} < l.to_date THEN json_object(
           'days', ${days},
           'health_score_change', ${roundedSql(`l.score - ${from("score")}`, 1)},
           'arr_change', ${roundedSql(`l.arr - fm${days}.arr`, 2)},
           'engagement_trend',
             CASE WHEN ${earlier} = 0 THEN CASE WHEN ${later} > 0 THEN 'improving' ELSE 'stable' END
                  WHEN (${later} - ${earlier}) / ${earlier} > ${ENGAGEMENT_CHANGE_THRESHOLD} THEN 'improving'
                  WHEN (${later} - ${earlier}) / ${earlier} < -${ENGAGEMENT_CHANGE_THRESHOLD} THEN 'declining'
                  ELSE 'stable' END,
           'from_date', l.from_${days},
           'to_date', l.to_date,
           'health_components_change', ${componentsChangeSql(from)}) END AS trend_${days}d`;
}

/**
 * Per account of the chunk, one row of what updateAccounts writes. Each layer is one row per account (materialized,
 * so the correlated lookups run once): its latest scores, the windows' first dates, the engagement halves and the
 * trends' from dates, then the trends built against the from dates' rows (primary-key seeks). No sort, no grouping:
 * the work grows linearly with the chunk. Each layer costs a pass over the chunk and each lookup an index seek, which
 * is what this statement spends its time on; hence few layers and no seek whose answer is already known.
 */
const ACCOUNT_HEALTH_FROM_CHUNK = sql.raw(`
latest AS MATERIALIZED (
  SELECT c.account_id, t.date AS to_date, t.score, t.bucket, t.dau_points, t.adoption_points, t.tickets_points,
         t.nps_points, t.login_points, tm.arr
  FROM chunk AS c
  LEFT JOIN account_metrics AS tm
    ON tm.account_id = c.account_id
   AND tm.date = (SELECT max(m.date) FROM account_metrics AS m WHERE m.account_id = c.account_id)
  LEFT JOIN health_scores AS t ON t.date = tm.date AND t.account_id = tm.account_id
),
window_firsts AS MATERIALIZED (
  SELECT l.*, ${TREND_PERIODS.map(windowFirstSql).join(",\n         ")}
  FROM latest AS l
  ${TREND_PERIODS.map(windowStartScoresSql).join("\n  ")}
),
with_halves AS MATERIALIZED (
  SELECT w.*, ${TREND_PERIODS.map(dauHalvesSql).join(",\n         ")}
  FROM window_firsts AS w
),
latest_health AS MATERIALIZED (
  SELECT l.account_id, l.score, l.bucket, l.to_date, l.arr,
         CASE WHEN l.to_date IS NULL THEN NULL
              ELSE json_object('daily_active_users', l.dau_points, 'feature_adoption', l.adoption_points,
                               'support_tickets', l.tickets_points, 'nps', l.nps_points,
                               'login_frequency', l.login_points) END AS components,
         ${TREND_PERIODS.map(trendSql).join(",\n         ")}
  FROM with_halves AS l
  ${TREND_PERIODS.map(
    (days) => `LEFT JOIN health_scores AS f${days}
    ON f${days}.account_id = l.account_id AND f${days}.date = CASE WHEN l.s${days}_score IS NULL THEN l.from_${days} END
  LEFT JOIN account_metrics AS fm${days} ON fm${days}.account_id = l.account_id AND fm${days}.date = l.from_${days}`,
  ).join("\n  ")}
)
`);

/**
 * Writes what an account shows of its health, from its stored scores, in ONE update of its row (D1 bills a row
 * written per update, plus one per index entry it assigns, and no index holds these columns): the current score and
 * bucket (its latest date's), the components of that score, the 30/60/90-day trends and the figures lists sort by and
 * the portfolio sums, its ARR and latest metric date (those of its latest metrics row); and clears its stale marks:
 * its scores now follow its metrics. The trends are anchored at the latest scored date; the window bounds and the
 * engagement halves are seeks and range seeks on the metrics' (account_id, date) primary key (the chunk's upsert has
 * just scored every metrics date it had not), the scores point probes of their (date, account_id) one, so the work
 * grows linearly with the chunk. A date exactly at the window's midpoint counts in neither half, as in
 * src/domain/trend.ts. An account without scores gets nulls.
 * The accounts are the chunk's ids (`ids`, JSON), not the scope's targets: the targets of a stale rescore are the
 * chunk's accounts that are marked or changed, which every id is (the ids come from those marks and changes); an id
 * whose mark another rescore cleared meanwhile is rewritten from its stored scores, to the same values. Reading the
 * ids spares the statement the targets' join and grouping.
 */
function updateAccounts(ids: string, updatedAt: string): SQL {
  // The prev_* columns take the values before this update (SQLite evaluates every SET expression on the old row), in
  // the same row write: what insertHealthEvents compares.
  return sql`
WITH chunk(account_id) AS (SELECT value FROM json_each(${ids})),${ACCOUNT_HEALTH_FROM_CHUNK}
UPDATE accounts
SET prev_health_score = accounts.health_score, prev_health_bucket = accounts.health_bucket,
    prev_health_components = accounts.health_components, prev_health_change_30d = accounts.health_change_30d,
    health_score = lh.score, health_bucket = lh.bucket, health_components = lh.components,
    trend_30d = lh.trend_30d, trend_60d = lh.trend_60d, trend_90d = lh.trend_90d,
    health_change_30d = lh.trend_30d ->> '$.health_score_change',
    arr_change_30d = lh.trend_30d ->> '$.arr_change',
    arr_change_90d = lh.trend_90d ->> '$.arr_change',
    engagement_trend_30d = lh.trend_30d ->> '$.engagement_trend',
    arr = coalesce(lh.arr, accounts.arr), latest_metric_date = coalesce(lh.to_date, accounts.latest_metric_date),
    scores_stale_from = NULL, scores_stale_to = NULL,
    updated_at = ${updatedAt}
FROM latest_health AS lh
WHERE accounts.id = lh.account_id`;
}

/** The change of one component between the account's previous and current components (rounded like the trends'). */
function componentChangeSql(component: string): string {
  const points = (column: string) => `(a.${column} ->> '$.${component}')`;
  return roundedSql(`${points("health_components")} - ${points("prev_health_components")}`, 2);
}

const COMPONENTS_CHANGE_SINCE_PREVIOUS = sql.raw(`json_object(
        'daily_active_users', ${componentChangeSql("daily_active_users")},
        'feature_adoption', ${componentChangeSql("feature_adoption")},
        'support_tickets', ${componentChangeSql("support_tickets")},
        'nps', CASE WHEN (a.health_components ->> '$.nps') IS NULL OR (a.prev_health_components ->> '$.nps') IS NULL
                    THEN NULL ELSE ${componentChangeSql("nps")} END,
        'login_frequency', ${componentChangeSql("login_frequency")})`);

/**
 * The chunk's health events, from each rescored account's state before (prev_*, which updateAccounts has just set) and
 * after: edge-triggered, so a rescore that changes nothing writes nothing, and an account's first score (no previous
 * state) none. `health.bucket_changed` when the bucket changed; `health.score_dropped` when the 30-day change fell to
 * −alertScoreDrop or below and was not there before; `health.score_recovered` when it was there and is not any more.
 * Only reads besides the events it inserts (one row each), in the same atomic batch as the scores.
 * The accounts it compares are those of the chunk that updateAccounts has just updated (updated_at is this rescore's
 * start): not the `targets` CTE again, which for scope `stale` reads the stale marks updateAccounts has cleared.
 */
function insertHealthEvents(ids: string, updatedAt: string, alertScoreDrop: number): SQL {
  const limit = -alertScoreDrop;
  const dropped = (column: string) => sql.raw(`(a.${column} IS NOT NULL AND a.${column} <= `);
  return sql`
WITH rescored AS (
  SELECT a.* FROM json_each(${ids}) AS c JOIN accounts AS a ON a.id = c.value
  WHERE a.updated_at = ${updatedAt} AND a.prev_health_score IS NOT NULL AND a.health_score IS NOT NULL
),
changes AS (
  SELECT a.id AS account_id, 1 AS rank, 'health.bucket_changed' AS type, a.latest_metric_date AS as_of,
         json_object('account_id', a.id, 'account_name', a.account_name, 'from', a.prev_health_bucket,
                     'to', a.health_bucket, 'score_before', a.prev_health_score, 'score_after', a.health_score,
                     'as_of', a.latest_metric_date, 'health_components_change', ${COMPONENTS_CHANGE_SINCE_PREVIOUS}) AS data
  FROM rescored AS a
  WHERE a.health_bucket <> a.prev_health_bucket
  UNION ALL
  SELECT a.id, 2, CASE WHEN ${dropped("health_change_30d")}${limit}) THEN 'health.score_dropped' ELSE 'health.score_recovered' END,
         a.latest_metric_date,
         json_object('account_id', a.id, 'account_name', a.account_name, 'as_of', a.latest_metric_date,
                     'health_score', a.health_score, 'health_bucket', a.health_bucket,
                     'health_score_change_30d', a.health_change_30d,
                     'previous_health_score_change_30d', a.prev_health_change_30d, 'threshold', ${limit})
  FROM rescored AS a
  WHERE ${dropped("health_change_30d")}${limit}) <> ${dropped("prev_health_change_30d")}${limit})
)
INSERT INTO health_events (type, account_id, occurred_at, as_of, data)
SELECT type, account_id, ${updatedAt}, as_of, data FROM changes
ORDER BY account_id, rank`;
}

function assertValidWindowDays(windowDays: number): void {
  // Inlined into SQL, so it must be a plain integer.
  if (!Number.isInteger(windowDays) || windowDays < 1 || windowDays > 3650) {
    throw new RangeError(`The health window must be a whole number of days from 1 to 3650, not ${windowDays}.`);
  }
}

function rangesByAccount(ranges: readonly ChangedRange[]): Map<number, ChangedRange[]> {
  const byAccount = new Map<number, ChangedRange[]>();
  for (const range of ranges) {
    const list = byAccount.get(range[0]);
    if (list) list.push(range);
    else byAccount.set(range[0], [range]);
  }
  return byAccount;
}

/** Every account id in ascending order, or those in [first, last]. */
async function accountIdsIn(db: Database, range?: { first: number; last: number }): Promise<number[]> {
  const rows = range
    ? await db.values<[number]>(sql`SELECT id FROM accounts WHERE id BETWEEN ${range.first} AND ${range.last} ORDER BY id`)
    : await db.values<[number]>(sql`SELECT id FROM accounts ORDER BY id`);
  return rows.map(([id]) => id);
}

const DAY_MS = 86_400_000;

/**
 * The dates a stale rescore of the account reads at most, from its changed ranges: from the trailing window before
 * the first change to the reach after the last. An account without ranges (marked stale only) counts as a year.
 */
function datesToRead(ranges: readonly ChangedRange[] | undefined, reachDays: number, windowDays: number): number {
  if (!ranges || ranges.length === 0) return DATES_PER_UNKNOWN_ACCOUNT;
  const first = Math.min(...ranges.map(([, from]) => Date.parse(from)));
  const last = Math.max(...ranges.map(([, , to]) => Date.parse(to)));
  return Math.round((last - first) / DAY_MS) + 1 + reachDays + windowDays - 1;
}

/**
 * Fills each chunk up to DATES_PER_CHUNK dates read (and at most MAX_ACCOUNTS_PER_CHUNK accounts): a daily delta runs
 * in one batch, while a chunk of long backfills stays about as light as a full recompute's.
 */
function chunksOf(ids: readonly number[], datesOf: (id: number) => number): number[][] {
  const chunks: number[][] = [];
  let chunk: number[] = [];
  let dates = 0;
  for (const id of ids) {
    const accountDates = datesOf(id);
    if (chunk.length > 0 && (chunk.length >= MAX_ACCOUNTS_PER_CHUNK || dates + accountDates > DATES_PER_CHUNK)) {
      chunks.push(chunk);
      chunk = [];
      dates = 0;
    }
    chunk.push(id);
    dates += accountDates;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

async function chunksOfAccountIds(
  db: Database,
  options: RecomputeOptions,
  rangesOf: ReadonlyMap<number, ChangedRange[]>,
  reachDays: number,
  windowDays: number,
): Promise<number[][]> {
  const ids = options.accountIds
    ? [...new Set(options.accountIds)].sort((a, b) => a - b)
    : await accountIdsIn(db, options.idRange);
  if ((options.scope ?? "all") === "all") {
    // Every date of every account: a fixed number of accounts a chunk.
    return Array.from({ length: Math.ceil(ids.length / ACCOUNTS_PER_CHUNK) }, (_, index) =>
      ids.slice(index * ACCOUNTS_PER_CHUNK, (index + 1) * ACCOUNTS_PER_CHUNK),
    );
  }
  return chunksOf(ids, (id) => datesToRead(rangesOf.get(id), reachDays, windowDays));
}

/**
 * Scores every date (scope `all`) or the dates a change can reach (scope `stale`) of every (or the given) account
 * with set-based SQL, stores the history in `health_scores`, and updates each account's current score, bucket,
 * components and trends.
 * Shared by `POST /health/recompute`, the cron trigger and ingestion.
 *
 * Accounts are processed in chunks (see chunksOfAccountIds); each chunk is one atomic `batch()` that also bumps the data
 * version, so an account is never left with new history but an old current score, and no reader keeps a tag of data
 * that changed. Chunks run one after another (D1 has a single writer).
 */
export async function recomputeHealth(
  db: Database,
  config: HealthConfig,
  options: RecomputeOptions = {},
): Promise<RecomputeResult> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  assertValidWindowDays(config.windowDays);

  const reachDays = rescoreReachDays(config);

  const alertScoreDrop = options.alertScoreDrop ?? DEFAULT_ALERT_SCORE_DROP;
  let accountsUpdated = 0;
  let scoresWritten = 0;
  let rowsWritten = 0;
  let eventsWritten = 0;
  const scopeName = options.scope ?? "all";
  const rangesOf = rangesByAccount(options.changedRanges ?? []);
  const chunks = await chunksOfAccountIds(db, options, rangesOf, reachDays, config.windowDays);
  if (chunks.length === 0 && options.settlesRunId !== undefined) {
    rowsWritten += (await db.run(deletePendingRescoresSql(options.settlesRunId))).meta.rows_written ?? 0;
  }
  for (const [index, chunk] of chunks.entries()) {
    const ids = JSON.stringify(chunk);
    const chunkRanges = JSON.stringify(chunk.flatMap((id) => rangesOf.get(id) ?? []));
    const scope = targets(ids, scopeName, reachDays, config.windowDays, chunkRanges);
    // The API never deletes metrics: only a full recompute, which also repairs edits made outside it, looks for the
    // scores of dates whose metrics are gone (a scan a daily delta need not pay); before the accounts read the scores.
    const orphanDeletion = scopeName === "all" ? [db.run(deleteOrphanScores(scope))] : [];
    // The last chunk settles the upload: its pending rescores are done once every chunk is.
    const settlement = index === chunks.length - 1 && options.settlesRunId !== undefined ? [db.run(deletePendingRescoresSql(options.settlesRunId))] : [];
    const results = await runBatch(db, [
      db.run(upsertScores(scope, config, startedAt, scopeName === "all")),
      ...orphanDeletion,
      db.run(updateAccounts(ids, startedAt)),
      db.run(insertHealthEvents(ids, startedAt, alertScoreDrop)),
      // In the chunk's own batch, so a reader never meets the new scores under the old data version.
      db.run(BUMP_DATA_VERSION),
      ...settlement,
    ]);
    const [upserted] = results;
    const [updated, events] = results.slice(1 + orphanDeletion.length);
    scoresWritten += upserted.meta.changes ?? 0;
    accountsUpdated += updated?.meta.changes ?? 0;
    eventsWritten += events?.meta.changes ?? 0;
    rowsWritten += results.reduce((sum, result) => sum + (result.meta.rows_written ?? 0), 0);
  }

  const finished = Date.now();
  return {
    accountsUpdated,
    scoresWritten,
    rowsWritten,
    eventsWritten,
    durationMs: finished - started,
    startedAt,
    finishedAt: new Date(finished).toISOString(),
  };
}
