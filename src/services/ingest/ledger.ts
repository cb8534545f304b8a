import type { StoredAccount } from "../../db/queries/batch-preview";
import type { Segment } from "../../domain/types";

/**
 * What an upload remembers of the batches it has passed, in bounded memory: the account + date keys it has seen
 * (for duplicate warnings across batches, and for a dry run's created/updated counts) and, per account, its previous
 * ARR and, in a dry run, the state the upload would have left it in. The rows themselves are never kept.
 *
 * Keys are 53-bit hashes in typed arrays (16 bytes a key), growing up to MAX_KEY_SLOTS (16 MiB: 734,003 keys);
 * accounts are at most MAX_TRACKED_ACCOUNTS entries. Past either bound, what is new is checked within its own batch
 * only, and the upload says so once (a `tracking_limited` warning).
 */

/** cyrb53's running state part-way through a text; `hashFrom` goes on from it. */
export interface HashPrefix {
  readonly h1: number;
  readonly h2: number;
}

const HASH_START: HashPrefix = { h1: 0xdeadbeef, h2: 0x41c6ce57 };

/** The state after hashing `text` from `prefix`. */
export function hashPrefix(text: string, prefix: HashPrefix = HASH_START): HashPrefix {
  let { h1, h2 } = prefix;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  return { h1, h2 };
}

/** The hash of the text `prefix` was made from followed by `text`, without building that text. */
export function hashFrom(prefix: HashPrefix, text: string): number {
  let { h1, h2 } = hashPrefix(text, prefix);
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** cyrb53 (bryc, public domain): a fast 53-bit string hash, so one number in a Float64Array holds it exactly. */
export function hash53(text: string): number {
  return hashFrom(HASH_START, text);
}

/**
 * An account + date key is the hash of the name, a NUL and the date. The name's part is worked out once per account
 * (`keyPrefix`), so a row costs the hashing of its ten date characters.
 */
export function keyPrefix(accountName: string): HashPrefix {
  return hashPrefix("\u0000", hashPrefix(accountName));
}

export const MAX_KEY_SLOTS = 1 << 20;
const INITIAL_KEY_SLOTS = 1 << 12;
const MAX_LOAD = 0.7;

/** Open addressing with linear probing over typed arrays; hash 0 marks an empty slot. */
export class KeyLedger {
  private hashes: Float64Array;
  private lines: Uint32Array;
  private values: Uint32Array;
  private count = 0;
  /** Set once a new key found the table at its bound. */
  full = false;

  constructor(private readonly maxSlots = MAX_KEY_SLOTS) {
    const slots = Math.min(INITIAL_KEY_SLOTS, maxSlots);
    this.hashes = new Float64Array(slots);
    this.lines = new Uint32Array(slots);
    this.values = new Uint32Array(slots);
  }

  get size(): number {
    return this.count;
  }

  private slotOf(hash: number): number {
    const mask = this.hashes.length - 1;
    // The low 32 bits of the hash, as well mixed as the rest and cheaper than a remainder of the whole.
    let slot = (hash >>> 0) & mask;
    while (this.hashes[slot] !== 0 && this.hashes[slot] !== hash) slot = (slot + 1) & mask;
    return slot;
  }

  /** The line and values hash recorded for `hash`, or undefined. */
  get(key: number): { line: number; values: number } | undefined {
    const slot = this.slotOf(key || 1);
    if (this.hashes[slot] === 0) return undefined;
    return { line: this.lines[slot] ?? 0, values: this.values[slot] ?? 0 };
  }

  /**
   * Records `line` as the key's latest and answers the line recorded before it: 0 for a new key (its values hash
   * starts at 0), undefined when the key is new and the table is at its bound (nothing is recorded).
   */
  recordLine(key: number, line: number): number | undefined {
    const hash = key || 1;
    let slot = this.slotOf(hash);
    if (this.hashes[slot] === 0) {
      if (this.count + 1 > this.hashes.length * MAX_LOAD) {
        if (this.hashes.length >= this.maxSlots) {
          this.full = true;
          return undefined;
        }
        this.grow();
        slot = this.slotOf(hash);
      }
      this.hashes[slot] = hash;
      this.count++;
    }
    const previous = this.lines[slot] ?? 0;
    this.lines[slot] = line;
    return previous;
  }

  /** Sets the values hash of a key the table holds (nothing for one it does not). */
  setValues(key: number, values: number): void {
    const slot = this.slotOf(key || 1);
    if (this.hashes[slot] !== 0) this.values[slot] = values;
  }

  private grow(): void {
    const { hashes, lines, values } = this;
    const slots = hashes.length * 2;
    this.hashes = new Float64Array(slots);
    this.lines = new Uint32Array(slots);
    this.values = new Uint32Array(slots);
    for (let old = 0; old < hashes.length; old++) {
      const hash = hashes[old] ?? 0;
      if (hash === 0) continue;
      const slot = this.slotOf(hash);
      this.hashes[slot] = hash;
      this.lines[slot] = lines[old] ?? 0;
      this.values[slot] = values[old] ?? 0;
    }
  }
}

/** One account as the upload has seen it so far. */
export interface AccountState {
  /** The ARR of its last row in file order, and that row's line. */
  lastArr: number;
  lastLine: number;
  /** Dry run: whether the account would exist by now (stored before, or created by an earlier batch). */
  exists: boolean;
  /** Dry run: created by this upload; changed by it (created or not). */
  created: boolean;
  changed: boolean;
  /** Dry run: its attributes as the upload would have left them. */
  segment: Segment | null;
  region: string | null;
  arr: number | null;
  latestDate: string | null;
  /** Dry run: the renewal date and owner, each with the metric date it came from. */
  renewalDate: string | null;
  renewalDateAsOf: string | null;
  owner: string | null;
  ownerAsOf: string | null;
}

export const MAX_TRACKED_ACCOUNTS = 100_000;

export class AccountLedger {
  private readonly accounts = new Map<number, AccountState>();
  /** Set once an account found the ledger at its bound. */
  full = false;

  constructor(private readonly maxAccounts = MAX_TRACKED_ACCOUNTS) {}

  get(name: string): AccountState | undefined {
    return this.accounts.get(hash53(name));
  }

  /** Keeps `state` for the account; false (and nothing kept) when the ledger is at its bound. */
  add(name: string, state: AccountState): boolean {
    if (this.accounts.size >= this.maxAccounts) {
      this.full = true;
      return false;
    }
    this.accounts.set(hash53(name), state);
    return true;
  }

  /** Accounts counted in a dry run: would be created; existed and would change. */
  counts(): { created: number; updated: number } {
    let created = 0;
    let updated = 0;
    for (const state of this.accounts.values()) {
      if (state.created) created++;
      else if (state.changed) updated++;
    }
    return { created, updated };
  }
}

/** An account of the batch under review: its state, whether the ledger keeps it, and its part of the key hashes. */
export interface BatchAccount {
  state: AccountState;
  tracked: boolean;
  keyPrefix: HashPrefix;
}

/** An account's state before any row of the upload: as stored, or blank for an account not stored. */
export function newState(stored: StoredAccount | undefined): AccountState {
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
