import { sql } from "drizzle-orm";
import type { ModelSpec } from "../domain/health-model";
import type { PreviewAccount } from "../domain/model-preview";
import type { Bucket, ComponentPoints, Segment } from "../domain/types";
import type { Database } from "../lib/types";
import { latestDateTargets, modelScoresCte } from "./model-scores-sql";

/*
 * A model's scores at each account's latest metric date, read beside the stored health and written nowhere: the
 * preview's rows. The scores come from the statement an activation stores them with (model-scores-sql.ts).
 */

/** Accounts per statement: each reads its accounts' windows (at most 90 days each), well within D1's limits. */
const ACCOUNTS_PER_PREVIEW_CHUNK = 2_000;

interface PreviewRow {
  account_id: number;
  arr: number;
  before_score: number | null;
  before_bucket: Bucket | null;
  score: number;
  bucket: Bucket;
  missing_mask: number;
}

async function accountIds(db: Database, segment: Segment | undefined): Promise<number[]> {
  const rows = await db.values<[number]>(
    segment === undefined
      ? sql`SELECT id FROM accounts ORDER BY id`
      : sql`SELECT id FROM accounts WHERE segment = ${segment} ORDER BY id`,
  );
  return rows.map(([id]) => id);
}

/** Every account's (of `segment`, when given) score under `spec` beside its stored one, in id order. */
export async function previewAccounts(db: Database, spec: ModelSpec, segment?: Segment): Promise<PreviewAccount[]> {
  const ids = await accountIds(db, segment);
  const accounts: PreviewAccount[] = [];
  for (let start = 0; start < ids.length; start += ACCOUNTS_PER_PREVIEW_CHUNK) {
    const chunk = JSON.stringify(ids.slice(start, start + ACCOUNTS_PER_PREVIEW_CHUNK));
    const rows = await db.all<PreviewRow>(sql`
      WITH ${latestDateTargets(chunk, spec.window_days)}, ${modelScoresCte(spec, "over-scored-rows")}
      SELECT s.account_id, a.arr, a.health_score AS before_score, a.health_bucket AS before_bucket, s.score, s.bucket,
             s.missing_mask
      FROM model_scores AS s JOIN accounts AS a ON a.id = s.account_id
      ORDER BY s.account_id`);
    for (const row of rows) {
      accounts.push({
        account_id: row.account_id,
        arr: row.arr,
        before:
          row.before_score === null || row.before_bucket === null ? null : { score: row.before_score, bucket: row.before_bucket },
        after: { score: row.score, bucket: row.bucket },
        missing_mask: row.missing_mask,
      });
    }
  }
  return accounts;
}

export interface PreviewMover {
  account_id: number;
  account_name: string;
  segment: Segment;
  arr: number;
  score_before: number;
  score_after: number;
  bucket_before: Bucket;
  bucket_after: Bucket;
  components_before: ComponentPoints;
  components_after: ComponentPoints;
}

/** The given accounts with their components under the active model (stored) and under `spec`, in the order given. */
export async function previewMovers(db: Database, spec: ModelSpec, ids: readonly number[]): Promise<PreviewMover[]> {
  if (ids.length === 0) return [];
  const rows = await db.all<
    Omit<PreviewMover, "components_before" | "components_after"> & { components_before: string; components_after: string }
  >(sql`
    WITH ${latestDateTargets(JSON.stringify(ids), spec.window_days)}, ${modelScoresCte(spec, "over-scored-rows")}
    SELECT s.account_id, a.account_name, a.segment, a.arr, a.health_score AS score_before, s.score AS score_after,
           a.health_bucket AS bucket_before, s.bucket AS bucket_after, a.health_components AS components_before,
           s.components AS components_after
    FROM model_scores AS s JOIN accounts AS a ON a.id = s.account_id`);
  const byId = new Map(rows.map((row) => [row.account_id, row]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    if (!row) return [];
    return [
      {
        ...row,
        components_before: JSON.parse(row.components_before) as ComponentPoints,
        components_after: JSON.parse(row.components_after) as ComponentPoints,
      },
    ];
  });
}
