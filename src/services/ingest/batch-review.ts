import { readStoredArrs, type MetricChange } from "../../db/queries/batch-preview";
import type { RowWarning } from "../../ingest/columns";
import type { MetricRow } from "../../ingest/validate-row";
import { grouped, quoted } from "../../ingest/values";
import type { Database } from "../../lib/types";
import { DryRunSimulation, type SimulatedBatch } from "./dry-run";
import {
  AccountLedger,
  hashFrom,
  KeyLedger,
  keyPrefix,
  MAX_KEY_SLOTS,
  MAX_TRACKED_ACCOUNTS,
  newState,
  type AccountState,
  type BatchAccount,
} from "./ledger";
import type { IngestTally } from "./tally";

/**
 * Looks at each batch of valid rows before it is written (or, in a dry run, instead of writing it) and warns about
 * duplicate account + date keys and ARR jumps, across batches as far as the ledgers reach. In a dry run it also drives
 * the simulation of the writes (dry-run.ts), which counts what each batch would create and update.
 */

/** A row's ARR this many times above or below the account's previous ARR is flagged. */
export const ARR_JUMP_FACTOR = 10;

export class BatchReview {
  private readonly keys = new KeyLedger();
  private readonly accounts = new AccountLedger();
  private readonly simulation: DryRunSimulation | null;
  private limitWarned = false;
  /** Time spent reading the database. */
  readMs = 0;
  /** A dry run's review in flight, and how the last one failed. */
  private inFlight: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly db: Database,
    private readonly tally: IngestTally,
    /** Rows per batch: past the ledgers' bounds, the checks reach only this far. */
    private readonly batchSize: number,
    dryRun: boolean,
  ) {
    this.simulation = dryRun ? new DryRunSimulation(db, tally, this.keys, this.accounts) : null;
  }

  /**
   * Reviews one batch (rows in file order) and hands the tally its warnings, `rowWarnings` included, by line. An upload
   * waits for it, since the batch's write must not start before its read (the read is of the state before the batch).
   * A dry run writes nothing, so its review runs while the next batch is parsed, one at a time, in file order, as an
   * upload's writes do (BatchPipeline); a failure surfaces at the next review or at `flush`.
   */
  async review(rows: readonly MetricRow[], rowWarnings: readonly RowWarning[]): Promise<void> {
    if (!this.simulation) return this.reviewNow(rows, rowWarnings);
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

  /** Dry run: the accounts that would be created and updated so far. */
  accountCounts(): { created: number; updated: number } {
    return this.simulation?.accountCounts() ?? { created: 0, updated: 0 };
  }

  private async reviewNow(rows: readonly MetricRow[], rowWarnings: readonly RowWarning[]): Promise<void> {
    const warnings: RowWarning[] = [...rowWarnings];
    const { accounts, accountOfRow, unknownNames } = this.accountsOf(rows);
    const keyHash = (name: string, date: string) => hashFrom(accounts.get(name)?.keyPrefix ?? keyPrefix(name), date);
    const simulated = this.simulation?.plan(rows, keyHash);
    const { states, changes } = await this.read(unknownNames, simulated, keyHash);
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

    if (simulated) this.simulation?.simulate(simulated, accounts, changes);
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

  /**
   * The state of each named account as stored (none for an account not stored) and, in a dry run, which of the batch's
   * metrics writing them would change, by key hash. An upload's review compares only ARR, so that is all it reads.
   */
  private async read(
    names: readonly string[],
    simulated: SimulatedBatch | undefined,
    keyHash: (name: string, date: string) => number,
  ): Promise<{ states: Map<string, AccountState>; changes: Map<number, MetricChange> }> {
    const started = Date.now();
    try {
      if (this.simulation && simulated) return await this.simulation.read(names, simulated, keyHash);
      const states = new Map<string, AccountState>();
      if (names.length === 0) return { states, changes: new Map() };
      for (const [name, arr] of await readStoredArrs(this.db, names)) states.set(name, { ...newState(undefined), lastArr: arr });
      return { states, changes: new Map() };
    } finally {
      this.readMs += Date.now() - started;
    }
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
        `accounts: from here on, duplicates and ARR jumps are checked within each batch of ${grouped(this.batchSize)} rows only` +
        " (and a dry run's counts may count a row repeated across batches twice).",
    });
  }
}
