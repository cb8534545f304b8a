/**
 * An upload refused on its first line must answer its 400 through `wrangler dev`, every time: wrangler's proxy loses
 * an answer the Worker sends before it has read the request body (cloudflare/workers-sdk#15203), so outside
 * production the upload route reads the rest of a refused body before answering (src/ingest/drainable-body.ts).
 *
 *   npm run bench:early-reject                      # 50 tries of a 30 MB single-line upload, drained and not
 *   npm run bench:early-reject -- --tries 10 --mb 5 # a quick try
 *
 * Two servers, one after the other: the development configuration (drains) and the production one (does not; API
 * keys on, as production requires). For each: how many tries answered 400, what the others answered, the median time
 * to the answer, and whether /healthz still answers afterwards. The difference of the medians is what draining costs.
 * Writes bench/results/latest-early-reject.json; exits 1 when the development server missed a 400.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startDevServer } from "./lib/dev-server.ts";
import { median } from "./lib/stats.ts";

const { values } = parseArgs({
  options: {
    tries: { type: "string", default: "50" },
    mb: { type: "string", default: "30" },
    port: { type: "string", default: "8797" },
  },
});
const TRIES = Number(values.tries);
const BODY = Buffer.alloc(Number(values.mb) * 1024 * 1024, "a");
const PORT = Number(values.port);
const KEY = "ask_early-reject-bench";
const KEYS = `ingest:bench:${createHash("sha256").update(KEY).digest("hex")}`;

interface Outcome {
  configuration: string;
  tries: number;
  answered_400: number;
  other_answers: Record<string, number>;
  median_ms: number;
  healthz_after: number | string;
}

async function tryUploads(configuration: string, vars: Record<string, string>): Promise<Outcome> {
  const server = await startDevServer({ port: PORT, vars });
  try {
    const times: number[] = [];
    const others: Record<string, number> = {};
    let refused = 0;
    for (let attempt = 0; attempt < TRIES; attempt++) {
      const started = performance.now();
      let answer: string;
      try {
        const response = await fetch(`${server.url}/ingest/csv`, {
          method: "POST",
          body: BODY,
          headers: { "content-type": "text/csv", authorization: `Bearer ${KEY}` },
        });
        const text = await response.text();
        answer = response.status === 400 ? "400" : `${response.status} ${text.slice(0, 80)}`;
      } catch (error) {
        answer = `network error: ${error instanceof Error ? error.message : String(error)}`;
      }
      times.push(performance.now() - started);
      if (answer === "400") refused++;
      else others[answer] = (others[answer] ?? 0) + 1;
    }
    let healthz: number | string;
    try {
      healthz = (await fetch(`${server.url}/healthz`)).status;
    } catch (error) {
      healthz = error instanceof Error ? error.message : String(error);
    }
    const outcome = {
      configuration,
      tries: TRIES,
      answered_400: refused,
      other_answers: others,
      median_ms: Math.round(median(times)),
      healthz_after: healthz,
    };
    console.log(JSON.stringify(outcome));
    return outcome;
  } finally {
    await server.stop();
  }
}

const drained = await tryUploads("development (drains)", {});
const undrained = await tryUploads("production (does not drain)", { ENVIRONMENT: "production", API_KEYS: KEYS });
const result = {
  measured_at: new Date().toISOString(),
  body_bytes: BODY.byteLength,
  development: drained,
  production: undrained,
  drain_cost_ms: drained.median_ms - undrained.median_ms,
};
const out = join(import.meta.dirname, "results", "latest-early-reject.json");
mkdirSync(join(import.meta.dirname, "results"), { recursive: true });
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(
  `development: ${drained.answered_400}/${TRIES} answered 400 (median ${drained.median_ms} ms), /healthz ${drained.healthz_after}; ` +
    `production: ${undrained.answered_400}/${TRIES} (median ${undrained.median_ms} ms); draining costs ${result.drain_cost_ms} ms per ${values.mb} MB`,
);
if (drained.answered_400 !== TRIES || drained.healthz_after !== 200) process.exit(1);
