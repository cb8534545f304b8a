import { readBatchState, type MetricChange } from "../../db/queries/batch-preview";
import type { AccountTuple, MetricTuple } from "../../db/queries/metric-tuples";
import type { MetricRow } from "../../ingest/validate-row";
import type { Database } from "../../lib/types";
import { hash53, newState, type AccountLedger, type AccountState, type BatchAccount, type KeyLedger } from "./ledger";
import type { IngestTally } from "./tally";
import { toTuples } from "./writer";

/*
 * A dry run's simulation of the writes: what each batch would create and update, from one read-only query per batch
 * and what the earlier batches would have written (the ledgers it shares with the BatchReview that drives it).
 *
 * The counts follow the batch upsert (db/queries/metric-batches.ts) rule for rule: within a batch the later line of an
 * account + date wins; a metric row counts as updated when any value differs; an account's segment, region and ARR
 * come from its latest-dated row, its renewal date and owner from its latest-dated row that has them, and it counts as
 * updated when any of them changes or any of its metrics does (applyAccountTuple). A change to those upsert rules needs
 * the same change here: the dry-run property test (test/fuzz/ingest-values.property.test.ts) compares the two.
 */

function valuesHash(tuple: MetricTuple): number {
  return hash53(JSON.stringify(tuple.slice(2))) >>> 0;
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

/** A batch as the writer would send it, and for each of its keys the values an earlier batch would have written. */
export interface SimulatedBatch {
  tuples: ReturnType<typeof toTuples>;
  tupleHashes: number[];
  earlier: ({ values: number } | undefined)[];
}

export class DryRunSimulation {
  /** Accounts past the ledger's bound, counted batch by batch. */
  private readonly untracked = { created: 0, updated: 0 };

  constructor(
    private readonly db: Database,
    private readonly tally: IngestTally,
    private readonly keys: KeyLedger,
    private readonly accounts: AccountLedger,
  ) {}

  plan(rows: readonly MetricRow[], keyHash: (name: string, date: string) => number): SimulatedBatch {
    const tuples = toTuples(rows);
    const tupleHashes = tuples.metrics.map((tuple) => keyHash(tuple[0], tuple[1]));
    return { tuples, tupleHashes, earlier: tupleHashes.map((hash) => this.keys.get(hash)) };
  }

  /**
   * The state of each named account as stored and which of the batch's metrics writing them would change, by key
   * hash. Only the keys no earlier batch of the file would have written are asked about.
   */
  async read(
    names: readonly string[],
    batch: SimulatedBatch,
    keyHash: (name: string, date: string) => number,
  ): Promise<{ states: Map<string, AccountState>; changes: Map<number, MetricChange> }> {
    const states = new Map<string, AccountState>();
    const changes = new Map<number, MetricChange>();
    const metrics: MetricTuple[] = batch.tuples.metrics.filter((_, index) => !batch.earlier[index]);
    if (names.length === 0 && metrics.length === 0) return { states, changes };
    const stored = await readBatchState(this.db, names, metrics);
    for (const account of stored.accounts) states.set(account.account_name, newState(account));
    for (const change of stored.changes) changes.set(keyHash(change.account_name, change.date), change);
    return { states, changes };
  }

  /** Counts the batch (see countWouldBe), then the accounts the ledger could not keep. */
  simulate(batch: SimulatedBatch, accounts: Map<string, BatchAccount>, changes: Map<number, MetricChange>): void {
    this.countWouldBe(batch.tuples, accounts, changes, batch.tupleHashes, batch.earlier);
    for (const { state, tracked } of accounts.values()) {
      if (tracked) continue;
      if (state.created) this.untracked.created++;
      else if (state.changed) this.untracked.updated++;
    }
  }

  /** The accounts that would be created and updated so far. */
  accountCounts(): { created: number; updated: number } {
    const tracked = this.accounts.counts();
    return { created: tracked.created + this.untracked.created, updated: tracked.updated + this.untracked.updated };
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
}
