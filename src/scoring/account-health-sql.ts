import { sql, type SQL } from "drizzle-orm";
import { ENGAGEMENT_CHANGE_THRESHOLD, TREND_PERIODS } from "../domain/trend";
import { HEALTH_SCORE_POINTS_COLUMNS } from "../db/schema";
import { roundedSql, storedValuesChangeSql } from "./sql-rounding";


/** A model's component keys with the health_scores column each is stored in (HEALTH_SCORE_POINTS_COLUMNS). */
export type ComponentColumns = readonly { key: string; column: string }[];

export function componentColumns(keys: readonly string[]): ComponentColumns {
  return keys.map((key, index) => {
    const column = HEALTH_SCORE_POINTS_COLUMNS[index];
    if (!column) throw new RangeError(`A model has at most ${HEALTH_SCORE_POINTS_COLUMNS.length} components`);
    return { key, column };
  });
}

/** The components of the score row `row`, as the object by key. */
function componentsSql(row: string, components: ComponentColumns): string {
  return `json_object(${components.map(({ key, column }) => `'${key}', ${row}.${column}`).join(", ")})`;
}

/**
 * The change of each component from one components object to another (JSON), by the later's keys, rounded like the
 * trends': null where either has no value (a component without data, or one the earlier model did not have). For the
 * events, which compare the account's stored objects (rare: an event per changed bucket).
 */
export function componentsChangeByKeySql(later: string, earlier: string): string {
  const before = `(${earlier} ->> ('$.' || c.key))`;
  // json(): a subquery's value loses its JSON subtype, and the change must nest as an object, not a string.
  return `json((SELECT json_group_object(c.key, CASE WHEN c.value IS NULL OR ${before} IS NULL THEN NULL
                                                ELSE ${roundedSql(`c.value - ${before}`, 2)} END)
               FROM json_each(${later}) AS c))`;
}

/**
 * The change of the score's components from a window's first scores (`from`: a column's value) to the latest (`l`),
 * column by column: null where either has no value; every one null where the first scores are of another model (a
 * history not yet rescored under the model its latest score follows).
 */
function componentsChangeSql(from: (column: string) => string, components: ComponentColumns): string {
  const changes = components.map(({ key, column }) => `'${key}', ${storedValuesChangeSql(`l.${column}`, from(column), 2)}`);
  const nulls = components.map(({ key }) => `'${key}', NULL`);
  return `CASE WHEN ${from("model_id")} IS l.model_id THEN json_object(
        ${changes.join(",\n        ")})
        ELSE json_object(${nulls.join(", ")}) END`;
}

/** The columns of a score row the trends compare. */
function trendScoreColumns(components: ComponentColumns): string[] {
  return ["score", "model_id", ...components.map(({ column }) => column)];
}

/**
 * The first scored date of the `days` window ending at to_date. A daily history has a score on the window's start: one
 * primary-key probe (s{days}, joined in window_firsts) finds it and gives the scores the trend starts from, so
 * latest_health need not seek them; otherwise a seek on the metrics' primary key finds the first date (a rescored
 * account has a score for each of its metrics dates, and the metrics are clustered by account).
 */
function windowFirstSql(days: number, components: ComponentColumns): string {
  return `coalesce(s${days}.date, (SELECT min(m.date) FROM account_metrics AS m
          WHERE m.account_id = l.account_id AND m.date >= ${windowStartSql("l", days)})) AS first_${days},
         ${trendScoreColumns(components).map((column) => `s${days}.${column} AS s${days}_${column}`).join(", ")}`;
}

/** The start of the `days` window ending at the latest scored date (of the row `row`). */
function windowStartSql(row: string, days: number): string {
  return `date(${row}.to_date, '-${days} days')`;
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
function trendSql(days: number, components: ComponentColumns): string {
  const earlier = `l.earlier_dau_${days}`;
  const later = `l.later_dau_${days}`;
  const from = fromScoreSql(days);
  return `CASE WHEN l.first_${days} < l.to_date THEN json_object(
           'days', ${days},
           'health_score_change', ${storedValuesChangeSql("l.score", from("score"), 1)},
           'arr_change', ${roundedSql(`l.arr - fm${days}.arr`, 2)},
           'engagement_trend',
             CASE WHEN ${earlier} = 0 THEN CASE WHEN ${later} > 0 THEN 'improving' ELSE 'stable' END
                  WHEN (${later} - ${earlier}) / ${earlier} > ${ENGAGEMENT_CHANGE_THRESHOLD} THEN 'improving'
                  WHEN (${later} - ${earlier}) / ${earlier} < -${ENGAGEMENT_CHANGE_THRESHOLD} THEN 'declining'
                  ELSE 'stable' END,
           'from_date', l.from_${days},
           'to_date', l.to_date,
           'health_components_change', ${componentsChangeSql(from, components)}) END AS trend_${days}d`;
}

/**
 * Per account of the chunk, one row of what updateAccounts writes. Each layer is one row per account (materialized,
 * so the correlated lookups run once): its latest scores, the windows' first dates, the engagement halves and the
 * trends' from dates, then the trends built against the from dates' rows (primary-key seeks). No sort, no grouping:
 * the work grows linearly with the chunk. Each layer costs a pass over the chunk and each lookup an index seek, which
 * is what this statement spends its time on; hence few layers and no seek whose answer is already known.
 */
function accountHealthFromChunk(components: ComponentColumns): SQL {
  return sql.raw(`
latest AS MATERIALIZED (
  SELECT c.account_id, t.date AS to_date, t.score, t.bucket, t.model_id,
         ${components.map(({ column }) => `t.${column}`).join(", ")}, tm.arr
  FROM chunk AS c
  LEFT JOIN account_metrics AS tm
    ON tm.account_id = c.account_id
   AND tm.date = (SELECT max(m.date) FROM account_metrics AS m WHERE m.account_id = c.account_id)
  LEFT JOIN health_scores AS t ON t.date = tm.date AND t.account_id = tm.account_id
),
window_firsts AS MATERIALIZED (
  SELECT l.*, ${TREND_PERIODS.map((days) => windowFirstSql(days, components)).join(",\n         ")}
  FROM latest AS l
  ${TREND_PERIODS.map(windowStartScoresSql).join("\n  ")}
),
with_halves AS MATERIALIZED (
  SELECT w.*, ${TREND_PERIODS.map(dauHalvesSql).join(",\n         ")}
  FROM window_firsts AS w
),
latest_health AS MATERIALIZED (
  SELECT l.account_id, l.score, l.bucket, l.to_date, l.arr,
         CASE WHEN l.to_date IS NULL THEN NULL ELSE ${componentsSql("l", components)} END AS components,
         ${TREND_PERIODS.map((days) => trendSql(days, components)).join(",\n         ")}
  FROM with_halves AS l
  ${TREND_PERIODS.map(
    (days) => `LEFT JOIN health_scores AS f${days}
    ON f${days}.account_id = l.account_id AND f${days}.date = CASE WHEN l.s${days}_score IS NULL THEN l.from_${days} END
  LEFT JOIN account_metrics AS fm${days} ON fm${days}.account_id = l.account_id AND fm${days}.date = l.from_${days}`,
  ).join("\n  ")}
)
`);
}

/**
 * Writes what an account shows of its health, from its stored scores, in ONE update of its row (D1 bills a row
 * written per update, plus one per index entry it assigns; of these columns, only the partial low-score index holds
 * one): the current score and bucket (its latest date's), the components of that score, the 30/60/90-day trends and
 * the figures lists sort by and the portfolio sums, its ARR and latest metric date (those of its latest metrics row);
 * and clears its stale marks: its scores now follow its metrics. The trends are anchored at the latest scored date; the window bounds and the
 * engagement halves are seeks and range seeks on the metrics' (account_id, date) primary key (the chunk's upsert has
 * just scored every metrics date it had not), the scores point probes of their (date, account_id) one, so the work
 * grows linearly with the chunk. A date exactly at the window's midpoint counts in neither half, as in
 * src/domain/trend.ts. An account without scores gets nulls.
 * The accounts are the chunk's ids (`ids`, JSON), not the scope's targets: the targets of a stale rescore are the
 * chunk's accounts that are marked or changed, which every id is (the ids come from those marks and changes); an id
 * whose mark another rescore cleared meanwhile is rewritten from its stored scores, to the same values. Reading the
 * ids spares the statement the targets' join and grouping.
 */
export function updateAccounts(ids: string, updatedAt: string, components: ComponentColumns): SQL {
  // The prev_* columns take the values before this update (SQLite evaluates every SET expression on the old row), in
  // the same row write: what insertHealthEvents compares, and what the kept book figures move the account's share from.
  return sql`
WITH chunk(account_id) AS (SELECT value FROM json_each(${ids})),${accountHealthFromChunk(components)}
UPDATE accounts
SET prev_health_score = accounts.health_score, prev_health_bucket = accounts.health_bucket,
    prev_health_components = accounts.health_components, prev_health_change_30d = accounts.health_change_30d,
    prev_arr = accounts.arr, prev_latest_metric_date = accounts.latest_metric_date,
    prev_engagement_trend_30d = accounts.engagement_trend_30d, prev_arr_change_30d = accounts.arr_change_30d,
    prev_arr_change_90d = accounts.arr_change_90d,
    health_score = lh.score, health_bucket = lh.bucket, health_components = lh.components,
    trend_30d = lh.trend_30d, trend_60d = lh.trend_60d, trend_90d = lh.trend_90d,
    health_change_30d = lh.trend_30d ->> '$.health_score_change',
    arr_change_30d = lh.trend_30d ->> '$.arr_change',
    arr_change_90d = lh.trend_90d ->> '$.arr_change',
    engagement_trend_30d = lh.trend_30d ->> '$.engagement_trend',
    arr = coalesce(lh.arr, accounts.arr), latest_metric_date = coalesce(lh.to_date, accounts.latest_metric_date),
    scores_stale_from = NULL, scores_stale_to = NULL,
    last_rescore_model_change = accounts.stale_model_change, stale_model_change = NULL,
    updated_at = ${updatedAt}
FROM latest_health AS lh
WHERE accounts.id = lh.account_id`;
}
