import { readBatchState, readStoredArrs, type MetricChange, type StoredAccount } from "../../db/queries/batch-preview";
import type { AccountTuple, MetricTuple } from "../../db/queries/metric-batches";
import type { RowWarning } from "../../ingest/columns";
import type { MetricRow } from "../../ingest/validate-row";
import { grouped, quoted } from "../../ingest/values";
import type { Database } from "../../lib/types";
import {
  AccountLedger,
  hash53,
  hashFrom,
  KeyLedger,
  keyPrefix,
  MAX_KEY_SLOTS,
  MAX_TRACKED_ACCOUNTS,
  type AccountState,
  type HashPrefix,
} from "./ledger";
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

/** An account of the batch under review: its state, whether the ledger keeps it, and its part of the key hashes. */
interface BatchAccount {
  state: AccountState;
  tracked: boolean;
  keyPrefix: HashPrefix;
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
    const { accounts, accountOfRow, unknownNames } = this.accountsOf(rows);
    const keyHash = (name: string, date: string) => hashFrom(accounts.get(name)?.keyPrefix ?? keyPrefix(name), date);
    // A dry run asks the database only about the keys no earlier batch of the file would have written.
    const tuples = this.dryRun ? toTuples(rows) : undefined;
    const tupleHashes = tuples ? tuples.metrics.map((tuple) => keyHash(tuple[0], tuple[1])) : [];
    const earlier = tupleHashes.map((hash) => this.keys.get(hash));
    const metricsToRead = tuples ? tuples.metrics.filter((_, index) => !earlier[index]) : [];
    const { states, changes } = await this.read(unknownNames, metricsToRead, keyHash);
    for (const name of unknownNames) {
      const account = accounts.get(name);
      if (!account) continue;
      account.state = states.get(name) ?? newState(undefined);
      account.tracked = this.accounts.add(name, account.state);
      if (!account.tracked) this.limited(warnings, rows[0]?.line ?? 0);
    }

    // The keys a full ledger could not take, checked within this batch only.
    let untrackedKeys: KeyLedger | undefined;
    rows.forEach((row, index) => {
      const account = accountOfRow[index];
      if (!account) return;
      const hash = hashFrom(account.keyPrefix, row.date);
      let earlierLine = this.keys.recordLine(hash, row.line);
      if (earlierLine === undefined) {
        untrackedKeys ??= new KeyLedger();
        earlierLine = untrackedKeys.recordLine(hash, row.line) ?? 0;
        this.limited(warnings, row.line);
      }
      if (earlierLine > 0) {
        warnings.push({
          line: row.line,
          column: null,
          code: "duplicate_row",
          message: `${quoted(row.accountName)} on ${row.date} is also on line ${earlierLine}: only one row per account and date is kept, the later one (line ${row.line}).`,
        });
      }
      const { state } = account;
      const previous = state.lastArr;
      if (previous > 0 && row.arr > 0 && (row.arr > previous * ARR_JUMP_FACTOR || row.arr * ARR_JUMP_FACTOR < previous)) {
        warnings.push({
          line: row.line,
          column: "arr",
          code: "arr_jump",
          message: `ARR ${grouped(row.arr)} is ${row.arr > previous ? `more than ${ARR_JUMP_FACTOR} times` : `less than 1/${ARR_JUMP_FACTOR} of`} the account's previous ARR, ${grouped(previous)} (${state.lastLine > 0 ? `line ${state.lastLine}` : "as stored"}): a typo or a missing separator?`,
        });
      }
      state.lastArr = row.arr;
      state.lastLine = row.line;
    });

    if (tuples) {
      this.countWouldBe(tuples, accounts, changes, tupleHashes, earlier);
      for (const { state, tracked } of accounts.values()) {
        if (tracked) continue;
        if (state.created) this.untracked.created++;
        else if (state.changed) this.untracked.updated++;
      }
    }
    this.tally.warn(warnings.sort((a, b) => a.line - b.line));
  }

  /**
   * The batch's accounts, each with the ledger's state for it; the ones the ledger does not know (`unknownNames`) get a
   * blank state until the database has been read. Rows of one account usually come together, so a row whose account
   * is the one of the row before skips the lookup.
   */
  private accountsOf(rows: readonly MetricRow[]) {
    const accounts = new Map<string, BatchAccount>();
    const accountOfRow: BatchAccount[] = new Array<BatchAccount>(rows.length);
    const unknownNames: string[] = [];
    let current: BatchAccount | undefined;
    let currentName = "";
    rows.forEach((row, index) => {
      if (!current || row.accountName !== currentName) {
        currentName = row.accountName;
        current = accounts.get(currentName);
        if (!current) {
          const state = this.accounts.get(currentName);
          current = { state: state ?? newState(undefined), tracked: state !== undefined, keyPrefix: keyPrefix(currentName) };
          accounts.set(currentName, current);
          if (!state) unknownNames.push(currentName);
        }
      }
      accountOfRow[index] = current;
    });
    return { accounts, accountOfRow, unknownNames };
  }

  /** Dry run: the accounts that would be created and updated so far. */
  accountCounts(): { created: number; updated: number } {
    const tracked = this.accounts.counts();
    return { created: tracked.created + this.untracked.created, updated: tracked.updated + this.untracked.updated };
  }

  /**
   * The state of each named account as stored (none for an account not stored) and, in a dry run, which of `metrics`
   * writing them would change, by key hash. An upload's review compares only ARR, so that is all it reads.
   */
  private async read(
    names: readonly string[],
    metrics: readonly MetricTuple[],
    keyHash: (name: string, date: string) => number,
  ): Promise<{ states: Map<string, AccountState>; changes: Map<number, MetricChange> }> {
    const states = new Map<string, AccountState>();
    const changes = new Map<number, MetricChange>();
    if (names.length === 0 && metrics.length === 0) return { states, changes };
    const started = Date.now();
    if (this.dryRun) {
      const stored = await readBatchState(this.db, names, metrics);
      for (const account of stored.accounts) states.set(account.account_name, newState(account));
      for (const change of stored.changes) changes.set(keyHash(change.account_name, change.date), change);
    } else {
      for (const [name, arr] of await readStoredArrs(this.db, names)) states.set(name, { ...newState(undefined), lastArr: arr });
    }
    this.readMs += Date.now() - started;
    return { states, changes };
  }

  /**
   * Counts what writing the batch would create and update, moves each account's state on as the write would, and
   * keeps each key's values hash in the ledger for the batches after. A key an earlier batch would have written
   * (`earlier`, by tuple) is compared with that batch's values; any other with the database (`changes`: the keys that
   * differ, by key hash).
   */
  private countWouldBe(
    tuples: ReturnType<typeof toTuples>,
    accounts: Map<string, BatchAccount>,
    changes: Map<number, MetricChange>,
    tupleHashes: readonly number[],
    earlier: readonly ({ values: number } | undefined)[],
  ): void {
    for (const tuple of tuples.accounts) {
      const state = accounts.get(tuple[0])?.state;
      if (!state) continue;
      if (!state.exists) {
        const [, segment, region, arr, latestDate, , renewalDate, renewalDateAsOf, owner, ownerAsOf] = tuple;
        Object.assign(state, { exists: true, created: true, changed: true, segment, region, arr, latestDate });
        Object.assign(state, { renewalDate, renewalDateAsOf, owner, ownerAsOf });
      } else if (applyAccountTuple(state, tuple)) {
        state.changed = true;
      }
    }
    tuples.metrics.forEach((tuple, index) => {
      const hash = tupleHashes[index] ?? 0;
      const values = valuesHash(tuple);
      const before = earlier[index];
      const change = before ? undefined : changes.get(hash);
      const created = change?.created === 1;
      const updated = before ? before.values !== values : change?.created === 0;
      if (created) this.tally.metricsCreated++;
      else if (updated) this.tally.metricsUpdated++;
      if (created || updated) {
        const state = accounts.get(tuple[0])?.state;
        if (state) state.changed = true;
      }
      this.keys.setValues(hash, values);
    });
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
