import { sql, type SQL } from "drizzle-orm";
import type { Segment } from "../../domain/types";
import type { Database } from "../../lib/types";
import { HEALTH_SCORE_POINTS_COLUMNS } from "../schema";
import type { StoredMetricsRow } from "./account-rows";

/*
 * The export's pages: each a keyset page in the order of the table's primary key, so a page reads its own rows and
 * the next starts where it stopped, however far into the book.
 */

export interface ExportFilters {
  accountId?: number | undefined;
  since?: string | undefined;
  until?: string | undefined;
  segment?: Segment | undefined;
}

/** A metric row as the import format has it: the stored metrics with the account's identity and the row's extras. */
export type MetricExportRow = StoredMetricsRow & {
  account_id: number;
  account_name: string;
  segment: string;
  region: string;
  renewal_date: string | null;
  owner: string | null;
};

function filterConditions(filters: ExportFilters, date: SQL, account: SQL): SQL[] {
  return [
    ...(filters.accountId === undefined ? [] : [sql`${account} = ${filters.accountId}`]),
    ...(filters.since === undefined ? [] : [sql`${date} >= ${filters.since}`]),
    ...(filters.until === undefined ? [] : [sql`${date} <= ${filters.until}`]),
    ...(filters.segment === undefined ? [] : [sql`a.segment = ${filters.segment}`]),
  ];
}

/** The metric rows after (`afterAccountId`, `afterDate`) in (account, date) order: an account's days, then the next's. */
export function metricExportPage(
  db: Database,
  filters: ExportFilters,
  after: { accountId: number; date: string } | null,
  limit: number,
): Promise<MetricExportRow[]> {
  const conditions = filterConditions(filters, sql`m.date`, sql`m.account_id`);
  if (after) {
    conditions.push(sql`(m.account_id > ${after.accountId} OR (m.account_id = ${after.accountId} AND m.date > ${after.date}))`);
  }
  return db.all<MetricExportRow>(sql`
    SELECT m.account_id, a.account_name, a.segment, a.region, m.arr, m.date, m.daily_active_users, m.feature_adoption_rate,
           m.support_tickets_open, m.nps_score, m.login_frequency, m.renewal_date, m.owner, m.measures
    FROM account_metrics AS m
    JOIN accounts AS a ON a.id = m.account_id
    ${conditions.length > 0 ? sql`WHERE ${sql.join(conditions, sql` AND `)}` : sql``}
    ORDER BY m.account_id, m.date
    LIMIT ${limit}`);
}

export type ScoreExportRow = {
  account_id: number;
  account_name: string;
  date: string;
  score: number;
  bucket: string;
  model_id: number;
  nps_source: string | null;
} & Record<(typeof HEALTH_SCORE_POINTS_COLUMNS)[number], number | null>;

/** The scores after (`afterDate`, `afterAccountId`) in (date, account) order: the table's own order. */
export function scoreExportPage(
  db: Database,
  filters: ExportFilters,
  after: { date: string; accountId: number } | null,
  limit: number,
): Promise<ScoreExportRow[]> {
  const conditions = filterConditions(filters, sql`s.date`, sql`s.account_id`);
  if (after) {
    conditions.push(sql`(s.date > ${after.date} OR (s.date = ${after.date} AND s.account_id > ${after.accountId}))`);
  }
  const points = sql.raw(HEALTH_SCORE_POINTS_COLUMNS.map((column) => `s.${column}`).join(", "));
  return db.all<ScoreExportRow>(sql`
    SELECT s.account_id, a.account_name, s.date, s.score, s.bucket, s.model_id, s.nps_source, ${points}
    FROM health_scores AS s
    JOIN accounts AS a ON a.id = s.account_id
    ${conditions.length > 0 ? sql`WHERE ${sql.join(conditions, sql` AND `)}` : sql``}
    ORDER BY s.date, s.account_id
    LIMIT ${limit}`);
}
