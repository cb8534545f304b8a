/**
 * Issue 16: after a crash mid-upload, the re-upload the API asks for must leave a fully scored book.
 *
 * Proves it end to end through `wrangler dev` on local D1: (1) a clean load of a file, scored until fresh; (2) the same
 * upload on a second fresh server, its workerd killed with SIGKILL mid-upload (rows committed, the run never
 * finished), wrangler restarted on the same persisted state, the same file uploaded again and scored until fresh.
 * The two GET /portfolio/summary answers must be equal, and so must the revenue statement of every window and the
 * account list's totals (all read from figures the writes keep); the script exits 1 when they differ.
 *
 *   npm run bench:crash                                   # 4,000 accounts × 100 days, kill 4 s into the upload
 *   npm run bench:crash -- --accounts 400 --kill-after-ms 1000   # a quick try (about 1 minute)
 *
 * The kill must land mid-upload (the script stops if the upload answered first); `--port` (8796) keeps it off the port
 * of the other benchmarks. Run it from a clean checkout: wrangler dev reloads when src/ changes.
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual, parseArgs } from "node:util";
import { startDevServer, type DevServer } from "./lib/dev-server.ts";
import { findWorkerd } from "./lib/memory.ts";
import { uploadMultipart } from "./lib/upload.ts";
import { generateCsv } from "./generate.ts";

const { values } = parseArgs({
  options: {
    accounts: { type: "string", default: "4000" },
    days: { type: "string", default: "100" },
    "kill-after-ms": { type: "string", default: "4000" },
    // Not 8790, the port of the other benchmarks, so it can run next to them.
    port: { type: "string", default: "8796" },
  },
});
const ACCOUNTS = Number(values.accounts);
const DAYS = Number(values.days);
const KILL_AFTER_MS = Number(values["kill-after-ms"]);
const PORT = Number(values.port);
const SEED = 42;
const END_DATE = "2026-10-31";

type Buckets = { Healthy: number; "At-Risk": number; Critical: number };
interface Summary {
  total_accounts: number;
  total_arr: number;
  arr_by_bucket: Buckets;
  avg_health_score: number;
  stale_accounts: number;
  accounts_by_bucket: Buckets;
  [field: string]: unknown;
}
interface Run {
  id: number;
  status: string;
  rows_total: number;
  rows_committed: number;
  committed_through_line: number | null;
  failure_reason: string | null;
}

/** The other kept figures: the revenue statement of each window and the list's totals, without surrogate ids. */
const REVENUE_WINDOWS = [30, 90, 180, 365];
async function keptFigures(server: DevServer) {
  const stripIds = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(stripIds)
      : value !== null && typeof value === "object"
        ? Object.fromEntries(Object.entries(value).filter(([key]) => key !== "id").map(([key, inner]) => [key, stripIds(inner)]))
        : value;
  const revenue: Record<number, unknown> = {};
  for (const days of REVENUE_WINDOWS) revenue[days] = stripIds(await getJson(server, `/portfolio/revenue?days=${days}`));
  const totals: Record<string, unknown> = {};
  for (const filter of ["", "&segment=Enterprise", "&bucket=Critical", "&segment=SMB&bucket=Healthy"]) {
    totals[filter || "all"] = (await getJson<{ total: number }>(server, `/accounts?page_size=1${filter}`)).total;
  }
  return { revenue, totals };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const bucketSum = (buckets: Buckets) => buckets.Healthy + buckets["At-Risk"] + buckets.Critical;
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

async function getJson<T>(server: DevServer, path: string): Promise<T> {
  const response = await fetch(`${server.url}${path}`);
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Uploads the file; when its rescoring was queued, polls the job until the scores are fresh. */
async function uploadUntilScored(server: DevServer, path: string) {
  const started = performance.now();
  const { status, body } = await uploadMultipart(`${server.url}/ingest/csv`, path);
  if (status !== 200) throw new Error(`upload: HTTP ${status} ${JSON.stringify(body)}`);
  const upload = body as { ingest_run_id: number; rows_total: number; rescore_job_id: number | null };
  if (upload.rescore_job_id !== null) {
    for (;;) {
      const job = await getJson<{ status: string }>(server, `/health/recompute/jobs/${upload.rescore_job_id}`);
      if (job.status === "completed") break;
      if (job.status === "failed") throw new Error(`recompute job ${upload.rescore_job_id} failed: ${JSON.stringify(job)}`);
      await sleep(200);
    }
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  log(`upload run ${upload.ingest_run_id}: ${upload.rows_total} rows, rescore job ${upload.rescore_job_id ?? "none (inline)"}, scored in ${seconds} s`);
}

const describeSummary = (label: string, summary: Summary) =>
  log(`${label}: stale_accounts ${summary.stale_accounts}, total_arr ${summary.total_arr}, ` +
    `sum of arr_by_bucket ${bucketSum(summary.arr_by_bucket)}, accounts_by_bucket ${JSON.stringify(summary.accounts_by_bucket)}`);

const dataDir = join(import.meta.dirname, "data");
mkdirSync(dataDir, { recursive: true });
const file = join(dataDir, `metrics-${ACCOUNTS}x${DAYS}-seed${SEED}.csv`);
if (!existsSync(file)) await generateCsv({ accounts: ACCOUNTS, days: DAYS, seed: SEED, out: file, end: END_DATE });
log(`file ${file}: ${ACCOUNTS * DAYS} rows; kill after ${KILL_AFTER_MS} ms`);

const stateDirs: string[] = [];
let server: DevServer | undefined;
try {
  // ── 1. Clean load ──
  server = await startDevServer({ port: PORT });
  log(`clean load: wrangler dev on ${server.stateDir}`);
  await uploadUntilScored(server, file);
  const clean = await getJson<Summary>(server, "/portfolio/summary");
  const cleanKept = await keptFigures(server);
  await server.stop();
  server = undefined;

  // ── 2. Crash mid-upload, restart on the same state, upload again ──
  server = await startDevServer({ port: PORT, keepState: true });
  const stateDir = server.stateDir;
  stateDirs.push(stateDir);
  log(`crash: wrangler dev on ${stateDir}`);
  const workerd = findWorkerd(server.process.pid as number);
  let finished = false;
  const cutOff = uploadMultipart(`${server.url}/ingest/csv`, file).then(
    (result) => {
      finished = true;
      return `answered HTTP ${result.status}`;
    },
    (error: Error) => `broke off: ${error.message}`,
  );
  await sleep(KILL_AFTER_MS);
  if (finished) throw new Error(`the upload finished before the kill at ${KILL_AFTER_MS} ms: pass a smaller --kill-after-ms`);
  process.kill(workerd, "SIGKILL");
  log(`killed workerd (pid ${workerd}) ${KILL_AFTER_MS} ms into the upload; the upload ${await cutOff}`);
  await server.stop();
  server = undefined;

  server = await startDevServer({ port: PORT, stateDir, keepState: true });
  log("restarted wrangler dev on the same state directory");
  const { runs } = await getJson<{ runs: Run[] }>(server, "/ingest/runs?limit=3");
  for (const run of runs) {
    log(`run ${run.id}: status ${run.status}, rows_committed ${run.rows_committed} of ${ACCOUNTS * DAYS}, ` +
      `committed_through_line ${run.committed_through_line}, failure_reason ${JSON.stringify(run.failure_reason)}`);
  }
  describeSummary("summary right after restart", await getJson<Summary>(server, "/portfolio/summary"));
  await uploadUntilScored(server, file);
  const recovered = await getJson<Summary>(server, "/portfolio/summary");
  describeSummary("summary after the re-upload", recovered);
  const recoveredKept = await keptFigures(server);

  // ── 3. Side by side ──
  const rows: [string, (summary: Summary) => unknown][] = [
    ["total_accounts", (s) => s.total_accounts],
    ["total_arr", (s) => s.total_arr],
    ["sum of arr_by_bucket", (s) => bucketSum(s.arr_by_bucket)],
    ["avg_health_score", (s) => s.avg_health_score],
    ["stale_accounts", (s) => s.stale_accounts],
    ["accounts_by_bucket", (s) => JSON.stringify(s.accounts_by_bucket)],
  ];
  const cell = (value: unknown) => String(value).padEnd(50);
  console.log(`\n${"".padEnd(22)}${cell("clean load")}crash + re-upload`);
  for (const [name, pick] of rows) console.log(`${name.padEnd(22)}${cell(pick(clean))}${pick(recovered)}`);
  // The summary has no time-dependent field (as_of_date is the latest metric date), so it is compared whole, but for
  // the ids of lowest_accounts: surrogate keys, whose numbering depends on the insert history (shown, not compared).
  const withoutIds = (summary: Summary) => ({
    ...summary,
    lowest_accounts: (summary.lowest_accounts as { id: number }[]).map(({ id: _id, ...account }) => account),
  });
  const ids = (summary: Summary) => JSON.stringify((summary.lowest_accounts as { id: number }[]).map(({ id }) => id));
  if (ids(clean) !== ids(recovered)) console.log(`note: lowest_accounts ids ${ids(clean)} vs ${ids(recovered)}`);
  const [a, b] = [withoutIds(clean), withoutIds(recovered)];
  const equal = isDeepStrictEqual(a, b);
  for (const key of Object.keys(a) as (keyof typeof a)[]) {
    if (!isDeepStrictEqual(a[key], b[key])) console.log(`differs: ${key}: ${JSON.stringify(a[key])} vs ${JSON.stringify(b[key])}`);
  }
  const keptEqual = isDeepStrictEqual(cleanKept, recoveredKept);
  if (!keptEqual) console.log(`differs: revenue or list totals: ${JSON.stringify(cleanKept)} vs ${JSON.stringify(recoveredKept)}`);
  console.log(`list totals: ${JSON.stringify(recoveredKept.totals)}`);
  console.log(`equal: summary ${equal}, revenue statements and list totals ${keptEqual}`);
  process.exitCode = equal && keptEqual ? 0 : 1;
} finally {
  await server?.stop();
  for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
}
