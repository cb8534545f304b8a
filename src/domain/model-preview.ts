import { roundTo } from "./health";
import { BUCKETS, type Bucket } from "./types";

/*
 * What a model's preview says of the book: each account's score at its latest metric date under the active model
 * (as stored) and under the draft, summed up as buckets, ARR, moves between buckets and the distribution of the score
 * change. Plain figures over plain rows: the scores come from the same SQL that an activation then stores, so these
 * are the figures the book shows after it.
 */

export interface PreviewAccount {
  account_id: number;
  arr: number;
  /** The current score under the active model; null while the account has not been scored. */
  before: { score: number; bucket: Bucket } | null;
  /** The score of the same date under the draft. */
  after: { score: number; bucket: Bucket };
  /** Bit i set: the draft's component i had no data for the account (its weight went to the others). */
  missing_mask: number;
}

export interface BucketFigures {
  accounts_by_bucket: Record<Bucket, number>;
  arr_by_bucket: Record<Bucket, number>;
}

export interface BucketMove {
  from: Bucket;
  to: Bucket;
  accounts: number;
  arr: number;
}

export interface ScoreChange {
  mean: number;
  p10: number;
  p50: number;
  p90: number;
}

export interface PreviewSummary {
  /** Accounts with metrics previewed (every one has a draft score). */
  accounts: number;
  active: BucketFigures;
  draft: BucketFigures;
  /** Every pair of buckets, Healthy → Healthy first, over the accounts scored under both. */
  moves: BucketMove[];
  /** Draft score − active score, over the accounts scored under both; zeros when there are none. */
  score_change: ScoreChange;
  /** The accounts whose score moves most (largest |change|, then lowest id). */
  top_mover_ids: number[];
  /** Per draft component, how many accounts it had no data for. */
  missing_by_component: number[];
  /** Accounts with metrics but no score under the active model yet (left out of moves and score_change). */
  unscored_before: number;
}

export const TOP_MOVERS = 20;

const emptyByBucket = () => Object.fromEntries(BUCKETS.map((bucket) => [bucket, 0])) as Record<Bucket, number>;

/** Accounts and ARR per bucket; ARR summed in the order given and rounded to cents. */
export function bucketFigures(accounts: readonly { bucket: Bucket; arr: number }[]): BucketFigures {
  const counts = emptyByBucket();
  const arr = emptyByBucket();
  for (const account of accounts) {
    counts[account.bucket] += 1;
    arr[account.bucket] += account.arr;
  }
  for (const bucket of BUCKETS) arr[bucket] = roundTo(arr[bucket], 2);
  return { accounts_by_bucket: counts, arr_by_bucket: arr };
}

/** The value at rank ceil(p × n) of the sorted values (nearest rank): always one of the changes. */
function nearestRank(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

function scoreChange(changes: readonly number[]): ScoreChange {
  if (changes.length === 0) return { mean: 0, p10: 0, p50: 0, p90: 0 };
  const sorted = [...changes].sort((a, b) => a - b);
  const mean = changes.reduce((sum, change) => sum + change, 0) / changes.length;
  return { mean: roundTo(mean, 2), p10: nearestRank(sorted, 0.1), p50: nearestRank(sorted, 0.5), p90: nearestRank(sorted, 0.9) };
}

/** The preview's figures, from the accounts in id order. */
export function summarizePreview(accounts: readonly PreviewAccount[], componentCount: number): PreviewSummary {
  const scored = accounts.flatMap((account) => (account.before ? [{ ...account, before: account.before }] : []));
  const moves = BUCKETS.flatMap((from) =>
    BUCKETS.map((to) => {
      const moved = scored.filter((account) => account.before.bucket === from && account.after.bucket === to);
      return { from, to, accounts: moved.length, arr: roundTo(moved.reduce((sum, account) => sum + account.arr, 0), 2) };
    }),
  );
  // Scores have one decimal: the change is rounded to it, so 71.3 − 70.1 reads 1.2, not 1.1999999999999957.
  const changes = scored.map((account) => ({ id: account.account_id, change: roundTo(account.after.score - account.before.score, 1) }));
  const topMovers = [...changes]
    .filter((mover) => mover.change !== 0)
    .sort((a, b) => Math.abs(b.change) - Math.abs(a.change) || a.id - b.id)
    .slice(0, TOP_MOVERS);
  return {
    accounts: accounts.length,
    active: bucketFigures(scored.map((account) => ({ bucket: account.before.bucket, arr: account.arr }))),
    draft: bucketFigures(accounts.map((account) => ({ bucket: account.after.bucket, arr: account.arr }))),
    moves,
    score_change: scoreChange(changes.map((mover) => mover.change)),
    top_mover_ids: topMovers.map((mover) => mover.id),
    missing_by_component: Array.from(
      { length: componentCount },
      (_, index) => accounts.filter((account) => (account.missing_mask & (2 ** index)) !== 0).length,
    ),
    unscored_before: accounts.length - scored.length,
  };
}

/** The warnings a preview carries: measures often missing, and accounts not scored yet under the active model. */
export function previewWarnings(summary: PreviewSummary, components: readonly { measure: string }[]): string[] {
  const warnings: string[] = [];
  const warned = new Set<string>();
  components.forEach((component, index) => {
    const missing = summary.missing_by_component[index] ?? 0;
    if (missing === 0 || warned.has(component.measure)) return;
    warned.add(component.measure);
    const share = roundTo((missing * 100) / summary.accounts, 0);
    warnings.push(
      `measure \`${component.measure}\` is missing for ${share}% of accounts (${missing} of ${summary.accounts}): its weight is spread over the others for them`,
    );
  });
  if (summary.unscored_before > 0) {
    warnings.push(
      `${summary.unscored_before} accounts have no score under the active model yet: they count in the draft's buckets only, not in the moves`,
    );
  }
  return warnings;
}

/** The accounts that change bucket and their ARR: the moves off the diagonal, ARR rounded to cents. */
export function bucketChanges(moves: readonly BucketMove[]): { accounts: number; arr: number } {
  const changing = moves.filter((move) => move.from !== move.to);
  return {
    accounts: changing.reduce((sum, move) => sum + move.accounts, 0),
    arr: roundTo(changing.reduce((sum, move) => sum + move.arr, 0), 2),
  };
}
