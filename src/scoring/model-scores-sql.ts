import { sql, type SQL } from "drizzle-orm";
import { BUILT_IN_MEASURES } from "../contract/health-models";
import { HEALTH_SCORE_POINTS_COLUMNS } from "../db/schema";
import { componentForSegment, type ModelComponentSpec, type ModelSpec } from "../domain/health-model";
import { SEGMENTS, type Segment } from "../domain/types";
import { roundedNonNegative } from "./sql-rounding";

/*
 * The statement that scores a model document, built from it: what domain/reference/health-model.ts says a model
 * means, in set-based SQL, to the last bit (a property test draws random models and histories and compares). Model 1
 * has its own statement (scores-sql.ts), which stores the five component columns as before models existed.
 *
 * Layers, innermost first: per metrics row read, each component's window mean (a RANGE frame over julianday, as the
 * formula's) or the newest date with a value so far (a running max, seeded before the rows read by one backward
 * lookup); per row to score, each component's value (a primary-key probe fetches a newest or carried value, exactly as
 * stored); the points; the score, spreading the weight of components without data over the others. Each layer is a
 * MATERIALIZED CTE: SQLite would otherwise flatten a layer's expressions into every reference of the next (a value
 * into each segment's points, the points into the sum, the weights and the JSON), an expression tree that grows
 * with the components until a 12-component model runs out of memory.
 */

const MEASURE_NAME = /^[a-z][a-z0-9_]{0,39}$/;

/**
 * A number as a SQL literal of type REAL, in JS's shortest round-trip form (SQLite reads it back to the same double).
 * Model values are inlined: a 12-component model with per-segment values would exceed D1's 100 bound parameters.
 */
export function realLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`A model value must be finite, not ${value}`);
  const text = String(value);
  const real = /[.e]/.test(text) ? text : `${text}.0`;
  return value < 0 ? `(${real})` : real;
}

/** A component's measure in the metrics row `alias`: a built-in column, or a declared measure of the row's JSON. */
function measureSql(measure: string, alias: string): string {
  if ((BUILT_IN_MEASURES as readonly string[]).includes(measure)) return `${alias}.${measure}`;
  if (!MEASURE_NAME.test(measure)) throw new RangeError(`Not a measure name: ${measure}`);
  return `(${alias}.measures ->> '$.${measure}')`;
}

/** `by(segment)` per segment, as one expression when it is the same for every segment. */
function perSegmentSql(by: (segment: Segment) => string): string {
  const values = SEGMENTS.map(by);
  if (values.every((value) => value === values[0])) return values[0] ?? "NULL";
  return `CASE segment ${SEGMENTS.map((segment, index) => `WHEN '${segment}' THEN ${values[index]}`).join(" ")} END`;
}

/** componentPoints (domain/health-model.ts) in SQL, term for term, clamped to [0, weight]. */
function pointsSql(value: string, weight: number, zeroAt: number, fullAt: number): string {
  const w = realLiteral(weight);
  const points =
    zeroAt === 0
      ? `${w} * min(1.0, ${value} / ${realLiteral(fullAt)})`
      : fullAt === 0
        ? `${w} * max(0.0, 1.0 - ${value} / ${realLiteral(zeroAt)})`
        : `(${w} * (${value} - ${realLiteral(zeroAt)})) / (${realLiteral(fullAt)} - ${realLiteral(zeroAt)})`;
  return `max(0.0, min(${w}, ${points}))`;
}

const carries = (component: ModelComponentSpec) => component.aggregation.carry_days !== undefined;
/** Whether the component reads the newest date with a value (a `latest`, or a mean that carries). */
const readsNewestDate = (component: ModelComponentSpec) => component.aggregation.type === "latest" || carries(component);

/**
 * What the statement reads per measure, shared by the components that score it: the window mean (when one takes it),
 * the newest date with a value (when one takes the latest value or carries), and how far back any of them carries.
 */
interface MeasureRead {
  /** Its columns' suffix: the measure's position among the model's distinct measures. */
  id: number;
  measure: string;
  mean: boolean;
  newest: boolean;
  /** The longest carry_days of its components; null when none carries. */
  carryDays: number | null;
}

function measureReads(spec: ModelSpec): Map<string, MeasureRead> {
  const reads = new Map<string, MeasureRead>();
  for (const component of spec.components) {
    const read = reads.get(component.measure) ?? { id: reads.size, measure: component.measure, mean: false, newest: false, carryDays: null };
    read.mean ||= component.aggregation.type === "mean";
    read.newest ||= readsNewestDate(component);
    const carry = component.aggregation.carry_days;
    if (carry !== undefined) read.carryDays = Math.max(read.carryDays ?? 0, carry);
    reads.set(component.measure, read);
  }
  return reads;
}

/**
 * Where the running "newest date with a value" runs: over every row read, with the window means (a full recompute,
 * which scores every row it reads), or over the rows scored alone (a stale rescore or a preview, which read the window
 * before their first date for the means only: a daily delta then runs it over one row per account, not a window's).
 */
export type RunningNewest = "with-means" | "over-scored-rows";

/**
 * The row's own value of a measure read newest. Under "over-scored-rows" only the scored rows use it, so a declared
 * measure (a JSON lookup per row, where a built-in is a column) is read on those alone, not on the window before them.
 */
function ownValueSql(measureName: string, measure: string, running: RunningNewest): string {
  const declared = !(BUILT_IN_MEASURES as readonly string[]).includes(measureName);
  return running === "over-scored-rows" && declared ? `CASE WHEN m.date >= t.score_from THEN ${measure} END` : measure;
}

const newestSoFarSql = (value: string, date: string) => `max(CASE WHEN ${value} IS NOT NULL THEN ${date} END)`;

/**
 * Per metrics row read: each measure's window mean, the row's own value of the measures read newest and, with the
 * means, their newest date so far (a running max, which spares SQLite the temporary index a sliding one keeps).
 */
function rowsReadSql(spec: ModelSpec, reads: ReadonlyMap<string, MeasureRead>, running: RunningNewest): string {
  const columns = [...reads.values()].flatMap((read) => {
    const measure = measureSql(read.measure, "m");
    return [
      ...(read.mean ? [`avg(${measure}) OVER recent AS mean_${read.id}`] : []),
      ...(read.newest ? [`${ownValueSql(read.measure, measure, running)} AS own_${read.id}`] : []),
      ...(read.newest && running === "with-means"
        ? [`${newestSoFarSql(measure, "m.date")} OVER so_far AS newest_so_far_${read.id}`]
        : []),
    ];
  });
  const windows = [
    `recent AS (PARTITION BY m.account_id ORDER BY julianday(m.date) RANGE BETWEEN ${spec.window_days - 1} PRECEDING AND CURRENT ROW)`,
    ...(running === "with-means" ? ["so_far AS (PARTITION BY m.account_id ORDER BY julianday(m.date) ROWS UNBOUNDED PRECEDING)"] : []),
  ];
  return `
SELECT m.account_id, m.date, t.score_from, t.read_from,
       ${columns.join(",\n       ")}
FROM targets AS t
JOIN account_metrics AS m ON m.account_id = t.account_id AND m.date BETWEEN t.read_from AND t.score_to
WINDOW ${windows.join(",\n       ")}`;
}

/** The rows to score, with each measure's newest date so far when it runs over them (see RunningNewest). */
function rowsScoredSql(reads: ReadonlyMap<string, MeasureRead>, running: RunningNewest): string {
  const newest = [...reads.values()].filter((read) => read.newest);
  if (running === "with-means" || newest.length === 0) return "SELECT * FROM model_rows WHERE date >= score_from";
  const columns = newest.map((read) => `${newestSoFarSql(`own_${read.id}`, "date")} OVER so_far AS newest_so_far_${read.id}`);
  return `SELECT *, ${columns.join(",\n       ")} FROM model_rows WHERE date >= score_from
WINDOW so_far AS (PARTITION BY account_id ORDER BY julianday(date) ROWS UNBOUNDED PRECEDING)`;
}

/**
 * Per row to score (of the accounts whose segment scores): each measure's newest date with a value (`dates`, a layer
 * of its own, so the lookup below runs once, not once per reference of the date), and the expression of that date's
 * value (`values`, evaluated where a component takes it). Before the rows the running max ran over, the newest
 * date is one backward lookup, made only when those rows hold none (coalesce stops at its first non-null argument),
 * reaching as far back as a component may use it: the longest carry, and under "over-scored-rows" the window too (the
 * window before the first scored date was read for the means only). The value is the row's own when the newest date is
 * the row's (a daily feed's usual case), else fetched by its (account_id, date) key: either way the stored number.
 */
function newestSql(
  spec: ModelSpec,
  reads: ReadonlyMap<string, MeasureRead>,
  running: RunningNewest,
): { dates: string; values: ReadonlyMap<number, string> } {
  const newest = [...reads.values()].filter((read) => read.newest);
  const before = running === "with-means" ? "r.read_from" : "r.score_from";
  const dates = newest.map((read) => {
    const reach = Math.max(read.carryDays ?? 0, running === "with-means" ? 0 : spec.window_days - 1);
    if (reach === 0) return `r.newest_so_far_${read.id} AS newest_${read.id}`;
    return `coalesce(r.newest_so_far_${read.id},
         (SELECT s.date FROM account_metrics AS s
          WHERE s.account_id = r.account_id AND s.date < ${before} AND s.date >= date(r.date, '-${reach} days')
            AND ${measureSql(read.measure, "s")} IS NOT NULL
          ORDER BY s.date DESC LIMIT 1)) AS newest_${read.id}`;
  });
  const values = new Map(
    newest.map((read) => [
      read.id,
      `(CASE WHEN r.newest_${read.id} = r.date THEN 1.0 * r.own_${read.id}
            ELSE (SELECT 1.0 * ${measureSql(read.measure, "p")} FROM account_metrics AS p
                  WHERE p.account_id = r.account_id AND p.date = r.newest_${read.id}) END)`,
    ]),
  );
  return {
    dates: `SELECT r.*, a.segment${dates.map((column) => `,\n       ${column}`).join("")}
FROM model_scored AS r JOIN accounts AS a ON a.id = r.account_id
WHERE a.segment IN (${SEGMENTS.map((segment) => `'${segment}'`).join(", ")})`,
    values,
  };
}

/** Per row to score: each component's value and where it came from. */
function valuesSql(spec: ModelSpec, reads: ReadonlyMap<string, MeasureRead>, newestValues: ReadonlyMap<number, string>): string {
  const columns = spec.components.flatMap((component, index) => {
    const read = reads.get(component.measure);
    if (!read) throw new Error(`No read of ${component.measure}`);
    const carried = carries(component) ? `r.newest_${read.id} >= date(r.date, '-${component.aggregation.carry_days} days')` : null;
    const inWindow =
      component.aggregation.type === "mean"
        ? `r.mean_${read.id} IS NOT NULL`
        : `r.newest_${read.id} > date(r.date, '-${spec.window_days} days')`;
    const newestValue = newestValues.get(read.id) ?? "NULL";
    const windowValue = component.aggregation.type === "mean" ? `r.mean_${read.id}` : newestValue;
    const value = `CASE WHEN ${inWindow} THEN ${windowValue}${carried ? ` WHEN ${carried} THEN ${newestValue}` : ""} END`;
    const source = `CASE WHEN ${inWindow} THEN 'window'${carried ? ` WHEN ${carried} THEN 'carried'` : ""} ELSE 'missing' END`;
    return [`${value} AS value_${index}`, `${source} AS source_${index}`];
  });
  return `
SELECT r.account_id, r.date, r.segment,
       ${columns.join(",\n       ")}
FROM model_dated AS r`;
}

/** Per row: each component's points for the account's segment (null without a value) and its weight when present. */
function pointsLayerSql(spec: ModelSpec): string {
  const columns = spec.components.flatMap((component, index) => [
    `${perSegmentSql((segment) => {
      const { weight, zeroAt, fullAt } = componentForSegment(component, segment);
      return pointsSql(`value_${index}`, weight, zeroAt, fullAt);
    })} AS points_${index}`,
    `CASE WHEN value_${index} IS NULL THEN 0.0 ELSE ${perSegmentSql((segment) =>
      realLiteral(componentForSegment(component, segment).weight),
    )} END AS present_weight_${index}`,
  ]);
  return `SELECT *, ${columns.join(",\n       ")} FROM model_values`;
}

/**
 * The unrounded score: the points summed in component order (0 for a component without a value adds nothing), scaled
 * by 100 ÷ the weights present when some are missing, exactly as the reference adds and scales.
 */
function rawScoreSql(spec: ModelSpec): string {
  const indexes = spec.components.map((_, index) => index);
  const sum = `(${["0.0", ...indexes.map((index) => `coalesce(points_${index}, 0.0)`)].join(" + ")})`;
  const present = `(${["0.0", ...indexes.map((index) => `present_weight_${index}`)].join(" + ")})`;
  const total = perSegmentSql((segment) =>
    realLiteral(spec.components.reduce((weights, component) => weights + componentForSegment(component, segment).weight, 0)),
  );
  return `CASE WHEN ${present} = ${total} THEN ${sum} WHEN ${present} = 0.0 THEN 0.0 ELSE ${sum} * 100.0 / ${present} END`;
}

/**
 * Per row to score: account_id, date, score, bucket, components (JSON by key, two decimals, null without data),
 * nps_source (of the first component scoring the NPS; null when none does) and missing_mask (bit i: component i had
 * no value).
 */
function scoredRowsSql(spec: ModelSpec): string {
  const indexes = spec.components.map((_, index) => index);
  const components = spec.components.map((component, index) => `'${component.key}', rounded_${index}`);
  const npsIndex = spec.components.findIndex((component) => component.measure === "nps_score");
  const { healthy_min: healthyMin, at_risk_min: atRiskMin } = spec.buckets;
  return `
SELECT account_id, date, score,
       CASE WHEN score >= ${realLiteral(healthyMin)} THEN 'Healthy' WHEN score >= ${realLiteral(atRiskMin)} THEN 'At-Risk'
            ELSE 'Critical' END AS bucket,
       json_object(${components.join(", ")}) AS components,
       ${indexes.map((index) => `rounded_${index}`).join(", ")},
       nps_source, missing_mask
FROM (
  SELECT account_id, date,
         ${roundedNonNegative(rawScoreSql(spec), 1)} AS score,
         ${indexes.map((index) => `${roundedNonNegative(`points_${index}`, 2)} AS rounded_${index}`).join(",\n         ")},
         ${npsIndex === -1 ? "NULL" : `source_${npsIndex}`} AS nps_source,
         ${indexes.map((index) => `(points_${index} IS NULL) * ${2 ** index}`).join(" + ")} AS missing_mask
  FROM model_points)`;
}

/**
 * Scores the scope's dates under the model document and upserts them, in the table's key order (see upsertScores):
 * component i's points in the i-th points column, the columns past the model's components null.
 */
export function upsertModelScores(
  scope: SQL,
  modelId: number,
  spec: ModelSpec,
  computedAt: string,
  scoresEveryRowRead: boolean,
): SQL {
  const values = HEALTH_SCORE_POINTS_COLUMNS.map((_, index) => (index < spec.components.length ? `rounded_${index}` : "NULL"));
  return sql`
WITH ${scope}, ${modelScoresCte(spec, scoresEveryRowRead ? "with-means" : "over-scored-rows")}
INSERT INTO health_scores (account_id, date, score, bucket, model_id, ${sql.raw(HEALTH_SCORE_POINTS_COLUMNS.join(", "))},
                           nps_source, computed_at)
SELECT account_id, date, score, bucket, ${modelId}, ${sql.raw(values.join(", "))}, nps_source, ${computedAt}
FROM model_scores
WHERE true
ORDER BY date, account_id
ON CONFLICT (account_id, date) DO UPDATE
SET score = excluded.score, bucket = excluded.bucket, model_id = excluded.model_id,
    ${sql.raw(HEALTH_SCORE_POINTS_COLUMNS.map((column) => `${column} = excluded.${column}`).join(", "))},
    nps_source = excluded.nps_source, computed_at = excluded.computed_at`;
}

/**
 * The targets of a preview: each of the chunk's accounts (`ids`, JSON) at its latest metric date, the one date scored,
 * reading the window before it.
 */
export function latestDateTargets(ids: string, windowDays: number): SQL {
  return sql`targets AS MATERIALIZED (
  SELECT account_id, latest AS score_from, latest AS score_to, date(latest, ${sql.raw(`'-${windowDays - 1} days'`)}) AS read_from
  FROM (SELECT c.value AS account_id,
               (SELECT max(m.date) FROM account_metrics AS m WHERE m.account_id = c.value) AS latest
        FROM json_each(${ids}) AS c)
  WHERE latest IS NOT NULL)`;
}

/**
 * The CTEs that score the scope's dates under the model without writing: `model_scores` (account_id, date, score,
 * bucket, components, nps_source, missing_mask), for a preview to compare with the stored health.
 */
export function modelScoresCte(spec: ModelSpec, running: RunningNewest): SQL {
  const reads = measureReads(spec);
  const newest = newestSql(spec, reads, running);
  return sql.raw(`model_rows AS (${rowsReadSql(spec, reads, running)}),
model_scored AS (${rowsScoredSql(reads, running)}),
model_dated AS MATERIALIZED (${newest.dates}),
model_values AS MATERIALIZED (${valuesSql(spec, reads, newest.values)}),
model_points AS MATERIALIZED (${pointsLayerSql(spec)}),
model_scores AS (${scoredRowsSql(spec)})`);
}
