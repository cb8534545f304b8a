/**
 * `npm run bench` (or `npm run bench -- --quick`): ingestion against the raw D1 ceiling, workerd memory during a
 * re-upload, recompute at two sizes (and at 100k accounts through the queue), and read load against the liveness
 * baseline, and incremental scoring (a daily delta after 30 to 365 days of history, the cron on an unchanged book, the
 * D1 rows it writes), all through `wrangler dev` on fresh local D1 databases. Prints tables and writes bench/results/.
 * `--incremental-only` runs only the incremental section (into bench/results/{quick,latest}-incremental.json).
 * The reads section also measures the conditional reads, 304 against 200; `--conditional-only` runs just that, on its
 * own server (into bench/results/{quick,latest}-conditional.json).
 * `--events-only` runs only what the health events cost the rescore of a 10,000-account upload (bench/lib/events.ts;
 * into bench/results/{quick,latest}-events.json); `--events-baseline <dir>` adds the same upload on the code in <dir>,
 * `--events-runs N` repeats each arm N times (3).
 * `--models-only` runs only what health models cost (bench/lib/models.ts: preview ÷ full recompute, a delta under a
 * 12-component model ÷ under model 1, a 1M-row upload with custom-measure columns ÷ without; into
 * bench/results/{quick,latest}-models.json); `--models-baseline <dir>` adds the full recompute under model 1 on the
 * code in <dir> against this code, `--models-runs N` the fresh servers per arm of those side-by-side loads (3).
 * `--reads-only` runs only the read-scaling section (bench/lib/read-scaling.ts: D1 rows read and req/s of each
 * portfolio read on books of 1,000, 10,000 and 100,000 accounts, `--quick` the first two; into
 * bench/results/{quick,latest}-reads.json).
 */
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { insertAtCeiling, prepareRows } from "./lib/ceiling.ts";
import { count, dataFile, round, timeRecompute, upload, uploadUntilScored, withServer } from "./lib/api.ts";
import { conditionalRoutes, measureConditional, printConditional, type ConditionalResult } from "./lib/conditional.ts";
import { eventsPlan, measureEvents, printEvents } from "./lib/events.ts";
import { incrementalPlan, measureIncremental, printIncremental } from "./lib/incremental.ts";
import { loadTest, type LoadResult } from "./lib/load.ts";
import { findWorkerd, sampleWhile } from "./lib/memory.ts";
import { measureModels, modelsPlan, printModels } from "./lib/models.ts";
import { measureReadScaling, printReadScaling, readScalingPlan } from "./lib/read-scaling.ts";
import { median } from "./lib/stats.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    "incremental-only": { type: "boolean", default: false },
    "conditional-only": { type: "boolean", default: false },
    "events-only": { type: "boolean", default: false },
    "events-baseline": { type: "string" },
    "events-runs": { type: "string" },
    "models-only": { type: "boolean", default: false },
    "models-baseline": { type: "string" },
    "models-runs": { type: "string" },
    "reads-only": { type: "boolean", default: false },
  },
});
const quick = values.quick;
const eventsOnly = values["events-only"];
const modelsOnly = values["models-only"];
const readsOnly = values["reads-only"];
/** Set by any `--…-only` but `--conditional-only`: the ingest, recompute, reads and scale sections are skipped. */
const incrementalOnly = values["incremental-only"] || eventsOnly || modelsOnly || readsOnly;
const conditionalOnly = values["conditional-only"];

const SIZES = quick
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
/** `--incremental-only` and `--conditional-only` skip the other sections. */
const PLAN = incrementalOnly || conditionalOnly ? { ...SIZES, ingest: [], recompute: [], scale: null } : SIZES;

const RESULTS_DIR = join(import.meta.dirname, "results");
const CEILING_CONFIG = "bench/ceiling/wrangler.toml";

const mib = (bytes: number) => round(bytes / 2 ** 20, 1);

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
let conditional: ConditionalResult[] = [];
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
    conditional = await measureConditional(server, conditionalRoutes(size.accounts), PLAN.loadSeconds);
  });
}

// ── Conditional reads alone (`--conditional-only`): 304 against 200 on one data set ──────────────────────────────

if (conditionalOnly) {
  const size = quick ? { accounts: 1000, days: 30 } : { accounts: 10_000, days: 90 };
  const path = await dataFile(size.accounts, size.days);
  conditional = await withServer({}, async (server) => {
    await uploadUntilScored(server, path);
    return measureConditional(server, conditionalRoutes(size.accounts), PLAN.loadSeconds);
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

// ── Incremental scoring: a daily delta, the cron, the D1 rows written ────────────────────────────────────────────

const incremental =
  conditionalOnly || eventsOnly || modelsOnly || readsOnly ? null : await measureIncremental(incrementalPlan(quick));

// ── Health events: what they add to the rescore of a 10,000-account upload ───────────────────────────────────────

const eventsRuns = values["events-runs"] === undefined ? undefined : Number(values["events-runs"]);
const events =
  conditionalOnly || modelsOnly || readsOnly ? null : await measureEvents(eventsPlan(quick, eventsRuns), values["events-baseline"]);

// ── Health models: preview, a delta under a 12-component model, model 1 against the code before, measure columns ───

const modelsRuns = values["models-runs"] === undefined ? undefined : Number(values["models-runs"]);
const models =
  conditionalOnly || eventsOnly || readsOnly || values["incremental-only"]
    ? null
    : await measureModels(modelsPlan(quick, modelsRuns), values["models-baseline"]);

// ── Read scaling: D1 rows read and req/s of each read on books of 1,000 to 100,000 accounts ───────────────────────

const readScaling =
  readsOnly || (!incrementalOnly && !conditionalOnly) ? await measureReadScaling(readScalingPlan(quick)) : null;

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
  incremental_only: incrementalOnly && !eventsOnly && !modelsOnly && !readsOnly,
  conditional_only: conditionalOnly,
  events_only: eventsOnly,
  models_only: modelsOnly,
  reads_only: readsOnly,
  machine,
  ingest,
  memory,
  recompute,
  recompute_time_ratio: recomputeRatio,
  reads,
  scale,
  conditional,
  incremental,
  events,
  models,
  read_scaling: readScaling,
};
mkdirSync(RESULTS_DIR, { recursive: true });
const resultsFile = `${quick ? "quick" : "latest"}${readsOnly ? "-reads" : modelsOnly ? "-models" : eventsOnly ? "-events" : incrementalOnly ? "-incremental" : conditionalOnly ? "-conditional" : ""}.json`;
writeFileSync(join(RESULTS_DIR, resultsFile), `${JSON.stringify(results, null, 2)}\n`);

console.log(`\n${results.mode} run, ${results.date}, ${machine.cpus} cores (${machine.cpu_model}), ${machine.memory_gib} GiB, Node ${machine.node}\n`);
if (!incrementalOnly && !conditionalOnly) {
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
}
printConditional(conditional, PLAN.loadSeconds);
if (incremental) printIncremental(incremental);
if (events) printEvents(events);
if (models) printModels(models);
if (readScaling) printReadScaling(readScaling, readScalingPlan(quick).seconds);
