/**
 * `npm run bench` (or `npm run bench -- --quick`): ingestion against the raw D1 ceiling, workerd memory during a
 * re-upload, recompute at two sizes (and at 100k accounts through the queue), and read load against the liveness
 * baseline, all through `wrangler dev` on fresh local D1 databases. Prints a table and writes bench/results/.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { insertAtCeiling, prepareRows } from "./lib/ceiling.ts";
import { startDevServer, type DevServer, type DevServerOptions } from "./lib/dev-server.ts";
import { loadTest, type LoadResult } from "./lib/load.ts";
import { findWorkerd, sampleWhile } from "./lib/memory.ts";
import { uploadMultipart } from "./lib/upload.ts";
import { median } from "./lib/stats.ts";
import { generateCsv } from "./generate.ts";

const { values } = parseArgs({ options: { quick: { type: "boolean", default: false } } });
const quick = values.quick;

const PLAN = quick
  ? {
      ingest: [{ accounts: 500, days: 100 }],
      recompute: [
        { accounts: 200, days: 90 },
        { accounts: 2000, days: 90 },
      ],
      scale: null,
      loadSeconds: 2,
    }
  : {
      ingest: [
        { accounts: 100, days: 100 },
        { accounts: 1000, days: 100 },
        { accounts: 10_000, days: 100 },
      ],
      recompute: [
        { accounts: 1000, days: 90 },
        { accounts: 10_000, days: 90 },
      ],
      scale: { accounts: 100_000, days: 30 },
      loadSeconds: 10,
    };

const DATA_DIR = join(import.meta.dirname, "data");
const RESULTS_DIR = join(import.meta.dirname, "results");
const CEILING_CONFIG = "bench/ceiling/wrangler.toml";
const END_DATE = "2026-10-31";
const SEED = 42;

const round = (value: number, digits = 0) => Number(value.toFixed(digits));
const mib = (bytes: number) => round(bytes / 2 ** 20, 1);
const count = (value: number) => value.toLocaleString("en-US");

async function dataFile(accounts: number, days: number): Promise<string> {
  mkdirSync(DATA_DIR, { recursive: true });
  const path = join(DATA_DIR, `metrics-${accounts}x${days}-seed${SEED}.csv`);
  if (!existsSync(path)) await generateCsv({ accounts, days, seed: SEED, out: path, end: END_DATE });
  return path;
}

async function withServer<T>(options: DevServerOptions, task: (server: DevServer) => Promise<T>): Promise<T> {
  const server = await startDevServer(options);
  try {
    return await task(server);
  } finally {
    await server.stop();
  }
}

interface UploadBody {
  rows_total: number;
  rows_rejected: number;
  accounts_rescored: number;
  rescore_job_id: number | null;
  duration_ms: number;
  timings_ms: { reading: number; writing: number; rescoring: number };
}

interface JobBody {
  status: string;
  accounts_updated: number;
  scores_written: number;
}

async function upload(server: DevServer, path: string) {
  const started = performance.now();
  const result = await uploadMultipart(`${server.url}/ingest/csv`, path);
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 200) throw new Error(`upload of ${path}: HTTP ${result.status} ${JSON.stringify(result.body)}`);
  return { seconds, bytes: result.bytes, body: result.body as UploadBody };
}

/** Polls a recompute job until it completes; answers it, with the seconds from `since` until it was seen done. */
async function waitForJob(server: DevServer, id: number, since: number): Promise<{ job: JobBody; seconds: number }> {
  for (;;) {
    const job = (await (await fetch(`${server.url}/health/recompute/jobs/${id}`)).json()) as JobBody;
    if (job.status === "completed") return { job, seconds: (performance.now() - since) / 1000 };
    if (job.status === "failed") throw new Error(`recompute job ${id} failed: ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Uploads a file; when the upload queued its rescoring (a big one), also waits until the scores are fresh. */
async function uploadUntilScored(server: DevServer, path: string) {
  const started = performance.now();
  const uploaded = await upload(server, path);
  const jobId = uploaded.body.rescore_job_id;
  const scoredSeconds = jobId === null ? uploaded.seconds : (await waitForJob(server, jobId, started)).seconds;
  return { ...uploaded, rescore: jobId === null ? "inline" : "queued job", scoredSeconds };
}

/** POST /health/recompute, and when it is queued (a big book), until its job completes. */
async function timeRecompute(server: DevServer) {
  const started = performance.now();
  const response = await fetch(`${server.url}/health/recompute`, { method: "POST" });
  const body = (await response.json()) as { accounts_updated: number; scores_written: number; job: { id: number } | null };
  if (response.status === 202 && body.job) {
    const { job, seconds } = await waitForJob(server, body.job.id, started);
    return { seconds, accounts: job.accounts_updated, scores: job.scores_written, mode: "queued" };
  }
  if (response.status !== 200) throw new Error(`recompute: HTTP ${response.status} ${JSON.stringify(body)}`);
  const seconds = (performance.now() - started) / 1000;
  return { seconds, accounts: body.accounts_updated, scores: body.scores_written, mode: "inline" };
}

// ── Ingest, ceiling and memory ───────────────────────────────────────────────────────────────────────────────────

const ingest = [];
let memory: { file_rows: number; rss_before_mib: number; rss_peak_mib: number; growth_mib: number } | null = null;
for (const [index, size] of PLAN.ingest.entries()) {
  const path = await dataFile(size.accounts, size.days);
  const last = index === PLAN.ingest.length - 1;
  const measured = await withServer({}, async (server) => {
    const first = await uploadUntilScored(server, path);
    if (!last) return { first, memory: null };
    // The re-upload changes nothing (upserts), so the database and its page cache do not grow: what is left is the
    // memory the upload itself needs.
    const workerd = findWorkerd(server.process.pid as number);
    const again = await sampleWhile(workerd, () => upload(server, path));
    return { first, memory: again };
  });
  const prepared = await prepareRows(path);
  const ceilingSeconds = await withServer({ config: CEILING_CONFIG, port: 8791 }, (server) =>
    insertAtCeiling(server.url, prepared),
  );
  const { first } = measured;
  const rows = first.body.rows_total;
  const rowsPerSecond = rows / first.seconds;
  const ceilingRowsPerSecond = prepared.rows / ceilingSeconds;
  ingest.push({
    rows,
    accounts: size.accounts,
    megabytes: round(statSync(path).size / 1e6, 1),
    seconds: round(first.seconds, 2),
    rows_per_second: round(rowsPerSecond),
    megabytes_per_second: round(first.bytes / 1e6 / first.seconds, 1),
    server_timings_ms: first.body.timings_ms,
    rescore: first.rescore,
    scores_fresh_seconds: round(first.scoredSeconds, 2),
    rows_per_second_until_scores_fresh: round(rows / first.scoredSeconds),
    ceiling_seconds: round(ceilingSeconds, 2),
    ceiling_rows_per_second: round(ceilingRowsPerSecond),
    ratio_to_ceiling: round(rowsPerSecond / ceilingRowsPerSecond, 2),
  });
  if (measured.memory) {
    memory = {
      file_rows: rows,
      rss_before_mib: mib(measured.memory.before),
      rss_peak_mib: mib(measured.memory.peak),
      growth_mib: mib(measured.memory.growth),
    };
  }
  console.log(`ingest ${count(rows)} rows: ${count(round(rowsPerSecond))} rows/s, ceiling ${count(round(ceilingRowsPerSecond))} rows/s`);
}

// ── Recompute, then reads on the bigger data set ─────────────────────────────────────────────────────────────────

const recompute: { accounts: number; days: number; metric_rows: number; mode: string; seconds: number; rows_per_second: number }[] = [];
let reads: (LoadResult & { route: string; ratio_to_baseline: number })[] = [];
for (const [index, size] of PLAN.recompute.entries()) {
  const path = await dataFile(size.accounts, size.days);
  const last = index === PLAN.recompute.length - 1;
  await withServer({}, async (server) => {
    await uploadUntilScored(server, path);
    const runs = [];
    for (let run = 0; run < 3; run++) runs.push(await timeRecompute(server));
    const seconds = median(runs.map((run) => run.seconds));
    const scores = runs[0]?.scores ?? 0;
    recompute.push({
      accounts: size.accounts,
      days: size.days,
      metric_rows: scores,
      mode: runs[0]?.mode ?? "inline",
      seconds: round(seconds, 2),
      rows_per_second: round(scores / seconds),
    });
    console.log(`recompute ${count(size.accounts)} accounts × ${size.days} days: ${round(seconds, 2)} s`);
    if (!last) return;

    // The floor: a Worker that does nothing, then one log line, one D1 query, both (what every route pays), behind
    // the same wrangler dev on the same machine.
    const floors = await withServer({ config: CEILING_CONFIG, port: 8791 }, async (noop) => {
      const measured = [];
      for (const [label, query] of [
        ["floor: no-op Worker", ""],
        ["floor: + 1 log line", "?log"],
        ["floor: + 1 D1 query", "?db"],
        ["floor: + log line + D1 query", "?log&db"],
      ] as const) {
        measured.push({ route: label, ...(await loadTest(`${noop.url}/floor${query}`, PLAN.loadSeconds)) });
      }
      return measured;
    });
    const routes = [
      { route: "GET /healthz (baseline)", path: "/healthz" },
      { route: "GET /accounts (filter + sort)", path: "/accounts?page_size=50&segment=Enterprise&sort=health_score&order=desc" },
      { route: "GET /accounts/{id}", path: `/accounts/${Math.ceil(size.accounts / 2)}` },
      { route: "GET /portfolio/summary", path: "/portfolio/summary" },
    ];
    const results = [];
    for (const route of routes) {
      const result = await loadTest(`${server.url}${route.path}`, PLAN.loadSeconds);
      results.push({ route: route.route, ...result });
      console.log(`load ${route.route}: ${result.requests_per_second} req/s, p99 ${result.p99_ms} ms`);
    }
    const baseline = results[0]?.requests_per_second ?? 1;
    reads = [...floors, ...results].map((result) => ({
      ...result,
      ratio_to_baseline: round(result.requests_per_second / baseline, 2),
    }));
  });
}

const recomputeRatio =
  recompute.length === 2 ? round((recompute[1]?.seconds ?? 0) / (recompute[0]?.seconds ?? 1), 1) : null;

// ── Scale: 100k accounts through the queue ───────────────────────────────────────────────────────────────────────

let scale: Record<string, number | string> | null = null;
if (PLAN.scale) {
  const { accounts, days } = PLAN.scale;
  const path = await dataFile(accounts, days);
  // The 3M-row file is about 200 MB, past the 100 MiB default upload limit: this server allows 512 MiB.
  scale = await withServer({ vars: { MAX_UPLOAD_BYTES: String(512 * 1024 * 1024) } }, async (server) => {
    const uploaded = await uploadUntilScored(server, path);
    const recomputed = await timeRecompute(server);
    return {
      accounts,
      days,
      rows: uploaded.body.rows_total,
      upload_seconds: round(uploaded.seconds, 1),
      upload_rows_per_second: round(uploaded.body.rows_total / uploaded.seconds),
      upload_until_scored_seconds: round(uploaded.scoredSeconds, 1),
      recompute_mode: recomputed.mode,
      recompute_seconds: round(recomputed.seconds, 1),
      recompute_rows_per_second: round(recomputed.scores / recomputed.seconds),
    };
  });
  console.log(`scale ${count(accounts)} accounts × ${days} days: recompute ${scale.recompute_seconds} s`);
}

// ── Report ───────────────────────────────────────────────────────────────────────────────────────────────────────

const machine = {
  cpus: cpus().length,
  cpu_model: cpus()[0]?.model ?? "unknown",
  memory_gib: round(totalmem() / 2 ** 30, 1),
  node: process.version,
};
const results = {
  date: new Date().toISOString(),
  mode: quick ? "quick" : "full",
  machine,
  ingest,
  memory,
  recompute,
  recompute_time_ratio: recomputeRatio,
  reads,
  scale,
};
mkdirSync(RESULTS_DIR, { recursive: true });
writeFileSync(join(RESULTS_DIR, quick ? "quick.json" : "latest.json"), `${JSON.stringify(results, null, 2)}\n`);

console.log(`\n${results.mode} run, ${results.date}, ${machine.cpus} cores (${machine.cpu_model}), ${machine.memory_gib} GiB, Node ${machine.node}\n`);
console.log("| upload (streamed multipart) | rows/s | MB/s | reading / writing / rescoring ms | rescore | rows/s until scored | ceiling rows/s | ÷ ceiling |");
console.log("|---|---|---|---|---|---|---|---|");
for (const row of ingest) {
  const t = row.server_timings_ms;
  console.log(
    `| ${count(row.rows)} rows, ${row.megabytes} MB, ${row.seconds} s | ${count(row.rows_per_second)} | ${row.megabytes_per_second} | ${t.reading} / ${t.writing} / ${t.rescoring} | ${row.rescore} | ${count(row.rows_per_second_until_scores_fresh)} (${row.scores_fresh_seconds} s) | ${count(row.ceiling_rows_per_second)} | ${row.ratio_to_ceiling} |`,
  );
}
if (memory) {
  console.log(
    `\nworkerd RSS during the re-upload of ${count(memory.file_rows)} rows: ${memory.rss_before_mib} MiB before, peak ${memory.rss_peak_mib} MiB, growth ${memory.growth_mib} MiB`,
  );
}
console.log("\n| recompute (POST /health/recompute, median of 3) | mode | seconds | scored rows/s |");
console.log("|---|---|---|---|");
for (const row of recompute) {
  console.log(`| ${count(row.accounts)} accounts × ${row.days} days | ${row.mode} | ${row.seconds} | ${count(row.rows_per_second)} |`);
}
if (recomputeRatio !== null) console.log(`\ntime ratio, larger ÷ smaller (10× the data): ${recomputeRatio}`);
console.log(`\n| reads (autocannon, 10 connections, ${PLAN.loadSeconds} s) | req/s | p50 ms | p99 ms | ÷ baseline req/s |`);
console.log("|---|---|---|---|---|");
for (const row of reads) {
  console.log(`| ${row.route} | ${row.requests_per_second} | ${row.p50_ms} | ${row.p99_ms} | ${row.ratio_to_baseline} |`);
}
if (scale) {
  console.log(
    `\nscale: ${count(Number(scale.accounts))} accounts × ${scale.days} days (${count(Number(scale.rows))} rows): upload ${scale.upload_seconds} s ` +
      `(${count(Number(scale.upload_rows_per_second))} rows/s), scores fresh after ${scale.upload_until_scored_seconds} s; ` +
      `POST /health/recompute (${scale.recompute_mode}) ${scale.recompute_seconds} s = ${count(Number(scale.recompute_rows_per_second))} scored rows/s`,
  );
}
