import { readBatchState, type MetricChange, type StoredAccount } from "../../db/queries/batch-preview";
import type { AccountTuple, MetricTuple } from "../../db/queries/metric-batches";
import type { MetricRow, RowWarning } from "../../ingest/validate-row";
import { grouped, quoted } from "../../ingest/values";
import type { Database } from "../../lib/types";
import { AccountLedger, hash53, KeyLedger, MAX_KEY_SLOTS, MAX_TRACKED_ACCOUNTS, type AccountState } from "./ledger";
import type { IngestTally } from "./tally";
import { toTuples } from "./writer";

/**
 * Looks at each batch of valid rows before it is written (or, in a dry run, instead of writing it): warns about
 * duplicate account + date keys and ARR jumps, and in a dry run counts what the batch would create and update, from
 * one read-only query per batch and what the earlier batches would have written (the ledger).
 *
 * The counts follow the batch upsert (db/queries/metric-batches.ts) rule for rule: within a batch the later line of an
 * account + date wins; a metric row counts as updated when any value differs; an account's segment, region and ARR
 * come from its latest-dated row, its renewal date and owner from its latest-dated row that has them, and it counts as
 * updated when any of them changes or any of its metrics does (applyAccountTuple). A change to those upsert rules needs
 * the same change here: the dry-run property test (test/fuzz/ingest-values.property.test.ts) compares the two.
 */

/** A row's ARR this many times above or below the account's previous ARR is flagged. */
export const ARR_JUMP_FACTOR = 10;

const key = (name: string, date: string) => `${name}\u0000${date}`;

/** A key of the batch under review: see reviewNow. */
interface BatchKey {
  hash: number;
  earlier: { line: number; values: number } | undefined;
  line: number;
}

function valuesHash(tuple: MetricTuple): number {
  return hash53(JSON.stringify(tuple.slice(2))) >>> 0;
}

function newState(stored: StoredAccount | undefined): AccountState {
  return {
    lastArr: stored ? stored.arr : Number.NaN,
    lastLine: 0,
    exists: stored !== undefined,
    created: false,
    changed: false,
    segment: stored?.segment ?? null,
    region: stored?.region ?? null,
    arr: stored?.arr ?? null,
    latestDate: stored?.latest_metric_date ?? null,
    renewalDate: stored?.renewal_date ?? null,
    renewalDateAsOf: stored?.renewal_date_as_of ?? null,
    owner: stored?.owner ?? null,
    ownerAsOf: stored?.owner_as_of ?? null,
  };
}

/**
 * Moves an existing account's state on as the batch upsert would, and says whether it changed: its segment and region
 * from a row dated at or after its latest (upsertAccounts; its ARR and latest date follow too, but those are its
 * metrics' change, counted with them); then its renewal date and owner from the batch's latest-dated row that has
 * them, when dated at or after the latest stored row that has them and different (applyRenewalsAndOwners).
 */
function applyAccountTuple(state: AccountState, tuple: AccountTuple): boolean {
  const [, segment, region, arr, latestDate, , renewalDate, renewalDateAsOf, owner, ownerAsOf] = tuple;
  let changed = false;
  if (state.latestDate === null || latestDate >= state.latestDate) {
    if (state.segment !== segment || state.region !== region) changed = true;
    Object.assign(state, { segment, region, arr, latestDate });
  }
  if (renewalDateAsOf !== null && renewalDateAsOf >= (state.renewalDateAsOf ?? "")) {
    if (state.renewalDate !== renewalDate) changed = true;
    Object.assign(state, { renewalDate, renewalDateAsOf });
  }
  if (ownerAsOf !== null && ownerAsOf >= (state.ownerAsOf ?? "")) {
    if (state.owner !== owner) changed = true;
    Object.assign(state, { owner, ownerAsOf });
  }
  return changed;
}

export class BatchReview {
  private readonly keys = new KeyLedger();
  private readonly accounts = new AccountLedger();
  private limitWarned = false;
  /** Dry run: accounts past the ledger's bound, counted batch by batch. */
  private readonly untracked = { created: 0, updated: 0 };
  /** Time spent reading the database. */
  readMs = 0;
  /** A dry run's review in flight, and how the last one failed. */
  private inFlight: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly db: Database,
    private readonly tally: IngestTally,
    private readonly dryRun: boolean,
  ) {}

  /**
   * Reviews one batch (rows in file order) and hands the tally its warnings, `rowWarnings` included, by line. An upload
   * waits for it, since the batch's write must not start before its read (the read is of the state before the batch).
   * A dry run writes nothing, so its review runs while the next batch is parsed, one at a time, in file order, as an
   * upload's writes do (BatchPipeline); a failure surfaces at the next review or at `flush`.
   */
  async review(rows: readonly MetricRow[], rowWarnings: readonly RowWarning[]): Promise<void> {
    if (!this.dryRun) return this.reviewNow(rows, rowWarnings);
    await this.flush();
    this.inFlight = this.reviewNow(rows, rowWarnings).catch((error: unknown) => {
      this.failure = { error };
    });
  }

  /** Waits for the review in flight; throws its failure. */
  async flush(): Promise<void> {
    await this.inFlight;
    if (this.failure) throw this.failure.error;
  }

  /** Waits for the review in flight without throwing. */
  settle(): Promise<void> {
    return this.inFlight;
  }

  private async reviewNow(rows: readonly MetricRow[], rowWarnings: readonly RowWarning[]): Promise<void> {
    const warnings: RowWarning[] = [...rowWarnings];
    const batchAccounts = new Map<string, { state: AccountState; tracked: boolean }>();
    const unknownNames: string[] = [];
    for (const row of rows) {
      if (batchAccounts.has(row.accountName)) continue;
      const state = this.accounts.get(row.accountName);
      if (state) batchAccounts.set(row.accountName, { state, tracked: true });
      else {
        batchAccounts.set(row.accountName, { state: newState(undefined), tracked: false });
        unknownNames.push(row.accountName);
      }
    }
    // Each key of the batch, worked out once: its hash, what the ledger holds for it from the batches before, and its
    // latest line in this batch so far (0 until a row of the batch has been read with it). One map, one entry a key.
    const batchKeys = new Map<string, BatchKey>();
    const batchKey = (rowKey: string): BatchKey => {
      let found = batchKeys.get(rowKey);
      if (!found) {
        const hash = hash53(rowKey);
        found = { hash, earlier: this.keys.get(hash), line: 0 };
        batchKeys.set(rowKey, found);
      }
      return found;
    };
    const tuples = this.dryRun ? toTuples(rows) : undefined;
    // A dry run asks the database only about the keys no earlier batch of the file would have written.
    const metricsToRead = tuples ? tuples.metrics.filter((tuple) => !batchKey(key(tuple[0], tuple[1])).earlier) : [];
    const { accounts: storedAccounts, changes } = await this.read(unknownNames, metricsToRead);
    for (const name of unknownNames) {
      const state = newState(storedAccounts.get(name));
      const tracked = this.accounts.add(name, state);
      batchAccounts.set(name, { state, tracked });
      if (!tracked) this.limited(warnings, rows[0]?.line ?? 0);
    }

    for (const row of rows) {
      const seen = batchKey(key(row.accountName, row.date));
      const earlierLine = seen.line > 0 ? seen.line : seen.earlier?.line;
      if (earlierLine !== undefined) {
        warnings.push({
          line: row.line,
          column: null,
          code: "duplicate_row",
          message: `${quoted(row.accountName)} on ${row.date} is also on line ${earlierLine}: only one row per account and date is kept, the later one (line ${row.line}).`,
        });
      }
      seen.line = row.line;
      const account = batchAccounts.get(row.accountName)?.state;
      if (account) {
        const previous = account.lastArr;
        if (previous > 0 && row.arr > 0 && (row.arr > previous * ARR_JUMP_FACTOR || row.arr * ARR_JUMP_FACTOR < previous)) {
          warnings.push({
            line: row.line,
            column: "arr",
            code: "arr_jump",
            message: `ARR ${grouped(row.arr)} is ${row.arr > previous ? `more than ${ARR_JUMP_FACTOR} times` : `less than 1/${ARR_JUMP_FACTOR} of`} the account's previous ARR, ${grouped(previous)} (${account.lastLine > 0 ? `line ${account.lastLine}` : "as stored"}): a typo or a missing separator?`,
          });
        }
        account.lastArr = row.arr;
        account.lastLine = row.line;
      }
    }

    const values = tuples ? this.countWouldBe(tuples, batchAccounts, changes, (rowKey) => batchKey(rowKey).earlier) : undefined;
    for (const [rowKey, { hash, line }] of batchKeys) {
      if (!this.keys.set(hash, line, values?.get(rowKey) ?? 0)) this.limited(warnings, line);
    }
    if (this.dryRun) {
      for (const { state, tracked } of batchAccounts.values()) {
        if (tracked) continue;
        if (state.created) this.untracked.created++;
        else if (state.changed) this.untracked.updated++;
      }
    }
    this.tally.warn(warnings.sort((a, b) => a.line - b.line));
  }

  /** Dry run: the accounts that would be created and updated so far. */
  accountCounts(): { created: number; updated: number } {
    const tracked = this.accounts.counts();
    return { created: tracked.created + this.untracked.created, updated: tracked.updated + this.untracked.updated };
  }

  private async read(names: readonly string[], metrics: readonly MetricTuple[]) {
    const accounts = new Map<string, StoredAccount>();
    const changes = new Map<string, MetricChange>();
    if (names.length === 0 && metrics.length === 0) return { accounts, changes };
    const started = Date.now();
    const stored = await readBatchState(this.db, names, metrics);
    this.readMs += Date.now() - started;
    for (const account of stored.accounts) accounts.set(account.account_name, account);
    for (const change of stored.changes) changes.set(key(change.account_name, change.date), change);
    return { accounts, changes };
  }

  /**
   * Counts what writing the batch would create and update, and moves each account's state on as the write would;
   * answers each key's values hash, which the ledger keeps for the batches after. A key an earlier batch would have
   * written is compared with that batch's values; any other with the database (`changes`: the keys that differ).
   */
  private countWouldBe(
    tuples: ReturnType<typeof toTuples>,
    batchAccounts: Map<string, { state: AccountState }>,
    changes: Map<string, MetricChange>,
    earlierOf: (rowKey: string) => { values: number } | undefined,
  ): Map<string, number> {
    for (const tuple of tuples.accounts) {
      const state = batchAccounts.get(tuple[0])?.state;
      if (!state) continue;
      if (!state.exists) {
        const [, segment, region, arr, latestDate, , renewalDate, renewalDateAsOf, owner, ownerAsOf] = tuple;
        Object.assign(state, { exists: true, created: true, changed: true, segment, region, arr, latestDate });
        Object.assign(state, { renewalDate, renewalDateAsOf, owner, ownerAsOf });
      } else if (applyAccountTuple(state, tuple)) {
        state.changed = true;
      }
    }
    const hashes = new Map<string, number>();
    for (const tuple of tuples.metrics) {
      const rowKey = key(tuple[0], tuple[1]);
      const hash = valuesHash(tuple);
      hashes.set(rowKey, hash);
      const before = earlierOf(rowKey);
      const change = before ? undefined : changes.get(rowKey);
      const created = change?.created === 1;
      const updated = before ? before.values !== hash : change?.created === 0;
      if (created) this.tally.metricsCreated++;
      else if (updated) this.tally.metricsUpdated++;
      if (created || updated) {
        const state = batchAccounts.get(tuple[0])?.state;
        if (state) state.changed = true;
      }
    }
    return hashes;
  }

  private limited(warnings: RowWarning[], line: number): void {
    if (this.limitWarned) return;
    this.limitWarned = true;
    warnings.push({
      line,
      column: null,
      code: "tracking_limited",
      message:
        `The file has more than ${grouped(Math.floor(MAX_KEY_SLOTS * 0.7))} distinct account-dates or ${grouped(MAX_TRACKED_ACCOUNTS)} ` +
        "accounts: from here on, duplicates and ARR jumps are checked within each batch of 10,000 rows only" +
        " (and a dry run's counts may count a row repeated across batches twice).",
    });
  }
}
