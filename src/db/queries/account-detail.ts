import { sql } from "drizzle-orm";
import { PENDING_ACCOUNT_IDS } from "./stale-marks";
import type { ComponentPoints } from "../../domain/types";
import type { Database } from "../../lib/types";
import { RECENT_EVENTS, type AccountDetail, type HealthHistoryEntry } from "../../contract/accounts";
import { runBatch } from "../batch";
import { recentAccountEvents, toEvents } from "./events";
import { currentFingerprintSql, listModelChanges } from "./health-models";
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

// The account detail is built here in the API's shape: its scores, components and trends are stored as the JSON the
// contract serves, so the rows need no second mapping.

type PointsColumn = "dau_points" | "adoption_points" | "tickets_points" | "nps_points" | "login_points";

/** A score's components: another model's JSON, or model 1's five columns. */
function componentsOf(row: Record<PointsColumn, number | null> & { components: string | null }): ComponentPoints {
  if (row.components !== null) return JSON.parse(row.components) as ComponentPoints;
  return {
    daily_active_users: row.dau_points ?? 0,
    feature_adoption: row.adoption_points ?? 0,
    support_tickets: row.tickets_points ?? 0,
    nps: row.nps_points,
    login_frequency: row.login_points ?? 0,
  };
}

/** A day of metrics with that day's score, when it has one (every score column null otherwise). */
type HistoryRow = StoredMetricsRow &
  Record<PointsColumn, number | null> & {
    score: HealthHistoryEntry["health_score"] | null;
    bucket: HealthHistoryEntry["health_bucket"] | null;
    nps_source: HealthHistoryEntry["nps_source"];
    components: string | null;
  };

function toHistory(rows: readonly HistoryRow[]): Pick<AccountDetail, "health_history" | "metrics_history"> {
  const healthHistory: HealthHistoryEntry[] = [];
  const metricsHistory: AccountDetail["metrics_history"] = [];
  for (const { score, bucket, nps_source, ...row } of rows) {
    const { dau_points, adoption_points, tickets_points, nps_points, login_points, components, ...metrics } = row;
    metricsHistory.push(toMetricsEntry(metrics));
    // A date not scored yet (metrics stored, recompute pending) has metrics but no score.
    if (score !== null && bucket !== null) {
      healthHistory.push({
        date: row.date,
        health_score: score,
        health_bucket: bucket,
        health_components: componentsOf({ dau_points, adoption_points, tickets_points, nps_points, login_points, components }),
        nps_source,
      });
    }
  }
  return { health_history: healthHistory, metrics_history: metricsHistory };
}

/**
 * One account with its score and metrics history from its latest metric date minus HISTORY_WINDOW_DAYS up to that
 * date (ascending) and its latest events, read in one batch; null when there is no such account. Its scores are stale when its metrics
 * changed since it was scored, or when they follow another health configuration than `healthFingerprint`.
 */
export async function getAccountDetail(
  db: Database,
  id: number,
  healthFingerprint?: string,
): Promise<AccountDetail | null> {
  const otherConfiguration =
    healthFingerprint === undefined
      ? sql`0`
      : sql`NOT EXISTS (SELECT 1 FROM scoring_config WHERE id = 1 AND fingerprint = ${currentFingerprintSql(healthFingerprint)})`;
  const [row, history, events, modelChanges] = await runBatch(db, [
    db.get<(AccountRow & { scores_stale: 0 | 1 }) | undefined>(sql`
      SELECT ${ACCOUNT_COLUMNS},
             (a.latest_metric_date IS NOT NULL
              AND (a.scores_stale_from IS NOT NULL OR a.id IN (${PENDING_ACCOUNT_IDS}) OR ${otherConfiguration}))
               AS scores_stale
      FROM accounts AS a ${ACCOUNT_JOINS} WHERE a.id = ${id}`),
    db.all<HistoryRow>(sql`
      SELECT ${METRICS_WITH_MEASURES_COLUMNS}, h.score, h.bucket, h.dau_points, h.adoption_points, h.tickets_points,
             h.nps_points, h.login_points, h.nps_source, h.components
      FROM accounts AS a
      ${METRICS_WINDOW_JOIN}
      LEFT JOIN health_scores AS h ON h.account_id = m.account_id AND h.date = m.date
      WHERE a.id = ${id}
      ORDER BY m.date`),
    recentAccountEvents(db, id, RECENT_EVENTS),
    listModelChanges(db),
  ]);
  if (!row) return null;
  return {
    ...toAccount(row),
    scores_stale: row.scores_stale === 1,
    ...toHistory(history),
    model_changes: modelChanges.map((change) => ({ date: change.activated_at.slice(0, 10), ...change })),
    recent_events: toEvents(events),
  };
}
