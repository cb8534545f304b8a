/**
 * What the benches do with the API under test: a `wrangler dev` on a fresh local D1 for the length of a task, the
 * generated data files, uploads, and recomputes followed to completion when they were queued.
 */
import { createReadStream, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { generateCsv } from "../generate.ts";
import { startDevServer, type DevServer, type DevServerOptions } from "./dev-server.ts";
import { uploadMultipart } from "./upload.ts";

export const DATA_DIR = join(import.meta.dirname, "..", "data");
export const END_DATE = "2026-10-31";
export const SEED = 42;

export const round = (value: number, digits = 0) => Number(value.toFixed(digits));
export const count = (value: number) => value.toLocaleString("en-US");

/**
 * The generated file of `accounts` × `days` (seed 42, ending END_DATE), generated once and kept in bench/data; with
 * `measures`, the same rows with the custom-measure columns appended (MEASURE_COLUMNS, declared by declareMeasures).
 */
export async function dataFile(accounts: number, days: number, options: { measures?: boolean } = {}): Promise<string> {
  mkdirSync(DATA_DIR, { recursive: true });
  const path = join(DATA_DIR, `metrics-${accounts}x${days}-seed${SEED}${options.measures ? "-measures" : ""}.csv`);
  if (!existsSync(path)) {
    await generateCsv({ accounts, days, seed: SEED, out: path, end: END_DATE, measures: options.measures ?? false });
  }
  return path;
}

export async function withServer<T>(options: DevServerOptions, task: (server: DevServer) => Promise<T>): Promise<T> {
  const server = await startDevServer(options);
  try {
    return await task(server);
  } finally {
    await server.stop();
  }
}

export interface UploadBody {
  rows_total: number;
  rows_rejected: number;
  accounts_rescored: number;
  scores_written: number | null;
  dates_rescored: { accounts: number; dates: number } | null;
  d1_rows_written: number;
  rescore_job_id: number | null;
  duration_ms: number;
  timings_ms: { reading: number; writing: number; rescoring: number };
}

export interface JobBody {
  status: string;
  accounts_updated: number;
  scores_written: number;
}

export async function upload(server: DevServer, path: string) {
  const started = performance.now();
  const result = await uploadMultipart(`${server.url}/ingest/csv`, path);
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 200) throw new Error(`upload of ${path}: HTTP ${result.status} ${JSON.stringify(result.body)}`);
  return { seconds, bytes: result.bytes, body: result.body as UploadBody };
}

/** Polls a recompute job until it completes; answers it, with the seconds from `since` until it was seen done. */
export async function waitForJob(server: DevServer, id: number, since: number): Promise<{ job: JobBody; seconds: number }> {
  for (;;) {
    const job = (await (await fetch(`${server.url}/health/recompute/jobs/${id}`)).json()) as JobBody;
    if (job.status === "completed") return { job, seconds: (performance.now() - since) / 1000 };
    if (job.status === "failed") throw new Error(`recompute job ${id} failed: ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Uploads a file; when the upload queued its rescoring (a big one), also waits until the scores are fresh. */
export async function uploadUntilScored(server: DevServer, path: string) {
  const started = performance.now();
  const uploaded = await upload(server, path);
  const jobId = uploaded.body.rescore_job_id;
  const scoredSeconds = jobId === null ? uploaded.seconds : (await waitForJob(server, jobId, started)).seconds;
  return { ...uploaded, rescore: jobId === null ? "inline" : "queued job", scoredSeconds };
}

/** POST /health/recompute, and when it is queued (a big book), until its job completes. */
export async function timeRecompute(server: DevServer) {
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

/** Each account's row of its latest date, and the header. */
export async function lastRows(history: string): Promise<{ header: string; last: Map<string, string[]> }> {
  const last = new Map<string, string[]>();
  let header: string | null = null;
  for await (const line of createInterface({ input: createReadStream(history), crlfDelay: Infinity })) {
    if (header === null) header = line;
    else if (line !== "") {
      const fields = line.split(","); // generated names never hold commas
      const previous = last.get(fields[0] ?? "");
      if (!previous || (fields[4] ?? "") >= (previous[4] ?? "")) last.set(fields[0] ?? "", fields);
    }
  }
  return { header: header ?? "", last };
}
