/**
 * What health models (issue 28) cost, each figure a ratio of two things measured side by side in one run:
 *
 * 1. the preview of a 12-component model (POST /health/models/{id}/preview, which scores every account's latest date
 *    and writes nothing) ÷ a full recompute of the same book under that model (activated, then
 *    `POST /health/recompute?scope=all`), on one server;
 * 2. a 1-day delta's rescore (`timings_ms.rescoring` of the upload's answer) under the 12-component model ÷ the same
 *    delta under model 1: two servers with the same history, up at once, the deltas sent to each in turn; and the D1
 *    rows that delta writes per row uploaded under the 12-component model;
 * 3. (with `--models-baseline <dir>`) a full recompute under model 1 on this code ÷ on the code in <dir>, the code
 *    before issue 28: a server of each up at once, the same book loaded, recomputes alternated;
 * 4. the rows/s of a 1M-row upload with the three custom-measure columns (declared first) ÷ the same rows without
 *    them (no measure declared, as before issue 28): a fresh server per upload, alternated.
 *
 * Every book carries the three custom measures of generate.ts (MEASURE_COLUMNS), except the baseline's (the code
 * before issue 28 does not know them) and the upload's arm without them. Times are the client's wall time of the
 * request (recomputes followed to the end of their job when queued), except the delta's, which is the server's.
 */
import { request } from "node:http";
import { MEASURE_COLUMNS } from "../generate.ts";
import type { DevServer, DevServerOptions } from "./dev-server.ts";
import { count, dataFile, round, upload, uploadUntilScored, waitForJob, withServer } from "./api.ts";
import { deltaFile } from "./incremental.ts";
import { median } from "./stats.ts";

/** Off the other benches' ports (8790-8792, 8794, 8796) and the webhook end-to-end test's (8797, 8798). */
const PORT = 8793;
/** The second server of a side-by-side pair (the model-1 arm of the delta, the baseline checkout). */
const SECOND_PORT = 8795;

const MODELS_TARGETS = {
  previewToRecompute: 0.1,
  deltaToModel1: 1.3,
  rowsWrittenPerRow: 4,
  recomputeToBefore: 1.1,
  uploadWithMeasures: 0.8,
};

export const modelsPlan = (quick: boolean, rounds?: number) => ({
  preview: quick ? { accounts: 2000, days: 30 } : { accounts: 10_000, days: 90 },
  delta: quick ? { accounts: 300, days: 30 } : { accounts: 1000, days: 90 },
  baseline: quick ? [{ accounts: 1000, days: 30 }] : [{ accounts: 1000, days: 90 }, { accounts: 10_000, days: 90 }],
  // 100,000 rows with more than INGEST_RESCORE_INLINE_MAX_ACCOUNTS (2,000) accounts, so its rescore is queued and the
  // upload's time is the ingest's, as the 1M-row upload's.
  upload: quick ? { accounts: 5000, days: 20 } : { accounts: 10_000, days: 100 },
  /** Previews and full recomputes per server, deltas per arm: cheap next to loading the book, so always several. */
  previews: 3,
  recomputes: 3,
  deltas: 5,
  /** Fresh servers per arm for the baseline recompute and the upload (each loads a book). */
  rounds: rounds ?? (quick ? 1 : 3),
});
type Plan = ReturnType<typeof modelsPlan>;

/**
 * The 12-component model: the five built-in measures, four of them twice under another aggregation (the newest value,
 * carried or not), and the three custom measures; per-segment weights and DAU targets, so the statement carries the
 * segment CASEs a real model has. Its window is model 1's (HEALTH_WINDOW_DAYS' default, 7 days), so that the delta's
 * ratio is the components' cost: a delta reads the window before the new day, and a 14-day window reads twice the rows.
 */
const TWELVE_COMPONENT_MODEL = {
  name: "Bench: 12 components",
  window_days: 7,
  buckets: { healthy_min: 70, at_risk_min: 40 },
  components: [
    {
      key: "dau",
      measure: "daily_active_users",
      weight: 15,
      aggregation: { type: "mean" },
      scale: { zero_at: 0, full_at: 200, full_at_by_segment: { "Mid-Market": 75, SMB: 20 } },
    },
    {
      key: "dau_now",
      measure: "daily_active_users",
      weight: 5,
      aggregation: { type: "latest" },
      scale: { zero_at: 0, full_at: 200, full_at_by_segment: { "Mid-Market": 75, SMB: 20 } },
    },
    { key: "adoption", measure: "feature_adoption_rate", weight: 10, aggregation: { type: "mean" }, scale: { zero_at: 0, full_at: 1 } },
    {
      key: "adoption_now",
      measure: "feature_adoption_rate",
      weight: 5,
      aggregation: { type: "latest", carry_days: 14 },
      scale: { zero_at: 0, full_at: 1 },
    },
    { key: "tickets", measure: "support_tickets_open", weight: 10, aggregation: { type: "mean" }, scale: { zero_at: 10, full_at: 0 } },
    { key: "tickets_now", measure: "support_tickets_open", weight: 5, aggregation: { type: "latest" }, scale: { zero_at: 10, full_at: 0 } },
    { key: "nps", measure: "nps_score", weight: 10, aggregation: { type: "mean", carry_days: 90 }, scale: { zero_at: -100, full_at: 100 } },
    {
      key: "nps_now",
      measure: "nps_score",
      weight: 5,
      aggregation: { type: "latest", carry_days: 90 },
      scale: { zero_at: -100, full_at: 100 },
    },
    { key: "logins", measure: "login_frequency", weight: 10, aggregation: { type: "mean" }, scale: { zero_at: 0, full_at: 1 } },
    {
      key: "seats",
      measure: "seats_ratio",
      weight: 10,
      weight_by_segment: { SMB: 5 },
      aggregation: { type: "latest", carry_days: 30 },
      scale: { zero_at: 0, full_at: 1 },
    },
    { key: "invoices", measure: "invoices_overdue", weight: 10, aggregation: { type: "mean" }, scale: { zero_at: 10, full_at: 0 } },
    {
      key: "sponsor",
      measure: "sponsor_engaged",
      weight: 5,
      weight_by_segment: { SMB: 10 },
      aggregation: { type: "latest", carry_days: 30 },
      scale: { zero_at: 0, full_at: 1 },
    },
  ],
};

// ── The API calls ────────────────────────────────────────────────────────────────────────────────────────────────

interface RecomputeAnswer {
  mode: "inline" | "queued";
  job: { id: number } | null;
}
interface ActivationAnswer {
  rescore: RecomputeAnswer;
}
interface PreviewAnswer {
  accounts: number;
  warnings: string[];
}

/**
 * A JSON POST through node:http, which sets no timeout: an inline recompute of 10,000 accounts under the 12-component
 * model runs for minutes, near the 300 s after which `fetch` (undici) gives up waiting for the answer's headers.
 */
async function post<T>(server: DevServer, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const target = new URL(`${server.url}${path}`);
  const payload = body === undefined ? "" : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => {
          try {
            resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as T });
          } catch {
            reject(new Error(`POST ${path}: HTTP ${response.statusCode}, not JSON: ${text.slice(0, 300)}`));
          }
        });
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(payload);
  });
}

async function expectStatus<T>(answer: Promise<{ status: number; body: T }>, what: string, ...statuses: number[]): Promise<T> {
  const { status, body } = await answer;
  if (!statuses.includes(status)) throw new Error(`${what}: HTTP ${status} ${JSON.stringify(body)}`);
  return body;
}

/** POST /measures for each of generate.ts's measure columns, so an upload stores them. */
async function declareMeasures(server: DevServer): Promise<void> {
  for (const measure of MEASURE_COLUMNS) await expectStatus(post(server, "/measures", measure), `declare ${measure.name}`, 201);
}

async function createModel(server: DevServer): Promise<number> {
  return (await expectStatus(post<{ id: number }>(server, "/health/models", TWELVE_COMPONENT_MODEL), "create the model", 201)).id;
}

async function timePreview(server: DevServer, id: number) {
  const started = performance.now();
  const body = await expectStatus(post<PreviewAnswer>(server, `/health/models/${id}/preview`), "preview", 200);
  return { ms: round(performance.now() - started), accounts: body.accounts, warnings: body.warnings };
}

/** Activates the model and waits until its rescore of the book is done (inline, or its queued job). */
async function activate(server: DevServer, id: number) {
  const started = performance.now();
  const body = await expectStatus(post<ActivationAnswer>(server, `/health/models/${id}/activate`), "activate", 200, 202);
  if (body.rescore.mode === "queued" && body.rescore.job) await waitForJob(server, body.rescore.job.id, started);
  await untilNoAccountStale(server);
  return { ms: round(performance.now() - started), mode: body.rescore.mode };
}

/** Waits until the portfolio summary counts no stale account: every score follows the metrics and the active model. */
async function untilNoAccountStale(server: DevServer): Promise<void> {
  const staleAccounts = async () =>
    ((await (await fetch(`${server.url}/portfolio/summary`)).json()) as { stale_accounts: number }).stale_accounts;
  while ((await staleAccounts()) !== 0) await new Promise((resolve) => setTimeout(resolve, 100));
}

/** A full recompute (`scope=all`, inline or queued as the API decides) in ms, followed to its job's end when queued. */
async function recomputeMs(server: DevServer) {
  const started = performance.now();
  const body = await expectStatus(
    post<RecomputeAnswer & { scores_written: number }>(server, "/health/recompute?scope=all"),
    "recompute",
    200,
    202,
  );
  if (body.mode === "queued" && body.job) {
    const { job } = await waitForJob(server, body.job.id, started);
    return { ms: round(performance.now() - started), mode: body.mode, scores: job.scores_written };
  }
  return { ms: round(performance.now() - started), mode: body.mode, scores: body.scores_written };
}

/** Two servers up at once (the side-by-side arms), both stopped whatever happens. */
async function withServers<T>(
  first: DevServerOptions,
  second: DevServerOptions,
  task: (first: DevServer, second: DevServer) => Promise<T>,
): Promise<T> {
  return withServer(first, (one) => withServer(second, (two) => task(one, two)));
}

const ratio = (numerator: number, denominator: number, digits = 2) => round(numerator / denominator, digits);

// ── 1. Preview ÷ full recompute ──────────────────────────────────────────────────────────────────────────────────

async function measurePreview(plan: Plan) {
  const { accounts, days } = plan.preview;
  const history = await dataFile(accounts, days, { measures: true });
  return withServer({ port: PORT }, async (server) => {
    await declareMeasures(server);
    const loaded = await uploadUntilScored(server, history);
    // Model 1 on the same book, for scale: what the 12 components cost a recompute against the five of today.
    const model1 = [];
    for (let run = 0; run < plan.recomputes; run++) model1.push(await recomputeMs(server));
    const id = await createModel(server);
    const previews = [];
    for (let run = 0; run < plan.previews; run++) previews.push(await timePreview(server, id));
    const activation = await activate(server, id);
    const full = [];
    for (let run = 0; run < plan.recomputes; run++) full.push(await recomputeMs(server));
    const previewMs = median(previews.map((run) => run.ms));
    const fullMs = median(full.map((run) => run.ms));
    const model1Ms = median(model1.map((run) => run.ms));
    console.log(`models: preview ${previewMs} ms, full recompute ${fullMs} ms (model 1: ${model1Ms} ms), ${count(accounts)} × ${days}`);
    return {
      accounts,
      days,
      rows: loaded.body.rows_total,
      preview_ms: previewMs,
      preview_runs_ms: previews.map((run) => run.ms),
      previewed_accounts: previews[0]?.accounts ?? 0,
      preview_warnings: previews[0]?.warnings ?? [],
      activation_ms: activation.ms,
      activation_rescore: activation.mode,
      full_recompute_ms: fullMs,
      full_recompute_runs_ms: full.map((run) => run.ms),
      full_recompute_mode: full[0]?.mode ?? "inline",
      scores_written: full[0]?.scores ?? 0,
      model1_recompute_ms: model1Ms,
      model1_recompute_runs_ms: model1.map((run) => run.ms),
      preview_to_recompute: ratio(previewMs, fullMs, 3),
      recompute_to_model1: ratio(fullMs, model1Ms),
    };
  });
}

// ── 2. A 1-day delta under the 12-component model ÷ under model 1 ────────────────────────────────────────────────

type DeltaArm = "model1" | "twelve";

async function measureDelta(plan: Plan) {
  const { accounts, days } = plan.delta;
  const history = await dataFile(accounts, days, { measures: true });
  const deltas: string[] = [];
  for (let offset = 1; offset <= plan.deltas; offset++) deltas.push(await deltaFile(history, offset));
  return withServers({ port: PORT }, { port: SECOND_PORT }, async (twelveServer, model1Server) => {
    const servers: Record<DeltaArm, DevServer> = { twelve: twelveServer, model1: model1Server };
    for (const server of [model1Server, twelveServer]) {
      await declareMeasures(server);
      await uploadUntilScored(server, history);
      await untilNoAccountStale(server);
    }
    const activation = await activate(twelveServer, await createModel(twelveServer));
    const runs: Record<DeltaArm, { rows_total: number; rescoring_ms: number; d1_rows_written: number; scores_written: number | null }[]> = {
      model1: [],
      twelve: [],
    };
    for (const [index, delta] of deltas.entries()) {
      // Each delta goes to both servers, first to one then to the other, alternately, so drift hits both alike.
      const order: DeltaArm[] = index % 2 === 0 ? ["model1", "twelve"] : ["twelve", "model1"];
      for (const arm of order) {
        const { body } = await upload(servers[arm], delta);
        if (body.rescore_job_id !== null) throw new Error(`the ${arm} delta's rescore was queued (job ${body.rescore_job_id})`);
        const { rows_total, d1_rows_written, scores_written } = body;
        runs[arm].push({ rows_total, rescoring_ms: body.timings_ms.rescoring, d1_rows_written, scores_written });
      }
    }
    const summary = (arm: DeltaArm) => {
      const rowsWritten = median(runs[arm].map((run) => run.d1_rows_written));
      const rows = runs[arm][0]?.rows_total ?? 1;
      return {
        rescoring_ms: median(runs[arm].map((run) => run.rescoring_ms)),
        runs_ms: runs[arm].map((run) => run.rescoring_ms),
        delta_rows: rows,
        scores_written: runs[arm][0]?.scores_written ?? null,
        d1_rows_written: rowsWritten,
        d1_rows_written_per_row: ratio(rowsWritten, rows),
      };
    };
    const model1 = summary("model1");
    const twelve = summary("twelve");
    console.log(`models: 1-day delta rescoring ${twelve.rescoring_ms} ms under 12 components, ${model1.rescoring_ms} ms under model 1`);
    return {
      accounts,
      days,
      deltas: plan.deltas,
      activation_ms: activation.ms,
      model1,
      twelve,
      twelve_to_model1: ratio(twelve.rescoring_ms, Math.max(1, model1.rescoring_ms)),
    };
  });
}

// ── 3. Full recompute under model 1: this code ÷ the code before issue 28 ────────────────────────────────────────

type CodeArm = "current" | "before";

async function measureBaselineSize(plan: Plan, size: { accounts: number; days: number }, baselineRoot: string) {
  // The plain file: the code before issue 28 does not know the measures, and model 1 does not read them.
  const history = await dataFile(size.accounts, size.days);
  const runs: Record<CodeArm, number[]> = { current: [], before: [] };
  for (let pass = 0; pass < plan.rounds; pass++) {
    await withServers({ port: PORT }, { port: SECOND_PORT, root: baselineRoot }, async (current, before) => {
      const servers: Record<CodeArm, DevServer> = { current, before };
      for (const server of [before, current]) {
        await uploadUntilScored(server, history);
        await untilNoAccountStale(server);
      }
      for (let run = 0; run < plan.recomputes; run++) {
        // ABBA across the recomputes of a pair: each code goes first as often as the other.
        const order: CodeArm[] = (pass * plan.recomputes + run) % 2 === 0 ? ["before", "current"] : ["current", "before"];
        for (const arm of order) runs[arm].push((await recomputeMs(servers[arm])).ms);
      }
    });
    console.log(`models: recompute ${count(size.accounts)} × ${size.days}, round ${pass + 1}: before ${runs.before.join(", ")} ms; this code ${runs.current.join(", ")} ms`);
  }
  const currentMs = median(runs.current);
  const beforeMs = median(runs.before);
  return {
    accounts: size.accounts,
    days: size.days,
    current_ms: currentMs,
    before_ms: beforeMs,
    current_runs_ms: runs.current,
    before_runs_ms: runs.before,
    current_to_before: ratio(currentMs, beforeMs),
  };
}

// ── 4. A 1M-row upload with the three measure columns ÷ without ──────────────────────────────────────────────────

type UploadArm = "with" | "without";

async function measureUpload(plan: Plan) {
  const { accounts, days } = plan.upload;
  const files: Record<UploadArm, string> = {
    with: await dataFile(accounts, days, { measures: true }),
    without: await dataFile(accounts, days),
  };
  const runs: Record<UploadArm, { rows_per_second: number; megabytes: number; seconds: number; timings_ms: Record<string, number> }[]> = {
    with: [],
    without: [],
  };
  for (let pass = 0; pass < plan.rounds; pass++) {
    const order: UploadArm[] = pass % 2 === 0 ? ["without", "with"] : ["with", "without"];
    for (const arm of order) {
      const measured = await withServer({ port: PORT }, async (server) => {
        if (arm === "with") await declareMeasures(server);
        return upload(server, files[arm]);
      });
      const rowsPerSecond = round(measured.body.rows_total / measured.seconds);
      runs[arm].push({
        rows_per_second: rowsPerSecond,
        megabytes: round(measured.bytes / 1e6, 1),
        seconds: round(measured.seconds, 2),
        timings_ms: measured.body.timings_ms,
      });
      console.log(`models: upload ${arm} measures, round ${pass + 1}: ${count(rowsPerSecond)} rows/s (${round(measured.seconds, 2)} s)`);
    }
  }
  const summary = (arm: UploadArm) => ({
    rows_per_second: median(runs[arm].map((run) => run.rows_per_second)),
    megabytes: runs[arm][0]?.megabytes ?? 0,
    runs: runs[arm],
  });
  const withMeasures = summary("with");
  const without = summary("without");
  return {
    accounts,
    days,
    rows: accounts * days,
    with: withMeasures,
    without,
    with_to_without: ratio(withMeasures.rows_per_second, without.rows_per_second),
  };
}

export async function measureModels(plan: Plan, baselineRoot?: string) {
  const preview = await measurePreview(plan);
  const delta = await measureDelta(plan);
  const baseline = [];
  if (baselineRoot) for (const size of plan.baseline) baseline.push(await measureBaselineSize(plan, size, baselineRoot));
  const uploads = await measureUpload(plan);
  return { rounds: plan.rounds, preview, delta, baseline, upload: uploads, targets: MODELS_TARGETS };
}

// ── Report ───────────────────────────────────────────────────────────────────────────────────────────────────────

export function printModels(results: Awaited<ReturnType<typeof measureModels>>) {
  const { preview, delta, baseline, upload: uploads } = results;
  const mark = (met: boolean) => (met ? "✓" : "✗");
  const size = (accounts: number, days: number) => `${count(accounts)} accounts × ${days} days`;
  console.log("\n| health models (side by side, one run) | measured | target |");
  console.log("|---|---|---|");
  console.log(
    `| preview of the 12-component model ÷ full recompute under it (${size(preview.accounts, preview.days)}: ${count(preview.preview_ms)} ms ÷ ${count(preview.full_recompute_ms)} ms ${preview.full_recompute_mode}, medians of ${preview.preview_runs_ms.length} and ${preview.full_recompute_runs_ms.length}) | ${preview.preview_to_recompute} | ≤ ${MODELS_TARGETS.previewToRecompute} ${mark(preview.preview_to_recompute <= MODELS_TARGETS.previewToRecompute)} |`,
  );
  console.log(
    `| 1-day delta rescoring, 12-component model ÷ model 1 (${size(delta.accounts, delta.days)}, 3 custom measures: ${delta.twelve.rescoring_ms} ms ÷ ${delta.model1.rescoring_ms} ms, median of ${delta.deltas}) | ${delta.twelve_to_model1} | ≤ ${MODELS_TARGETS.deltaToModel1} ${mark(delta.twelve_to_model1 <= MODELS_TARGETS.deltaToModel1)} |`,
  );
  console.log(
    `| D1 rows written by that delta ÷ rows uploaded, 12-component model (${count(delta.twelve.d1_rows_written)} ÷ ${count(delta.twelve.delta_rows)}; model 1: ${delta.model1.d1_rows_written_per_row}) | ${delta.twelve.d1_rows_written_per_row} | ≤ ${MODELS_TARGETS.rowsWrittenPerRow} ${mark(delta.twelve.d1_rows_written_per_row <= MODELS_TARGETS.rowsWrittenPerRow)} |`,
  );
  for (const row of baseline) {
    console.log(
      `| full recompute under model 1, this code ÷ before issue 28 (${size(row.accounts, row.days)}: ${count(row.current_ms)} ms ÷ ${count(row.before_ms)} ms, medians of ${row.current_runs_ms.length}) | ${row.current_to_before} | ≤ ${MODELS_TARGETS.recomputeToBefore} ${mark(row.current_to_before <= MODELS_TARGETS.recomputeToBefore)} |`,
    );
  }
  if (baseline.length === 0) console.log("| full recompute under model 1 ÷ before issue 28 | not measured (`--models-baseline <dir>`) | ≤ 1.1 |");
  console.log(
    `| ${count(uploads.rows)}-row upload rows/s, 3 custom-measure columns ÷ none (${count(uploads.with.rows_per_second)} ÷ ${count(uploads.without.rows_per_second)} rows/s, ${uploads.with.megabytes} ÷ ${uploads.without.megabytes} MB, medians of ${uploads.with.runs.length}) | ${uploads.with_to_without} | ≥ ${MODELS_TARGETS.uploadWithMeasures} ${mark(uploads.with_to_without >= MODELS_TARGETS.uploadWithMeasures)} |`,
  );
  console.log(
    `\nsame book under model 1: full recompute ${count(preview.model1_recompute_ms)} ms, so the 12-component recompute is ${preview.recompute_to_model1}× model 1's; ` +
      `activating the model (its figures, then its rescore of the book, ${preview.activation_rescore}) took ${count(preview.activation_ms)} ms; ` +
      `preview warnings: ${preview.preview_warnings.length === 0 ? "none" : preview.preview_warnings.join("; ")}`,
  );
}
