import { sql, type SQL } from "drizzle-orm";
import { componentsChangeByKeySql } from "./account-health-sql";


/** The change of each component since the previous components, by key (the previous model's may differ). */
const COMPONENTS_CHANGE_SINCE_PREVIOUS = componentsChangeByKeySql("a.health_components", "a.prev_health_components");

/**
 * An event's data, marked when the rescore that wrote it followed a model change (an activation, or a change of the
 * configuration that defines model 1): its cause and the model, so the webhooks that did not opt in skip it.
 */
function withCauseSql(data: string): string {
  return `CASE WHEN a.last_rescore_model_change IS NULL THEN ${data}
               ELSE json_set(${data}, '$.cause', 'model_change', '$.model_id', a.last_rescore_model_change) END`;
}

/**
 * The chunk's health events, from each rescored account's state before (prev_*, which updateAccounts has just set) and
 * after: edge-triggered, so a rescore that changes nothing writes nothing, and an account's first score (no previous
 * state) none. `health.bucket_changed` when the bucket changed; `health.score_dropped` when the 30-day change fell to
 * −alertScoreDrop or below and was not there before; `health.score_recovered` when it was there and is not any more.
 * Only reads besides the events it inserts (one row each), in the same atomic batch as the scores.
 * The accounts it compares are those of the chunk that updateAccounts has just updated (updated_at is this rescore's
 * start): not the `targets` CTE again, which for scope `stale` reads the stale marks updateAccounts has cleared.
 */
export function insertHealthEvents(ids: string, updatedAt: string, alertScoreDrop: number): SQL {
  const limit = -alertScoreDrop;
  const dropped = (column: string) => sql.raw(`(a.${column} IS NOT NULL AND a.${column} <= `);
  return sql`
WITH rescored AS (
  SELECT a.* FROM json_each(${ids}) AS c JOIN accounts AS a ON a.id = c.value
  WHERE a.updated_at = ${updatedAt} AND a.prev_health_score IS NOT NULL AND a.health_score IS NOT NULL
),
changes AS (
  SELECT a.id AS account_id, 1 AS rank, 'health.bucket_changed' AS type, a.latest_metric_date AS as_of,
         ${sql.raw(withCauseSql(`json_object('account_id', a.id, 'account_name', a.account_name, 'from', a.prev_health_bucket,
                     'to', a.health_bucket, 'score_before', a.prev_health_score, 'score_after', a.health_score,
                     'as_of', a.latest_metric_date, 'health_components_change', ${COMPONENTS_CHANGE_SINCE_PREVIOUS})`))} AS data
  FROM rescored AS a
  WHERE a.health_bucket <> a.prev_health_bucket
  UNION ALL
  SELECT a.id, 2, CASE WHEN ${dropped("health_change_30d")}${limit}) THEN 'health.score_dropped' ELSE 'health.score_recovered' END,
         a.latest_metric_date,
         ${sql.raw(withCauseSql(`json_object('account_id', a.id, 'account_name', a.account_name, 'as_of', a.latest_metric_date,
                     'health_score', a.health_score, 'health_bucket', a.health_bucket,
                     'health_score_change_30d', a.health_change_30d,
                     'previous_health_score_change_30d', a.prev_health_change_30d, 'threshold', ${limit})`))}
  FROM rescored AS a
  WHERE ${dropped("health_change_30d")}${limit}) <> ${dropped("prev_health_change_30d")}${limit})
)
INSERT INTO health_events (type, account_id, occurred_at, as_of, data)
SELECT type, account_id, ${updatedAt}, as_of, data FROM changes
ORDER BY account_id, rank`;
}
