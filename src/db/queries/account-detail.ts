import { sql } from "drizzle-orm";
import { PENDING_ACCOUNT_IDS } from "./stale-marks";
import type { ComponentPoints } from "../../domain/types";
import type { Database } from "../../lib/types";
import { RECENT_EVENTS, type AccountDetail, type HealthHistoryEntry } from "../../contract/accounts";
import { runBatch, type Results } from "../batch";
import { HEALTH_SCORE_POINTS_COLUMNS } from "../schema";
import { recentAccountEvents, toEvents } from "./events";
import { componentKeysOfModels, currentFingerprintSql, listModelChanges } from "./health-models";
import {
  ACCOUNT_COLUMNS,
  ACCOUNT_JOINS,
  METRICS_WINDOW_JOIN,
  METRICS_WITH_MEASURES_COLUMNS,
  toAccount,
  toMetricsEntry,
  type AccountRow,
  type StoredMetricsRow,
} from "./account-rows";

const POINTS_OF_H = sql.raw(HEALTH_SCORE_POINTS_COLUMNS.map((column) => `h.${column}`).join(", "));

// The account detail is built here in the API's shape: its scores, components and trends are stored as the JSON the
// contract serves, so the rows need no second mapping.

/** A day of metrics with that day's score, when it has one (every score column null otherwise). */
type HistoryRow = StoredMetricsRow & {
  score: HealthHistoryEntry["health_score"] | null;
  bucket: HealthHistoryEntry["health_bucket"] | null;
  nps_source: HealthHistoryEntry["nps_source"];
  model_id: number | null;
  /** The points columns in order, as a JSON array. */
  points: string | null;
};

/** A score's components: its points by position, named by its model's component keys. */
function componentsOf(points: string, keys: readonly string[]): ComponentPoints {
  const values = JSON.parse(points) as (number | null)[];
  return Object.fromEntries(keys.map((key, index) => [key, values[index] ?? null]));
}

function toHistory(
  rows: readonly HistoryRow[],
  keysOf: ReadonlyMap<number, readonly string[]>,
): Pick<AccountDetail, "health_history" | "metrics_history"> {
  const healthHistory: HealthHistoryEntry[] = [];
  const metricsHistory: AccountDetail["metrics_history"] = [];
  for (const { score, bucket, nps_source, model_id, points, ...metrics } of rows) {
    metricsHistory.push(toMetricsEntry(metrics));
    // A date not scored yet (metrics stored, recompute pending) has metrics but no score.
    if (score !== null && bucket !== null && points !== null) {
      healthHistory.push({
        date: metrics.date,
        health_score: score,
        health_bucket: bucket,
        health_components: componentsOf(points, keysOf.get(model_id ?? 1) ?? []),
        nps_source,
      });
    }
  }
  return { health_history: healthHistory, metrics_history: metricsHistory };
}

/**
 * The reads of one account's detail, in one batch: its row with the stale mark (its scores are stale when its metrics
 * changed since it was scored, or when they follow another health configuration than `healthFingerprint`), its score
 * and metrics history from its latest metric date minus HISTORY_WINDOW_DAYS up to that date (ascending), its latest
 * events, the model changes and its aliases. A page sends them with reads of its own in the same batch.
 */
export function accountDetailStatements(db: Database, id: number, healthFingerprint?: string) {
  const otherConfiguration =
    healthFingerprint === undefined
      ? sql`0`
      : sql`NOT EXISTS (SELECT 1 FROM scoring_config WHERE id = 1 AND fingerprint = ${currentFingerprintSql(healthFingerprint)})`;
  return [
    db.get<(AccountRow & { scores_stale: 0 | 1 }) | undefined>(sql`
      SELECT ${ACCOUNT_COLUMNS},
             (a.latest_metric_date IS NOT NULL
              AND (a.scores_stale_from IS NOT NULL OR a.id IN (${PENDING_ACCOUNT_IDS}) OR ${otherConfiguration}))
               AS scores_stale
      FROM accounts AS a ${ACCOUNT_JOINS} WHERE a.id = ${id}`),
    db.all<HistoryRow>(sql`
      SELECT ${METRICS_WITH_MEASURES_COLUMNS}, h.score, h.bucket, h.nps_source, h.model_id,
             CASE WHEN h.score IS NOT NULL THEN json_array(${POINTS_OF_H}) END AS points
      FROM accounts AS a
      ${METRICS_WINDOW_JOIN}
      LEFT JOIN health_scores AS h ON h.account_id = m.account_id AND h.date = m.date
      WHERE a.id = ${id}
      ORDER BY m.date`),
    recentAccountEvents(db, id, RECENT_EVENTS),
    listModelChanges(db),
    db.all<{ alias: string }>(sql`SELECT alias FROM account_aliases WHERE account_id = ${id} ORDER BY created_at, alias`),
  ] as const;
}

/** What the batch of accountDetailStatements answers. */
export type AccountDetailRows = Results<ReturnType<typeof accountDetailStatements>>;

/** The account detail from its reads; null when there is no such account. */
export async function toAccountDetail(db: Database, rows: AccountDetailRows): Promise<AccountDetail | null> {
  const [row, history, events, modelChanges, aliases] = rows;
  if (!row) return null;
  const keysOf = await componentKeysOfModels(db, new Set(history.flatMap((entry) => (entry.model_id === null ? [] : [entry.model_id]))));
  return {
    ...toAccount(row),
    scores_stale: row.scores_stale === 1,
    ...toHistory(history, keysOf),
    model_changes: modelChanges.map((change) => ({ date: change.activated_at.slice(0, 10), ...change })),
    aliases: aliases.map((entry) => entry.alias),
    recent_events: toEvents(events),
  };
}

/** One account's detail (GET /accounts/{id}), read in one batch; null when there is no such account. */
export async function getAccountDetail(db: Database, id: number, healthFingerprint?: string): Promise<AccountDetail | null> {
  return toAccountDetail(db, await runBatch(db, accountDetailStatements(db, id, healthFingerprint)));
}
