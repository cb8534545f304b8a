/**
 * What the health events cost the rescore of a 10,000-account upload. Each arm is a fresh server that takes the same
 * history (10,000 accounts × 30 days, rescored inline), then one upload of 7 new days for every account (70,000 rows,
 * rescored inline: INGEST_RESCORE_INLINE_MAX_ACCOUNTS is raised to 10,000 for it). The history is the generated one
 * with each account's metrics held at its last day's values (`-flat`), so that a week more of the same changes no
 * account's state (a noisy history would move some accounts across a line whatever the new week holds):
 *
 * - `quiet`: the same values for 7 more days, so no account changes state: the events statement runs in every chunk
 *   and the account rows copy their previous state, but no event is written;
 * - `events`: a week of no usage, so every account that was not Critical goes Critical and nearly every one crosses
 *   the 30-day drop: about 2 events per account, the worst case a daily feed can bring;
 * - `baseline` (with `--events-baseline <dir>`): the quiet upload on another checkout, the code before the events
 *   (export it with `git archive <commit> | tar -x -C <dir>` and link node_modules into it): the cost of copying the
 *   previous state and of the events statement itself.
 *
 * The measure is the server's own rescoring time of the upload (`timings_ms.rescoring` of its answer), median of
 * RUNS runs per arm, the arms interleaved so the machine's drift hits each alike. No webhook is configured: the
 * deliveries run later on their own queue and are not part of the rescore.
 */
import { existsSync, writeFileSync } from "node:fs";
import { dataFile, lastRows, round, upload, uploadUntilScored, withServer } from "./api.ts";
import { median } from "./stats.ts";

/** Its own port, off the other benches' (8790-8792, 8796) and the webhook end-to-end test's (8797, 8798). */
const PORT = 8794;
const RUNS = 3;
const DAYS_AFTER = 7;
export const EVENTS_TARGET = 0.1;
export const eventsPlan = (quick: boolean, runs?: number) => ({
  accounts: quick ? 2000 : 10_000,
  days: 30,
  runs: runs ?? (quick ? 1 : RUNS),
});
type Plan = ReturnType<typeof eventsPlan>;
type Arm = "quiet" | "events" | "baseline";

/** The generated history with every day of an account holding its last day's metrics (and ARR). */
async function flatHistory(accounts: number, days: number): Promise<string> {
  const generated = await dataFile(accounts, days);
  const path = generated.replace(/\.csv$/, "-flat.csv");
  if (existsSync(path)) return path;
  const { header, last } = await lastRows(generated);
  const rows: string[] = [];
  for (const fields of last.values()) {
    for (let offset = days - 1; offset >= 0; offset--) {
      const date = new Date(`${fields[4]}T00:00:00Z`);
      date.setUTCDate(date.getUTCDate() - offset);
      rows.push([...fields.slice(0, 4), date.toISOString().slice(0, 10), ...fields.slice(5)].join(","));
    }
  }
  writeFileSync(path, `${header}\n${rows.join("\n")}\n`);
  return path;
}

/** Seven new days for every account of a history: its last row repeated (`quiet`), or a week without usage. */
async function weekAfter(history: string, kind: "quiet" | "events"): Promise<string> {
  const path = history.replace(/\.csv$/, `-week-${kind}.csv`);
  if (existsSync(path)) return path;
  const { header, last } = await lastRows(history);
  const rows: string[] = [];
  for (const fields of last.values()) {
    for (let offset = 1; offset <= DAYS_AFTER; offset++) {
      const date = new Date(`${fields[4]}T00:00:00Z`);
      date.setUTCDate(date.getUTCDate() + offset);
      // DAU, adoption, tickets, NPS, login: nobody logs in, tickets at the ceiling, NPS at the bottom.
      const metrics = kind === "quiet" ? fields.slice(5) : ["0", "0.00", "10", "-100", "0.00"];
      rows.push([...fields.slice(0, 4), date.toISOString().slice(0, 10), ...metrics].join(","));
    }
  }
  writeFileSync(path, `${header}\n${rows.join("\n")}\n`);
  return path;
}

async function measureArm(history: string, arm: Arm, baselineRoot: string | undefined) {
  const delta = await weekAfter(history, arm === "events" ? "events" : "quiet");
  const options = {
    port: PORT,
    vars: { INGEST_RESCORE_INLINE_MAX_ACCOUNTS: "10000" },
    ...(arm === "baseline" ? { root: baselineRoot } : {}),
  };
  return withServer(options, async (server) => {
    await uploadUntilScored(server, history);
    const { body } = await upload(server, delta);
    if (body.rescore_job_id !== null) throw new Error(`the ${arm} upload's rescore was queued (job ${body.rescore_job_id})`);
    let events: number | null = null;
    if (arm !== "baseline") {
      const feed = (await (await fetch(`${server.url}/events?type=ingest.completed`)).json()) as {
        events: { data: { events_caused: number | null } }[];
      };
      events = feed.events.at(-1)?.data.events_caused ?? null;
    }
    return { rescoring_ms: body.timings_ms.rescoring, scores_written: body.scores_written, d1_rows_written: body.d1_rows_written, events };
  });
}

export async function measureEvents(plan: Plan, baselineRoot?: string) {
  const history = await flatHistory(plan.accounts, plan.days);
  const arms: Arm[] = baselineRoot ? ["baseline", "quiet", "events"] : ["quiet", "events"];
  const runs: Record<Arm, Awaited<ReturnType<typeof measureArm>>[]> = { quiet: [], events: [], baseline: [] };
  for (let run = 0; run < plan.runs; run++) {
    for (const arm of arms) {
      const measured = await measureArm(history, arm, baselineRoot);
      runs[arm].push(measured);
      console.log(`events ${arm} run ${run + 1}: rescoring ${measured.rescoring_ms} ms, ${measured.events ?? "-"} events`);
    }
  }
  const summary = (arm: Arm) =>
    runs[arm].length === 0
      ? null
      : {
          rescoring_ms: median(runs[arm].map((item) => item.rescoring_ms)),
          runs_ms: runs[arm].map((item) => item.rescoring_ms),
          events: runs[arm][0]?.events ?? null,
          scores_written: runs[arm][0]?.scores_written ?? null,
          d1_rows_written: median(runs[arm].map((item) => item.d1_rows_written)),
        };
  const quiet = summary("quiet")!;
  const events = summary("events")!;
  const baseline = summary("baseline");
  return {
    accounts: plan.accounts,
    history_days: plan.days,
    delta_days: DAYS_AFTER,
    runs: plan.runs,
    quiet,
    events,
    baseline,
    events_over_quiet: round(events.rescoring_ms / quiet.rescoring_ms - 1, 3),
    events_over_baseline: baseline ? round(events.rescoring_ms / baseline.rescoring_ms - 1, 3) : null,
    quiet_over_baseline: baseline ? round(quiet.rescoring_ms / baseline.rescoring_ms - 1, 3) : null,
    target: EVENTS_TARGET,
  };
}

export function printEvents(results: Awaited<ReturnType<typeof measureEvents>>) {
  const check = (ratio: number | null) => (ratio === null ? "" : ratio <= EVENTS_TARGET ? " ✓" : " ✗");
  const percent = (ratio: number | null) => (ratio === null ? "-" : `${round(ratio * 100, 1)} %`);
  console.log(
    `\n| rescore of a ${results.delta_days}-day upload for ${results.accounts.toLocaleString("en-US")} accounts (median of ${results.runs}) | rescoring ms | events written | D1 rows written |`,
  );
  console.log("|---|---|---|---|");
  type Row = NonNullable<typeof results.baseline>;
  const rows: [string, Row][] = [];
  if (results.baseline) rows.push(["the code before events (quiet upload)", results.baseline]);
  rows.push(["no account changes state", results.quiet], ["every account changes state", results.events]);
  for (const [label, row] of rows) {
    console.log(`| ${label} | ${row.rescoring_ms} | ${row.events ?? "-"} | ${row.d1_rows_written.toLocaleString("en-US")} |`);
  }
  console.log(
    `\nevents added to the rescore: ${percent(results.events_over_quiet)} writing them (events ÷ quiet)` +
      (results.baseline
        ? `; ${percent(results.quiet_over_baseline)} for the copy of the previous state and the statement (quiet ÷ before); ` +
          `${percent(results.events_over_baseline)} in all (events ÷ before)${check(results.events_over_baseline)}`
        : check(results.events_over_quiet)) +
      `; target ≤ ${percent(EVENTS_TARGET)}`,
  );
}
