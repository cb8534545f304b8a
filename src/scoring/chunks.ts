import { sql } from "drizzle-orm";
import type { ChangedRange } from "../db/schema";
import { NPS_CARRY_DAYS } from "../domain/health";
import type { Database } from "../lib/types";
import type { RecomputeOptions } from "./types";

/*
 * How a rescore's accounts are cut into chunks, each one atomic D1 batch: a fixed number of accounts for a full
 * recompute, and for a stale rescore as many accounts as keep the dates read per chunk bounded.
 */

/**
 * Accounts per atomic batch of statements. 250 accounts × 90 days is ~22,500 metric rows per statement, far from
 * D1's 30 s per query, and each statement binds a handful of parameters (the ids travel as ONE JSON parameter).
 */
export const ACCOUNTS_PER_CHUNK = 250;

/** What a stale rescore counts for an account marked stale without its dates (a year of history). */
const DATES_PER_UNKNOWN_ACCOUNT = 365;
/** Each chunk's ids and ranges are JSON parameters; this keeps them small. */
const MAX_ACCOUNTS_PER_CHUNK = 1000;
/**
 * The dates a stale rescore's chunk reads at most: what a daily delta of MAX_ACCOUNTS_PER_CHUNK accounts reads with a
 * 30-day window (the day, the window before it, the NPS reach after it), so a daily feed of 1,000 accounts is one
 * batch. A chunk of year-long backfills is then ~330 accounts, about what a full recompute's chunk reads.
 */
const DATES_PER_CHUNK = MAX_ACCOUNTS_PER_CHUNK * (1 + 29 + NPS_CARRY_DAYS);

/** The changed ranges grouped by account. */
export function rangesByAccount(ranges: readonly ChangedRange[]): Map<number, ChangedRange[]> {
  const byAccount = new Map<number, ChangedRange[]>();
  for (const range of ranges) {
    const list = byAccount.get(range[0]);
    if (list) list.push(range);
    else byAccount.set(range[0], [range]);
  }
  return byAccount;
}

/** Every account id in ascending order, or those in [first, last]. */
async function accountIdsIn(db: Database, range?: { first: number; last: number }): Promise<number[]> {
  const rows = range
    ? await db.values<[number]>(sql`SELECT id FROM accounts WHERE id BETWEEN ${range.first} AND ${range.last} ORDER BY id`)
    : await db.values<[number]>(sql`SELECT id FROM accounts ORDER BY id`);
  return rows.map(([id]) => id);
}

const DAY_MS = 86_400_000;

/**
 * The dates a stale rescore of the account reads at most, from its changed ranges: from the trailing window before
 * the first change to the reach after the last. An account without ranges (marked stale only) counts as a year.
 */
function datesToRead(ranges: readonly ChangedRange[] | undefined, reachDays: number, windowDays: number): number {
  if (!ranges || ranges.length === 0) return DATES_PER_UNKNOWN_ACCOUNT;
  const first = Math.min(...ranges.map(([, from]) => Date.parse(from)));
  const last = Math.max(...ranges.map(([, , to]) => Date.parse(to)));
  return Math.round((last - first) / DAY_MS) + 1 + reachDays + windowDays - 1;
}

/**
 * Fills each chunk up to DATES_PER_CHUNK dates read (and at most MAX_ACCOUNTS_PER_CHUNK accounts): a daily delta runs
 * in one batch, while a chunk of long backfills stays about as light as a full recompute's.
 */
function chunksOf(ids: readonly number[], datesOf: (id: number) => number): number[][] {
  const chunks: number[][] = [];
  let chunk: number[] = [];
  let dates = 0;
  for (const id of ids) {
    const accountDates = datesOf(id);
    if (chunk.length > 0 && (chunk.length >= MAX_ACCOUNTS_PER_CHUNK || dates + accountDates > DATES_PER_CHUNK)) {
      chunks.push(chunk);
      chunk = [];
      dates = 0;
    }
    chunk.push(id);
    dates += accountDates;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

export async function chunksOfAccountIds(
  db: Database,
  options: RecomputeOptions,
  rangesOf: ReadonlyMap<number, ChangedRange[]>,
  reachDays: number,
  windowDays: number,
): Promise<number[][]> {
  const ids = options.accountIds
    ? [...new Set(options.accountIds)].sort((a, b) => a - b)
    : await accountIdsIn(db, options.idRange);
  if ((options.scope ?? "all") === "all") {
    // Every date of every account: a fixed number of accounts a chunk.
    return Array.from({ length: Math.ceil(ids.length / ACCOUNTS_PER_CHUNK) }, (_, index) =>
      ids.slice(index * ACCOUNTS_PER_CHUNK, (index + 1) * ACCOUNTS_PER_CHUNK),
    );
  }
  return chunksOf(ids, (id) => datesToRead(rangesOf.get(id), reachDays, windowDays));
}
