/**
 * Latency of the insight endpoints with the rules provider through `wrangler dev` (a fresh local D1 loaded with
 * examples/accounts.csv): the median of 20 calls each, generated anew (`refresh=true`) and served from the cache.
 * Auth is on, with one key per endpoint and mode, so no key passes the insight rate limit (30 a minute).
 *
 * Then the cost of the checks between a model and the user: the bench-only Worker of bench/insight-checks serves the
 * same data, and answers every account and the portfolio with an answer quoting the data, checked and not, the two
 * arms alternating request by request (`--rounds` per account). It reports the median time of each arm and the
 * median of the per-request differences.
 * Usage: node bench/insights-latency.ts [--calls 20] [--rounds 15]
 */
import { createHash, randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startDevServer } from "./lib/dev-server.ts";
import { median } from "./lib/stats.ts";
import { uploadMultipart } from "./lib/upload.ts";

const { values } = parseArgs({ options: { calls: { type: "string", default: "20" }, rounds: { type: "string", default: "15" } } });
const calls = Number(values.calls);
const rounds = Number(values.rounds);
const CHECKS_CONFIG = "bench/insight-checks/wrangler.toml";
/** The budget the checks must keep: at most this many milliseconds added per insight at the median. */
const CHECKS_BUDGET_MS = 10;

const keys = Array.from({ length: 4 }, () => `ask_bench_${randomBytes(12).toString("hex")}`);
const digests = keys.map((key) => createHash("sha256").update(key).digest("hex"));
let nextKey = 0;

async function timeCalls(url: string, init: RequestInit): Promise<{ median: number; source: string; cached: boolean }> {
  const samples: number[] = [];
  let last: { source?: string; cached?: boolean } = {};
  const headers = { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${keys[nextKey++ % keys.length]}` };
  for (let call = 0; call < calls; call++) {
    const started = performance.now();
    const response = await fetch(url, { ...init, headers });
    last = (await response.json()) as typeof last;
    samples.push(performance.now() - started);
    if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status} ${JSON.stringify(last)}`);
  }
  return { median: median(samples), source: last.source ?? "?", cached: last.cached ?? false };
}

/** Times one request to the bench Worker, in milliseconds. */
async function timed(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url);
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status}`);
  return performance.now() - started;
}

/** Both arms for every target, alternating (which arm goes first alternates too), `rounds` times. */
async function checksCost(url: string, targets: readonly string[]) {
  const without: number[] = [];
  const withChecks: number[] = [];
  const differences: number[] = [];
  for (const target of targets) await timed(`${url}${target}?checks=1`); // warm up
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) {
      const plainFirst = round % 2 === 0;
      const first = await timed(`${url}${target}?checks=${plainFirst ? 0 : 1}`);
      const second = await timed(`${url}${target}?checks=${plainFirst ? 1 : 0}`);
      const [plain, checked] = plainFirst ? [first, second] : [second, first];
      without.push(plain);
      withChecks.push(checked);
      differences.push(checked - plain);
    }
  }
  return { without: median(without), with: median(withChecks), added: median(differences), samples: differences.length };
}

const server = await startDevServer({ vars: { API_KEYS: digests.join(",") }, keepState: true });
let accountIds: number[];
try {
  const upload = await uploadMultipart(`${server.url}/ingest/csv`, join(import.meta.dirname, "..", "examples", "accounts.csv"), {
    authorization: `Bearer ${keys[0]}`,
  });
  if (upload.status !== 200) throw new Error(`upload failed: HTTP ${upload.status}`);
  const portfolioBody = { include_recommendations: true, focus_areas: ["churn", "Enterprise"] };
  const endpoints = [
    { label: "POST /insights/account/1", path: "/insights/account/1", init: { method: "POST" } },
    {
      label: "POST /insights/portfolio",
      path: "/insights/portfolio",
      init: { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(portfolioBody) },
    },
  ];
  console.log(`median of ${calls} calls each, rules provider, wrangler dev, 36 accounts × 90 days`);
  for (const endpoint of endpoints) {
    const fresh = await timeCalls(`${server.url}${endpoint.path}?refresh=true`, endpoint.init);
    const cached = await timeCalls(`${server.url}${endpoint.path}`, endpoint.init);
    console.log(
      `${endpoint.label}: generated ${fresh.median.toFixed(1)} ms (source ${fresh.source}), ` +
        `cached ${cached.median.toFixed(1)} ms (cached: ${cached.cached})`,
    );
  }
  const list = await fetch(`${server.url}/accounts?page_size=100`, { headers: { authorization: `Bearer ${keys[0]}` } });
  accountIds = ((await list.json()) as { accounts: { id: number }[] }).accounts.map((account) => account.id);
} finally {
  await server.stop();
}

const checks = await startDevServer({ config: CHECKS_CONFIG, stateDir: server.stateDir, skipMigrations: true });
try {
  console.log(`\nthe checks, bench Worker on the same data, arms alternating, ${rounds} rounds:`);
  let worst = 0;
  for (const [label, targets] of [
    [`account insight (${accountIds.length} accounts)`, accountIds.map((id) => `/account/${id}`)],
    // The portfolio is one target: asked 10 times a round, for as many pairs as a tenth of the book's accounts give.
    ["portfolio insight", Array.from({ length: 10 }, () => "/portfolio")],
  ] as const) {
    const cost = await checksCost(checks.url, targets);
    worst = Math.max(worst, cost.added);
    console.log(
      `${label}: without checks ${cost.without.toFixed(2)} ms, with ${cost.with.toFixed(2)} ms (median); ` +
        `added per insight ${cost.added.toFixed(2)} ms (median of ${cost.samples} paired requests)`,
    );
  }
  console.log(`budget: at most ${CHECKS_BUDGET_MS} ms added per insight at the median: ${worst <= CHECKS_BUDGET_MS ? "held" : "EXCEEDED"}`);
  if (worst > CHECKS_BUDGET_MS) process.exitCode = 1;
} finally {
  await checks.stop();
  rmSync(server.stateDir, { recursive: true, force: true });
}
