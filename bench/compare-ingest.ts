/**
 * The 1,000,000-row upload of `npm run bench`, side by side on two or more checkouts of the project, so a change is
 * measured against the code before it in one run on the same machine (absolute figures on a shared machine move too
 * much between runs to compare).
 *
 *   git worktree add ../before <commit> && (cd ../before && npm ci)
 *   npm run bench:compare -- ../before .                  # 3 rounds, checkouts alternated within each round
 *   npm run bench:compare -- --rounds 5 ../before .
 *
 * Each upload gets a fresh `wrangler dev` on a fresh local D1, started from that checkout (its own wrangler.toml,
 * migrations and node_modules). Prints each upload and each checkout's median rows/s, and the ratio of each to the
 * first checkout's median.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { dataFile, upload } from "./lib/api.ts";
import { startDevServer } from "./lib/dev-server.ts";
import { median } from "./lib/stats.ts";

const { values, positionals } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    // Not 8790, the port of the other benchmarks.
    port: { type: "string", default: "8796" },
  },
  allowPositionals: true,
});
if (positionals.length < 2) {
  console.error("usage: npm run bench:compare -- [--rounds N] <checkout> <checkout> [...]");
  process.exit(2);
}
const roots = positionals.map((root) => resolve(root));
const rounds = Number(values.rounds);
const path = await dataFile(10_000, 100);

const rowsPerSecond = new Map<string, number[]>(roots.map((root) => [root, []]));
for (let round = 1; round <= rounds; round++) {
  for (const root of roots) {
    const server = await startDevServer({ port: Number(values.port), root });
    try {
      const measured = await upload(server, path);
      const rate = Math.round(measured.body.rows_total / measured.seconds);
      rowsPerSecond.get(root)?.push(rate);
      const { reading, writing, rescoring } = measured.body.timings_ms;
      console.log(`round ${round} ${root}: ${rate} rows/s (${measured.seconds.toFixed(2)} s; server ms ${reading} / ${writing} / ${rescoring})`);
    } finally {
      await server.stop();
    }
  }
}
const baseline = median(rowsPerSecond.get(roots[0] ?? "") ?? []);
for (const [root, rates] of rowsPerSecond) {
  const middle = median(rates);
  console.log(`${root}: median ${Math.round(middle)} rows/s (${rates.join(", ")}), ${(middle / baseline).toFixed(2)} of the first`);
}
