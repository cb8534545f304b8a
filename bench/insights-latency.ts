/**
 * Latency of the insight endpoints with the rules provider through `wrangler dev` (a fresh local D1 loaded with
 * examples/accounts.csv): the median of 20 calls each, generated anew (`refresh=true`) and served from the cache.
 * Auth is on, with one key per endpoint and mode, so no key passes the insight rate limit (30 a minute).
 * Usage: node bench/insights-latency.ts [--calls 20]
 */
import { createHash, randomBytes } from "node:crypto";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startDevServer } from "./lib/dev-server.ts";
import { median } from "./lib/stats.ts";
import { uploadMultipart } from "./lib/upload.ts";

const { values } = parseArgs({ options: { calls: { type: "string", default: "20" } } });
const calls = Number(values.calls);

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

const server = await startDevServer({ vars: { API_KEYS: digests.join(",") } });
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
} finally {
  await server.stop();
}
