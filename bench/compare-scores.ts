/**
 * Whether two checkouts of the project store the same scores: each gets a fresh `wrangler dev` on a fresh local D1, the
 * same upload and a full recompute (`POST /health/recompute`, followed to completion); then every `health_scores` row
 * and every account's current health, components and trends are read from the local D1 file and compared, timestamps
 * aside. Used to show that model 1 scores byte for byte as the code before health models did.
 *
 *   git worktree add /tmp/before <commit> && (cd /tmp/before && npm ci)
 *   npm run bench:scores -- /tmp/before . examples/accounts.csv
 *   npm run bench:scores -- /tmp/before . --generated 1000x90
 */
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { dataFile, timeRecompute, upload, withServer } from "./lib/api.ts";

const { values, positionals } = parseArgs({
  options: { generated: { type: "string" }, port: { type: "string", default: "8797" } },
  allowPositionals: true,
});
const [first, second, csv] = positionals;
if (!first || !second || (!csv && !values.generated)) {
  console.error("usage: npm run bench:scores -- <checkout> <checkout> (<file.csv> | --generated <accounts>x<days>)");
  process.exit(2);
}

async function fileToUpload(): Promise<string> {
  if (csv) return resolve(csv);
  const [accounts, days] = (values.generated ?? "").split("x").map(Number);
  return dataFile(accounts ?? 0, days ?? 0);
}

/** The local D1's SQLite file in a wrangler state directory (the one database the project binds). */
function sqliteFile(stateDir: string): string {
  const dir = join(stateDir, "v3", "d1", "miniflare-D1DatabaseObject");
  const file = readdirSync(dir).find((name) => name.endsWith(".sqlite") && name !== "metadata.sqlite");
  if (!file) throw new Error(`no local D1 in ${dir}`);
  return join(dir, file);
}

/** Every stored score and every account's current health, as JSON text, in key order; no timestamps, no ids of runs. */
function storedScores(path: string): { scores: string; accounts: string } {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const scores = db
      .prepare(
        `SELECT a.account_name, h.date, h.score, h.bucket, h.dau_points, h.adoption_points, h.tickets_points, h.nps_points,
                h.login_points, h.nps_source
         FROM health_scores AS h JOIN accounts AS a ON a.id = h.account_id ORDER BY a.account_name, h.date`,
      )
      .all();
    const accounts = db
      .prepare(
        `SELECT account_name, segment, region, arr, latest_metric_date, health_score, health_bucket, health_change_30d,
                arr_change_30d, arr_change_90d, engagement_trend_30d, health_components, trend_30d, trend_60d, trend_90d,
                renewal_date, owner
         FROM accounts ORDER BY account_name`,
      )
      .all();
    return { scores: JSON.stringify(scores), accounts: JSON.stringify(accounts) };
  } finally {
    db.close();
  }
}

const path = await fileToUpload();
const results = [];
for (const root of [first, second].map((checkout) => resolve(checkout))) {
  results.push(
    await withServer({ root, port: Number(values.port), keepState: false }, async (server) => {
      await upload(server, path);
      await timeRecompute(server);
      const stored = storedScores(sqliteFile(server.stateDir));
      console.log(`${root}: ${JSON.parse(stored.scores).length} scores, ${JSON.parse(stored.accounts).length} accounts`);
      return stored;
    }),
  );
}
const [before, after] = results;
const sameScores = before?.scores === after?.scores;
const sameAccounts = before?.accounts === after?.accounts;
console.log(`health_scores identical: ${sameScores}; accounts' health, components and trends identical: ${sameAccounts}`);
process.exit(sameScores && sameAccounts ? 0 : 1);
