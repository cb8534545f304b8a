import { sql, type SQL } from "drizzle-orm";
import type { Segment } from "../../domain/types";
import type { Database } from "../../lib/types";
import { accountShares } from "./book-figures";
import { MARK_REVENUE_FIGURES_STALE } from "./revenue";
import { BUMP_DATA_VERSION } from "./data-version";

/*
 * The statements of the corrections no upload makes (a rename, a new segment or region, a merge, an erasure), each
 * run as ONE atomic batch by services/accounts.ts: the kept figures move with them (the account's share taken away
 * before and added back after), the revenue statement is marked stale and the data version bumped in the same batch,
 * so every figure and ETag follows at once.
 */

export interface AccountIdentity {
  id: number;
  account_name: string;
  segment: Segment;
  region: string;
}

export async function getAccountIdentity(db: Database, id: number): Promise<AccountIdentity | null> {
  return (
    (await db.get<AccountIdentity | undefined>(sql`SELECT id, account_name, segment, region FROM accounts WHERE id = ${id}`)) ??
    null
  );
}

/** The account that holds `name`, as its name or as an alias; null when none does. */
export async function accountHoldingName(db: Database, name: string): Promise<number | null> {
  const row = await db.get<{ id: number } | undefined>(sql`
    SELECT id FROM accounts WHERE account_name = ${name}
    UNION ALL SELECT account_id FROM account_aliases WHERE alias = ${name}
    LIMIT 1`);
  return row?.id ?? null;
}

/** Every alias and the name of its account now: what an upload resolves its names through. */
export async function listAliasTargets(db: Database): Promise<Map<string, string>> {
  const rows = await db.all<{ alias: string; account_name: string }>(sql`
    SELECT l.alias, a.account_name FROM account_aliases AS l JOIN accounts AS a ON a.id = l.account_id`);
  return new Map(rows.map((row) => [row.alias, row.account_name]));
}

const ids = (...accountIds: number[]) => JSON.stringify(accountIds);

/** Marks the account's scores stale over all its metric dates: its next rescore recomputes its whole history. */
function markWholeHistoryStale(accountId: number): SQL {
  return sql`
    UPDATE accounts
    SET scores_stale_from = (SELECT min(date) FROM account_metrics WHERE account_id = ${accountId}),
        scores_stale_to = (SELECT max(date) FROM account_metrics WHERE account_id = ${accountId})
    WHERE id = ${accountId} AND EXISTS (SELECT 1 FROM account_metrics WHERE account_id = ${accountId})`;
}

/**
 * Deletes the account's scores. health_scores is keyed (date, account_id), so the account's rows are found by probing
 * each calendar date from the book's first score to its last: a probe a day, not a scan of every account's scores.
 */
function deleteScores(accountId: number): SQL {
  return sql`
    WITH RECURSIVE day(date) AS (
      SELECT (SELECT min(date) FROM health_scores)
      UNION ALL
      SELECT date(date, '+1 day') FROM day WHERE date < (SELECT max(date) FROM health_scores))
    DELETE FROM health_scores WHERE account_id = ${accountId} AND date IN (SELECT date FROM day WHERE date IS NOT NULL)`;
}

/** Renames the account and changes its segment and region (null: keep); the old name becomes its alias. */
export function updateAccountStatements(
  db: Database,
  before: AccountIdentity,
  changes: { accountName: string | null; segment: Segment | null; region: string | null },
) {
  const renamed = changes.accountName !== null && changes.accountName !== before.account_name;
  const regrouped =
    (changes.segment !== null && changes.segment !== before.segment) || (changes.region !== null && changes.region !== before.region);
  return [
    ...(regrouped ? accountShares(ids(before.id), -1) : []),
    sql`
      UPDATE accounts
      SET account_name = coalesce(${changes.accountName}, account_name),
          segment = coalesce(${changes.segment}, segment),
          region = coalesce(${changes.region}, region),
          updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
      WHERE id = ${before.id}`,
    ...(regrouped ? accountShares(ids(before.id), 1) : []),
    ...(renamed
      ? [
          sql`DELETE FROM account_aliases WHERE alias = ${changes.accountName} AND account_id = ${before.id}`,
          sql`INSERT INTO account_aliases (alias, account_id) VALUES (${before.account_name}, ${before.id})`,
        ]
      : []),
    // A segment sets the DAU benchmark its scores are measured against.
    ...(changes.segment !== null && changes.segment !== before.segment ? [markWholeHistoryStale(before.id)] : []),
    sql`DELETE FROM insight_cache WHERE account_id = ${before.id}`,
    MARK_REVENUE_FIGURES_STALE,
    BUMP_DATA_VERSION,
  ].map((statement) => db.run(statement));
}

/** How many of `from`'s metric dates `into` has too (its rows win there). */
export async function countMergeConflicts(db: Database, into: number, from: number): Promise<{ rows: number; conflicts: number }> {
  const row = await db.get<{ rows: number; conflicts: number }>(sql`
    SELECT count(*) AS rows,
           count(i.date) AS conflicts
    FROM account_metrics AS f
    LEFT JOIN account_metrics AS i ON i.account_id = ${into} AND i.date = f.date
    WHERE f.account_id = ${from}`);
  return row ?? { rows: 0, conflicts: 0 };
}

/** Everything of the account's own but its row, and the account row itself, after its share left the figures. */
function eraseStatements(accountId: number): SQL[] {
  return [
    ...accountShares(ids(accountId), -1),
    deleteScores(accountId),
    sql`DELETE FROM account_metrics WHERE account_id = ${accountId}`,
    sql`DELETE FROM insight_cache WHERE account_id = ${accountId}`,
    sql`DELETE FROM accounts WHERE id = ${accountId}`,
  ];
}

/**
 * Moves `from`'s metric rows into `into` (where both have a date, `into`'s row stays), its aliases and its name (as an
 * alias), and its events; deletes `from`; brings `into`'s ARR, latest date, renewal date and owner up to its merged
 * rows, as an upload would, and marks its whole history for the rescore that follows.
 */
export function mergeAccountsStatements(db: Database, into: AccountIdentity, from: AccountIdentity, event: SQL) {
  return [
    ...accountShares(ids(into.id), -1),
    sql`
      INSERT INTO account_metrics
        (account_id, date, daily_active_users, feature_adoption_rate, support_tickets_open, nps_score, login_frequency,
         arr, renewal_date, owner, measures, ingest_run_id)
      SELECT ${into.id}, date, daily_active_users, feature_adoption_rate, support_tickets_open, nps_score, login_frequency,
             arr, renewal_date, owner, measures, ingest_run_id
      FROM account_metrics WHERE account_id = ${from.id}
      ON CONFLICT (account_id, date) DO NOTHING`,
    sql`UPDATE account_aliases SET account_id = ${into.id} WHERE account_id = ${from.id}`,
    sql`UPDATE health_events SET account_id = ${into.id} WHERE account_id = ${from.id}`,
    ...eraseStatements(from.id),
    sql`INSERT INTO account_aliases (alias, account_id) VALUES (${from.account_name}, ${into.id})`,
    sql`
      UPDATE accounts
      SET latest_metric_date = (SELECT max(date) FROM account_metrics WHERE account_id = ${into.id}),
          arr = (SELECT arr FROM account_metrics WHERE account_id = ${into.id} ORDER BY date DESC LIMIT 1),
          renewal_date = coalesce(
            (SELECT renewal_date FROM account_metrics
             WHERE account_id = ${into.id} AND renewal_date IS NOT NULL ORDER BY date DESC LIMIT 1), renewal_date),
          owner = coalesce(
            (SELECT owner FROM account_metrics WHERE account_id = ${into.id} AND owner IS NOT NULL ORDER BY date DESC LIMIT 1),
            owner),
          updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
      WHERE id = ${into.id}`,
    ...accountShares(ids(into.id), 1),
    markWholeHistoryStale(into.id),
    sql`DELETE FROM insight_cache WHERE account_id = ${into.id}`,
    event,
    MARK_REVENUE_FIGURES_STALE,
    BUMP_DATA_VERSION,
  ].map((statement) => db.run(statement));
}

/**
 * Erases the account: its scores, metrics, cached insights, aliases (cascade) and events, the deliveries of those
 * events, and the names its audit records hold; `event` is the one `account.deleted` that remains.
 */
export function deleteAccountStatements(db: Database, accountId: number, event: SQL) {
  return [
    sql`DELETE FROM webhook_deliveries WHERE event_id IN (SELECT id FROM health_events WHERE account_id = ${accountId})`,
    sql`DELETE FROM health_events WHERE account_id = ${accountId}`,
    // The audit log keeps that the account was corrected, not the names it had.
    sql`UPDATE audit_records SET detail = json_object('erased', json('true'))
        WHERE subject_id = ${accountId} AND action IN ('account.updated', 'account.merged')`,
    ...eraseStatements(accountId),
    event,
    MARK_REVENUE_FIGURES_STALE,
    BUMP_DATA_VERSION,
  ].map((statement) => db.run(statement));
}

/** The statement that writes an account event (`account.merged`, `account.deleted`) in a correction's batch. */
export function accountEventStatement(type: "account.merged" | "account.deleted", accountId: number, data: object): SQL {
  return sql`
    INSERT INTO health_events (type, account_id, occurred_at, as_of, data)
    VALUES (${type}, ${accountId}, ${new Date().toISOString()}, NULL, ${JSON.stringify(data)})`;
}
