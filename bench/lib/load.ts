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

export async function loadTest(url: string, seconds: number, connections = 10): Promise<LoadResult> {
  const { stdout } = await promisify(execFile)(
    AUTOCANNON,
    ["--json", "--connections", String(connections), "--duration", String(seconds), url],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const report = JSON.parse(stdout) as {
    requests: { average: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
  };
  if (report.non2xx > 0 || report.errors > 0) {
    throw new Error(`${url}: ${report.non2xx} non-2xx answers and ${report.errors} errors under load`);
  }
  return {
    requests_per_second: Math.round(report.requests.average),
    p50_ms: report.latency.p50,
    p99_ms: report.latency.p99,
    non_2xx: report.non2xx,
    errors: report.errors,
  };
}
