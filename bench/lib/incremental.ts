/**
 * Incremental scoring: what a daily feed costs once the history is in. For each history length, a fresh server takes
 * the history, then one-day deltas (one new day for every account); the 365-day server is also fully recomputed, and
 * an unchanged book gets the daily cron (`POST /health/recompute?scope=stale`). All in one run, so ratios compare.
 */
import { existsSync, writeFileSync } from "node:fs";
import type { DevServer } from "./dev-server.ts";
import { count, dataFile, lastRows, round, upload, uploadUntilScored, withServer } from "./api.ts";
import { median } from "./stats.ts";

/** Its own port, so it does not meet another wrangler dev of the benches (8790) or the ceiling Worker (8791). */
const PORT = 8792;
/**
 * Deltas per history and full recomputes of the longest: medians of 5, since one rescore on this shared machine can
 * take twice another's time.
 */
const DELTAS = 5;
const FULL_RUNS = 5;
const TARGETS = { deltaToFull: 0.05, longestToShortest: 1.5, rowsWrittenPerRow: 4, cronMs: 1000 };
/** Cloudflare D1, Workers Paid (developers.cloudflare.com/d1/platform/pricing/): rows written per month. */
const D1_INCLUDED_ROWS = 50_000_000;
const D1_USD_PER_MILLION_ROWS = 1;
const FEEDS = [10_000, 100_000];

export const incrementalPlan = (quick: boolean) => ({
  accounts: quick ? 300 : 1000,
  histories: [30, 90, 365],
  cron: { accounts: quick ? 2000 : 10_000, days: 30 },
});
type Plan = ReturnType<typeof incrementalPlan>;

/**
 * One new day for every account of a generated history, `offset` days after its last: each account's last row, date
 * moved on. Not generateCsv with `days: 1`: its random stream runs through every day of the accounts before, so the
 * same seed gives the same names and segments but other regions and ARR than the history.
 */
export async function deltaFile(history: string, offset: number): Promise<string> {
  const path = history.replace(/\.csv$/, `-delta${offset}.csv`);
  if (existsSync(path)) return path;
  const { header, last } = await lastRows(history);
  const rows = [...last.values()].map((fields) => {
    const date = new Date(`${fields[4]}T00:00:00Z`);
    date.setUTCDate(date.getUTCDate() + offset);
    return [...fields.slice(0, 4), date.toISOString().slice(0, 10), ...fields.slice(5)].join(",");
  });
  writeFileSync(path, `${header}\n${rows.join("\n")}\n`);
  return path;
}

/** POST /health/recompute (with `query`), which must answer inline; its answer and the client's wall time. */
async function recomputeInline(server: DevServer, query = "") {
  const started = performance.now();
  const response = await fetch(`${server.url}/health/recompute${query}`, { method: "POST" });
  const body = (await response.json()) as { accounts_updated: number; scores_written: number; duration_ms: number; mode: string };
  if (response.status !== 200 || body.mode !== "inline") {
    throw new Error(`recompute${query}: HTTP ${response.status} ${JSON.stringify(body)} (expected inline)`);
  }
  return { ...body, wall_ms: round(performance.now() - started) };
}

async function measureHistory(plan: Plan, days: number) {
  const history = await dataFile(plan.accounts, days);
  return withServer({ port: PORT }, async (server) => {
    const loaded = await uploadUntilScored(server, history);
    const deltas = [];
    for (let offset = 1; offset <= DELTAS; offset++) {
      const { body } = await upload(server, await deltaFile(history, offset));
      if (body.rescore_job_id !== null) throw new Error(`the ${days}-day delta's rescore was queued (job ${body.rescore_job_id})`);
      const { rows_total, scores_written, dates_rescored, d1_rows_written } = body;
      deltas.push({ rows_total, rescoring_ms: body.timings_ms.rescoring, scores_written, dates_rescored, d1_rows_written });
    }
    const full = [];
    if (days === Math.max(...plan.histories)) for (let run = 0; run < FULL_RUNS; run++) full.push(await recomputeInline(server));
    const first = deltas[0]!;
    const rowsWritten = median(deltas.map((delta) => delta.d1_rows_written));
    const summary = {
      days,
      history_rows: loaded.body.rows_total,
      delta_rows: first.rows_total,
      rescoring_ms: median(deltas.map((delta) => delta.rescoring_ms)),
      scores_written: first.scores_written,
      dates_rescored: first.dates_rescored,
      d1_rows_written: rowsWritten,
      d1_rows_written_per_row: round(rowsWritten / first.rows_total, 2),
      deltas,
    };
    console.log(`incremental ${count(plan.accounts)} accounts × ${days} days: 1-day delta rescored in ${summary.rescoring_ms} ms`);
    return { summary, full };
  });
}

/** The cron on an unchanged book: upload, wait until no account is stale, then `scope=stale` three times. */
async function measureCron(plan: Plan) {
  const { accounts, days } = plan.cron;
  return withServer({ port: PORT }, async (server) => {
    await uploadUntilScored(server, await dataFile(accounts, days));
    const staleAccounts = async () =>
      ((await (await fetch(`${server.url}/portfolio/summary`)).json()) as { stale_accounts: number }).stale_accounts;
    while ((await staleAccounts()) !== 0) await new Promise((resolve) => setTimeout(resolve, 100));
    const runs = [];
    for (let run = 0; run < 3; run++) runs.push(await recomputeInline(server, "?scope=stale"));
    const result = {
      accounts,
      days,
      accounts_updated: Math.max(...runs.map((run) => run.accounts_updated)),
      scores_written: Math.max(...runs.map((run) => run.scores_written)),
      duration_ms: median(runs.map((run) => run.duration_ms)),
      wall_ms: median(runs.map((run) => run.wall_ms)),
    };
    console.log(`cron on an unchanged ${count(accounts)}-account book: ${result.scores_written} scores, ${result.duration_ms} ms`);
    return result;
  });
}

export async function measureIncremental(plan: Plan) {
  const histories = [];
  let full: Awaited<ReturnType<typeof recomputeInline>>[] = [];
  for (const days of plan.histories) {
    const measured = await measureHistory(plan, days);
    histories.push(measured.summary);
    if (measured.full.length > 0) full = measured.full;
  }
  const cron = await measureCron(plan);
  const shortest = histories[0]!;
  const longest = histories[histories.length - 1]!;
  const fullMs = median(full.map((run) => run.duration_ms));
  const perAccountDay = longest.d1_rows_written / longest.delta_rows;
  const feeds = FEEDS.map((accounts) => {
    const rows = perAccountDay * accounts * 30;
    const billable = Math.max(0, rows - D1_INCLUDED_ROWS);
    const usd = round((billable / 1e6) * D1_USD_PER_MILLION_ROWS, 2);
    return { accounts, rows_written_per_month: round(rows), billable_rows: round(billable), usd_per_month: usd };
  });
  return {
    accounts: plan.accounts,
    deltas_per_history: DELTAS,
    histories,
    full_recompute: {
      days: longest.days,
      duration_ms: fullMs,
      runs_ms: full.map((run) => run.duration_ms),
      scores_written: full[0]?.scores_written ?? 0,
    },
    delta_to_full_recompute: round(longest.rescoring_ms / fullMs, 3),
    longest_to_shortest_delta: round(longest.rescoring_ms / Math.max(1, shortest.rescoring_ms), 2),
    cron,
    d1_cost: {
      rows_written_per_account_day: round(perAccountDay, 2),
      included_rows: D1_INCLUDED_ROWS,
      usd_per_million_rows: D1_USD_PER_MILLION_ROWS,
      feeds,
    },
    targets: TARGETS,
  };
}

const check = (met: boolean) => (met ? "✓" : "✗");
const millions = (rows: number) => `${round(rows / 1e6, 1)} M`;

export function printIncremental(results: Awaited<ReturnType<typeof measureIncremental>>) {
  const { histories, cron, d1_cost: cost } = results;
  const longest = histories[histories.length - 1]!;
  const shortest = histories[0]!;
  console.log(
    `\n| 1-day delta upload (${count(results.accounts)} accounts, median of ${results.deltas_per_history} deltas) | rescoring ms | scores written | dates rescored (accounts / dates) | D1 rows written | ÷ rows uploaded (target ≤ ${TARGETS.rowsWrittenPerRow}) |`,
  );
  console.log("|---|---|---|---|---|---|");
  for (const row of histories) {
    const dates = row.dates_rescored ? `${count(row.dates_rescored.accounts)} / ${count(row.dates_rescored.dates)}` : "queued";
    console.log(
      `| after ${row.days} days (${count(row.history_rows)} rows) | ${row.rescoring_ms} | ${row.scores_written === null ? "queued" : count(row.scores_written)} | ${dates} | ${count(row.d1_rows_written)} | ${row.d1_rows_written_per_row} ${check(row.d1_rows_written_per_row <= TARGETS.rowsWrittenPerRow)} |`,
    );
  }
  console.log("\n| incremental against full | value | target |");
  console.log("|---|---|---|");
  console.log(
    `| delta rescoring ÷ full recompute (${longest.days} days: ${longest.rescoring_ms} ms ÷ ${results.full_recompute.duration_ms} ms, median of ${results.full_recompute.runs_ms.length}) | ${results.delta_to_full_recompute} | ≤ ${TARGETS.deltaToFull} ${check(results.delta_to_full_recompute <= TARGETS.deltaToFull)} |`,
  );
  console.log(
    `| delta rescoring, ${longest.days} days ÷ ${shortest.days} days (${longest.rescoring_ms} ms ÷ ${shortest.rescoring_ms} ms) | ${results.longest_to_shortest_delta} | ≤ ${TARGETS.longestToShortest} ${check(results.longest_to_shortest_delta <= TARGETS.longestToShortest)} |`,
  );
  console.log(
    `| cron (scope=stale, median of 3) on an unchanged ${count(cron.accounts)}-account book: scores written, ms | ${cron.scores_written}, ${cron.duration_ms} ms (wall ${cron.wall_ms} ms) | 0, ≤ ${TARGETS.cronMs} ms ${check(cron.scores_written === 0 && cron.duration_ms <= TARGETS.cronMs)} |`,
  );
  const feeds = cost.feeds.map(
    (feed) => `${count(feed.accounts)} accounts: ${millions(feed.rows_written_per_month)} rows/month, $${feed.usd_per_month.toFixed(2)} above the included ${millions(cost.included_rows)}`,
  );
  console.log(
    `\nD1 rows written by a daily feed at ${cost.rows_written_per_account_day} rows per account per day (${longest.days}-day history), × 30 days; ` +
      `Workers Paid includes ${millions(cost.included_rows)}/month, then $${cost.usd_per_million_rows.toFixed(2)}/M: ${feeds.join("; ")}`,
  );
}
