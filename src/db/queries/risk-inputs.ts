import { sql, type SQL } from "drizzle-orm";
import type { AccountSnapshot } from "../../domain/risk";
import { accountFields, type DailyMetrics } from "../../domain/types";
import type { Database } from "../../lib/types";
import { runBatch } from "../batch";
import type { AccountDetail } from "../../contract/accounts";
import { getAccountDetail } from "./account-detail";
import { BOOK_LATEST_DATE } from "./book-figures";
import {
  ACCOUNT_HEALTH_COLUMNS,
  LATEST_SCORE_JOIN,
  METRICS_COLUMNS,
  METRICS_WINDOW_JOIN,
  parseHealth,
  type AccountHealthRow,
} from "./account-rows";

/**
 * What the risk rules read (AccountSnapshot), loaded from D1: one account for recommendations and account insights,
 * or the portfolio's biggest accounts for the portfolio insight. Metrics reach back HISTORY_WINDOW_DAYS from each
 * account's latest metric date, so both paths feed the rules the same data.
 */

/** Accounts loaded per bucket group for the portfolio insight: the biggest by ARR, so the prompt stays bounded. */
export const PORTFOLIO_RISK_ACCOUNTS_LIMIT = 50;


type AsOfRow = { as_of: string | null } | undefined;

type SnapshotAccount = Omit<AccountSnapshot, "metrics" | "as_of">;

/** The snapshot's fields in one order, whichever query they come from (the insight cache hashes them). */
function toSnapshot(account: SnapshotAccount, metrics: DailyMetrics[], asOf: string | null): AccountSnapshot {
  return {
    id: account.id,
    ...accountFields(account),
    health_components: account.health_components,
    nps_source: account.nps_source,
    trend_30d: account.trend_30d,
    trend_60d: account.trend_60d,
    trend_90d: account.trend_90d,
    latest_metric_date: account.latest_metric_date,
    renewal_date: account.renewal_date,
    owner: account.owner,
    metrics,
    as_of: asOf,
  };
}

/** One account as the risk rules see it, from its detail (GET /accounts/{id}) and the book's latest date. */
export function accountSnapshotOf(detail: AccountDetail, asOf: string | null): AccountSnapshot {
  const latestScore = detail.health_history.at(-1);
  const npsSource = latestScore && latestScore.date === detail.latest_metric_date ? latestScore.nps_source : null;
  return toSnapshot({ ...detail, nps_source: npsSource }, detail.metrics_history, asOf);
}

/** The read of the book's latest metric date, which the risk rules measure staleness and renewals against. */
export function bookAsOfQuery(db: Database) {
  return db.get<AsOfRow>(BOOK_LATEST_DATE);
}

/** One account as the risk rules see it; null when there is no such account. */
export async function getAccountSnapshot(db: Database, id: number): Promise<AccountSnapshot | null> {
  const [detail, asOf] = await Promise.all([getAccountDetail(db, id), bookAsOfQuery(db)]);
  return detail ? accountSnapshotOf(detail, asOf?.as_of ?? null) : null;
}

function candidates(limit: number): SQL {
  return sql`
    WITH candidates(id) AS (
      SELECT id FROM (SELECT id FROM accounts WHERE health_bucket IN ('At-Risk', 'Critical')
                      ORDER BY arr DESC, id LIMIT ${limit})
      UNION
      SELECT id FROM (SELECT id FROM accounts WHERE health_bucket = 'Healthy' ORDER BY arr DESC, id LIMIT ${limit})
    )`;
}

type CandidateRow = AccountHealthRow & Pick<AccountSnapshot, "nps_source">;

type MetricRow = DailyMetrics & { account_id: number };

/**
 * The statements that read the snapshots of the accounts a `WITH candidates(id) AS (...)` clause names, biggest ARR
 * first, to run in one batch (three statements, whatever the number of accounts); `toSnapshots` assembles them.
 */
export function snapshotStatements(db: Database, candidatesClause: SQL) {
  return [
    db.all<CandidateRow>(sql`${candidatesClause}
      SELECT ${ACCOUNT_HEALTH_COLUMNS}, h.nps_source
      FROM candidates AS c
      JOIN accounts AS a ON a.id = c.id
      ${LATEST_SCORE_JOIN}
      ORDER BY a.arr DESC, a.id`),
    db.all<MetricRow>(sql`${candidatesClause}
      SELECT m.account_id, ${METRICS_COLUMNS}
      FROM candidates AS c
      JOIN accounts AS a ON a.id = c.id
      ${METRICS_WINDOW_JOIN}
      ORDER BY m.account_id, m.date`),
    db.get<AsOfRow>(BOOK_LATEST_DATE),
  ] as const;
}

/** The snapshots from the results of `snapshotStatements`, in the order of `accounts`. */
export function toSnapshots(accounts: readonly CandidateRow[], metrics: readonly MetricRow[], asOf: AsOfRow): AccountSnapshot[] {
  const metricsByAccount = new Map<number, DailyMetrics[]>();
  for (const { account_id: accountId, ...row } of metrics) {
    const rows = metricsByAccount.get(accountId) ?? [];
    rows.push(row);
    metricsByAccount.set(accountId, rows);
  }
  const portfolioAsOf = asOf?.as_of ?? null;
  return accounts.map((row) =>
    toSnapshot({ ...row, ...parseHealth(row) }, metricsByAccount.get(row.id) ?? [], portfolioAsOf),
  );
}

/**
 * The PORTFOLIO_RISK_ACCOUNTS_LIMIT biggest At-Risk or Critical accounts and as many of the biggest Healthy ones, as
 * snapshots, biggest ARR first; read in one batch.
 */
export async function getPortfolioRiskSnapshots(
  db: Database,
  limit = PORTFOLIO_RISK_ACCOUNTS_LIMIT,
): Promise<AccountSnapshot[]> {
  const [accounts, metrics, asOf] = await runBatch(db, snapshotStatements(db, candidates(limit)));
  return toSnapshots(accounts, metrics, asOf);
}
