import { sql, type SQL } from "drizzle-orm";
import {
  AT_RISK_MIN_SCORE,
  COMPONENT_POINTS,
  HEALTHY_MIN_SCORE,
  NPS_CARRY_DAYS,
  POINTS_WITHOUT_NPS,
  type HealthConfig,
} from "../domain/health";
import { clampedSql, roundedNonNegativeSql } from "./sql-rounding";
import type { RescoreScope } from "./types";

const BUCKET_SQL = sql.raw(`CASE WHEN score >= ${HEALTHY_MIN_SCORE} THEN 'Healthy' WHEN score >= ${AT_RISK_MIN_SCORE} THEN 'At-Risk'
                           ELSE 'Critical' END`);
const CARRY_BEFORE = sql.raw(`'-${NPS_CARRY_DAYS} days'`);

/**
 * The CTE every statement of a chunk starts with: the accounts to rescore and, per account, the dates to score
 * (score_from … score_to) and the first date the window functions must read (read_from: the trailing window of the
 * first; the NPS carried from further back comes from one index lookup, see upsertScores). Materialized, so a
 * statement that reads it twice (upsertScores: the seeds and the scores) groups the marks and ranges once. Scope
 * `stale`: from the first changed date to the last changed date plus the reach, over the account's stale marks and the
 * changed ranges given (JSON `[[account_id, first_date, last_date], …]`, of the chunk's accounts only: every statement
 * parses it).
 */
export function targets(ids: string, scope: RescoreScope, reachDays: number, windowDays: number, changedRanges = "[]"): SQL {
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
export function deleteOrphanScores(scope: SQL): SQL {
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

/** A running max() of 'date|nps' strings: the latest NPS so far (ISO dates sort as text). */
function runningNpsSql(date: string, nps: string): string {
  return `max(CASE WHEN ${nps} IS NOT NULL THEN ${date} || '|' || ${nps} END) OVER so_far AS last_nps`;
}

/** A running frame per account, in date order: it spares SQLite the temporary index a sliding max() keeps. */
function soFarSql(accountId: string, date: string): string {
  return `so_far AS (PARTITION BY ${accountId} ORDER BY julianday(${date}) ROWS UNBOUNDED PRECEDING)`;
}

/** Where the running NPS is computed: with the window averages, over every metrics row read (a full recompute). */
const RUNNING_NPS_WITH_AVERAGES = {
  column: sql.raw(`, ${runningNpsSql("m.date", "m.nps_score")}`),
  window: sql.raw(`, ${soFarSql("m.account_id", "m.date")}`),
};
const NO_RUNNING_NPS = { column: sql.empty(), window: sql.empty() };

/**
 * Per metrics row read (the chunk's read_from … score_to): the trailing window's averages. A RANGE frame over
 * julianday(date) averages the rows present in the window, whatever the gaps. The frame offset cannot be a bound
 * parameter: it is the validated window inlined (see assertValidWindowDays).
 */
function windowAveragesSql(config: HealthConfig, runningNps: typeof NO_RUNNING_NPS): SQL {
  const { Enterprise, "Mid-Market": midMarket, SMB } = config.dauBenchmarks;
  const frameStart = sql.raw(String(config.windowDays - 1));
  return sql`
SELECT m.account_id, m.date, m.nps_score, t.score_from, sd.nps_seed,
       CASE a.segment WHEN 'Enterprise' THEN ${Enterprise} WHEN 'Mid-Market' THEN ${midMarket} WHEN 'SMB' THEN ${SMB} END AS benchmark,
       ${config.ticketCeiling} AS ticket_ceiling,
       avg(m.daily_active_users) OVER recent AS avg_dau,
       avg(m.feature_adoption_rate) OVER recent AS avg_adoption,
       avg(m.support_tickets_open) OVER recent AS avg_tickets,
       avg(m.nps_score) OVER recent AS window_nps,
       avg(m.login_frequency) OVER recent AS avg_login${runningNps.column}
FROM targets AS t
JOIN seeds AS sd ON sd.account_id = t.account_id
JOIN account_metrics AS m ON m.account_id = t.account_id AND m.date BETWEEN t.read_from AND t.score_to
JOIN accounts AS a ON a.id = m.account_id
WHERE a.segment IN ('Enterprise', 'Mid-Market', 'SMB')
WINDOW recent AS (PARTITION BY m.account_id ORDER BY julianday(m.date)
                  RANGE BETWEEN ${frameStart} PRECEDING AND CURRENT ROW)${runningNps.window}`;
}

/**
 * The rows to score (score_from on), each with the latest NPS so far (last_nps). When every row read is scored (a full
 * recompute), the running max shares the averages' pass. A stale rescore reads the window before its first date for
 * the averages only, so its running max runs over the scored rows alone (a daily delta: one row per account, not a
 * window's worth).
 */
function rowsToScoreSql(config: HealthConfig, scoresEveryRowRead: boolean): SQL {
  if (scoresEveryRowRead) {
    return sql`SELECT * FROM (${windowAveragesSql(config, RUNNING_NPS_WITH_AVERAGES)}) WHERE date >= score_from`;
  }
  return sql`
SELECT *, ${sql.raw(runningNpsSql("date", "nps_score"))}
FROM (${windowAveragesSql(config, NO_RUNNING_NPS)})
WHERE date >= score_from
WINDOW ${sql.raw(soFarSql("account_id", "date"))}`;
}

/**
 * The NPS carried into a window without one: the latest NPS so far, or before the first date scored the seed (one
 * backward index lookup), kept when it is at most NPS_CARRY_DAYS old.
 */
function withCarriedNpsSql(rows: SQL): SQL {
  return sql`
SELECT *,
       CASE WHEN window_nps IS NULL AND coalesce(last_nps, nps_seed) >= date(date, ${CARRY_BEFORE})
            THEN CAST(substr(coalesce(last_nps, nps_seed), 12) AS REAL) END AS carried_nps
FROM (${rows})`;
}

/** Each component's points, clamped to its maximum, and where the NPS came from. */
function componentPointsSql(rows: SQL): SQL {
  const points = COMPONENT_POINTS;
  const npsValue = "coalesce(window_nps, carried_nps)";
  return sql`
SELECT account_id, date,
       ${clampedSql(`${points.daily_active_users}.0 * min(1.0, avg_dau / benchmark)`, points.daily_active_users)} AS dau,
       ${clampedSql(`${points.feature_adoption}.0 * avg_adoption`, points.feature_adoption)} AS adoption,
       ${clampedSql(`${points.support_tickets}.0 * max(0.0, 1.0 - avg_tickets / ticket_ceiling)`, points.support_tickets)} AS tickets,
       ${clampedSql(`${points.nps}.0 * (${npsValue} + 100.0) / 200.0`, points.nps)} AS nps,
       ${clampedSql(`${points.login_frequency}.0 * avg_login`, points.login_frequency)} AS login,
       CASE WHEN window_nps IS NOT NULL THEN 'window' WHEN carried_nps IS NOT NULL THEN 'carried'
            ELSE 'missing' END AS nps_source,
       score_from
FROM (${rows})`;
}

/** The score: the sum of the points, scaled to 100 from POINTS_WITHOUT_NPS when there is no NPS. */
function withScoreSql(points: SQL): SQL {
  return sql`
SELECT *,
       ${roundedNonNegativeSql(
         `CASE WHEN nps IS NULL THEN (dau + adoption + tickets + login) * 100.0 / ${POINTS_WITHOUT_NPS}.0
               ELSE dau + adoption + tickets + nps + login END`,
         1,
       )} AS score
FROM (${points})`;
}

/**
 * Scores the chunk's dates in one pass of window functions and upserts them: the layers above, innermost first (the
 * averages, the rows to score, the carried NPS, the points, the score). The seed is the latest NPS before the first
 * date scored, found by one backward index lookup per account. The rows are written in the scores' key order
 * (date, account_id): a year of an account's new scores then costs a walk along the table, not a seek into each
 * date's rows per row (the sort is cheaper than those seeks).
 */
export function upsertScores(scope: SQL, config: HealthConfig, computedAt: string, scoresEveryRowRead: boolean): SQL {
  const scored = withScoreSql(componentPointsSql(withCarriedNpsSql(rowsToScoreSql(config, scoresEveryRowRead))));
  return sql`
WITH ${scope},
seeds AS MATERIALIZED (
  SELECT t.account_id,
         (SELECT m.date || '|' || m.nps_score FROM account_metrics AS m
          WHERE m.account_id = t.account_id AND m.nps_score IS NOT NULL
            AND m.date < t.score_from AND m.date >= date(t.score_from, ${CARRY_BEFORE})
          ORDER BY m.date DESC LIMIT 1) AS nps_seed
  FROM targets AS t
)
INSERT INTO health_scores (account_id, date, score, bucket, dau_points, adoption_points, tickets_points, nps_points,
                           login_points, nps_source, computed_at)
SELECT account_id, date, score, ${BUCKET_SQL},
       ${roundedNonNegativeSql("dau", 2)}, ${roundedNonNegativeSql("adoption", 2)},
       ${roundedNonNegativeSql("tickets", 2)},
       CASE WHEN nps IS NULL THEN NULL ELSE ${roundedNonNegativeSql("nps", 2)} END,
       ${roundedNonNegativeSql("login", 2)}, nps_source, ${computedAt}
FROM (${scored})
-- An INSERT … SELECT with an upsert clause needs a WHERE clause (SQLite's parsing ambiguity); the rows are filtered above.
WHERE true
-- In the table's key order: the rows come out account by account, and a date's rows sit together.
ORDER BY date, account_id
ON CONFLICT (account_id, date) DO UPDATE
SET score = excluded.score, bucket = excluded.bucket, dau_points = excluded.dau_points,
    adoption_points = excluded.adoption_points, tickets_points = excluded.tickets_points,
    nps_points = excluded.nps_points, login_points = excluded.login_points, nps_source = excluded.nps_source,
    model_id = 1, points_5 = NULL, points_6 = NULL, points_7 = NULL, points_8 = NULL, points_9 = NULL, points_10 = NULL,
    points_11 = NULL, computed_at = excluded.computed_at`;
}
