/** Load from a second process: autocannon's CLI with 10 connections, its JSON report reduced to what we compare. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const AUTOCANNON = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "autocannon");

export interface LoadResult {
  requests_per_second: number;
  p50_ms: number;
  p99_ms: number;
  non_2xx: number;
  errors: number;
}

export interface LoadOptions {
  connections?: number;
  /** Request headers, e.g. `If-None-Match`. */
  headers?: Record<string, string>;
  /** The one status every answer must have (default: any 2xx). */
  status?: number;
}

export async function loadTest(url: string, seconds: number, options: LoadOptions = {}): Promise<LoadResult> {
  const headerArgs = Object.entries(options.headers ?? {}).flatMap(([name, value]) => ["--headers", `${name}=${value}`]);
  const { stdout } = await promisify(execFile)(
    AUTOCANNON,
    ["--json", "--connections", String(options.connections ?? 10), "--duration", String(seconds), ...headerArgs, url],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const report = JSON.parse(stdout) as {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
    statusCodeStats?: Record<string, { count: number }>;
  };
  // autocannon counts a 304 among the non-2xx answers: with `status`, every answer must have that status.
  const unexpected =
    options.status === undefined ? report.non2xx : report.requests.total - (report.statusCodeStats?.[options.status]?.count ?? 0);
  if (unexpected > 0 || report.errors > 0) {
    const expected = options.status === undefined ? "2xx" : String(options.status);
    throw new Error(`${url}: ${unexpected} answers other than ${expected} and ${report.errors} errors under load`);
  }
  return {
    requests_per_second: Math.round(report.requests.average),
    p50_ms: report.latency.p50,
    p99_ms: report.latency.p99,
    non_2xx: report.non2xx,
    errors: report.errors,
  };
}
