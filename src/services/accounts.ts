import type { SQL } from "drizzle-orm";
import type { Queues } from "../bindings";
import { runBatch } from "../db/batch";
import {
  accountEventStatement,
  accountHoldingName,
  countMergeConflicts,
  deleteAccountStatements,
  getAccountIdentity,
  mergeAccountsStatements,
  updateAccountStatements,
  type AccountIdentity,
} from "../db/queries/account-changes";
import { auditStatement } from "../db/queries/audit";
import { refreshRevenueFigures } from "../db/queries/revenue";
import type { Segment } from "../domain/types";
import { ApiError } from "../lib/errors";
import type { Database } from "../lib/types";
import { recomputeScores, type RecomputeOutcome, type RecomputeSettings } from "../scoring";
import { nudgeFanOut } from "../webhooks/messages";

/**
 * The corrections a team makes to what uploads stored: rename an account or move it to another segment or region,
 * merge two spellings of one customer, erase a customer. Each is one atomic batch (the change, the kept figures, the
 * event, the audit record), then the rescore the change calls for.
 */

export interface AccountChangeContext {
  db: Database;
  queues: Queues;
  settings: RecomputeSettings;
  /** The API key's name, for the audit record; null when auth is off. */
  actor: string | null;
}

async function existingAccount(db: Database, id: number): Promise<AccountIdentity> {
  const account = await getAccountIdentity(db, id);
  if (!account) throw new ApiError("not_found", `No account has id ${id}.`);
  return account;
}

function batchOf(statements: ReturnType<Database["run"]>[]) {
  const [first, ...rest] = statements;
  if (!first) throw new Error("A correction runs at least one statement");
  return [first, ...rest] as const;
}

/** Rescores what a correction marked stale (the account's whole history), inline or queued as any recompute. */
async function rescoreMarked(context: AccountChangeContext): Promise<RecomputeOutcome> {
  return recomputeScores(context.db, context.queues, { settings: context.settings, trigger: "api", scope: "stale" });
}

export interface AccountChanges {
  accountName?: string | undefined;
  segment?: Segment | undefined;
  region?: string | undefined;
}

/**
 * Renames an account (its old name becomes an alias, so an upload that still uses it lands here) and sets its segment
 * or region; a new segment rescores its history (the segment sets the DAU benchmark). A name another account holds,
 * as its name or an alias, is a 409.
 */
export async function updateAccount(context: AccountChangeContext, id: number, changes: AccountChanges) {
  const { db } = context;
  const before = await existingAccount(db, id);
  if (changes.accountName !== undefined && changes.accountName !== before.account_name) {
    const holder = await accountHoldingName(db, changes.accountName);
    if (holder !== null && holder !== id) {
      throw new ApiError(
        "conflict",
        `Account ${holder} already holds the name '${changes.accountName}' (as its name or a former name): merge the ` +
          `two accounts instead (POST /accounts/${holder}/merge with from_account_id ${id}).`,
      );
    }
  }
  const after = {
    accountName: changes.accountName ?? null,
    segment: changes.segment ?? null,
    region: changes.region ?? null,
  };
  const changed = Object.fromEntries(
    (
      [
        ["account_name", before.account_name, after.accountName],
        ["segment", before.segment, after.segment],
        ["region", before.region, after.region],
      ] as const
    )
      .filter(([, was, now]) => now !== null && now !== was)
      .map(([field, was, now]) => [field, { before: was, after: now }]),
  );
  if (Object.keys(changed).length === 0) return { changed, rescore: null };
  await runBatch(
    db,
    batchOf([
      ...updateAccountStatements(db, before, after),
      db.run(auditStatement({ actor: context.actor, action: "account.updated", subjectId: id, detail: changed })),
    ]),
  );
  const rescore = "segment" in changed ? await rescoreMarked(context) : null;
  await refreshRevenueFigures(db);
  return { changed, rescore };
}

/**
 * Merges the account `fromId` into `intoId`: its metric rows move over (on a date both have, `intoId`'s row stays),
 * with its aliases, its name (now an alias), its events and its renewal date and owner; it is deleted, and the merged
 * account is rescored over its whole history.
 */
export async function mergeAccounts(context: AccountChangeContext, intoId: number, fromId: number) {
  const { db } = context;
  if (intoId === fromId) {
    throw new ApiError("conflict", `An account cannot be merged into itself: from_account_id is ${fromId}, the account's own id.`);
  }
  const into = await existingAccount(db, intoId);
  const from = await getAccountIdentity(db, fromId);
  if (!from) throw new ApiError("not_found", `No account has id ${fromId} (from_account_id).`);
  const { rows, conflicts } = await countMergeConflicts(db, intoId, fromId);
  const figures = { account_id: intoId, from_account_id: fromId, metrics_moved: rows - conflicts, conflicts };
  const event: SQL = accountEventStatement("account.merged", intoId, figures);
  await runBatch(
    db,
    batchOf([
      ...mergeAccountsStatements(db, into, from, event),
      db.run(
        auditStatement({
          actor: context.actor,
          action: "account.merged",
          subjectId: intoId,
          detail: { ...figures, from_account_name: from.account_name },
        }),
      ),
    ]),
  );
  const rescore = await rescoreMarked(context);
  await refreshRevenueFigures(db);
  await nudgeFanOut(context.queues.webhooks, { account_id: intoId });
  return { ...figures, rescore };
}

/**
 * Erases an account: its metrics, scores, events (and their deliveries), cached insights and aliases. One
 * `account.deleted` event with its id remains, which the webhooks deliver; the audit record keeps the id, not the name.
 */
export async function deleteAccount(context: AccountChangeContext, id: number): Promise<void> {
  const { db } = context;
  await existingAccount(db, id);
  await runBatch(
    db,
    batchOf([
      ...deleteAccountStatements(db, id, accountEventStatement("account.deleted", id, { account_id: id })),
      db.run(auditStatement({ actor: context.actor, action: "account.deleted", subjectId: id, detail: { account_id: id } })),
    ]),
  );
  await refreshRevenueFigures(db);
  await nudgeFanOut(context.queues.webhooks, { account_id: id });
}
