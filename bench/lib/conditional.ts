/**
 * Conditional reads under load: each route with an ETag answered in full (200) and revalidated (`If-None-Match` with
 * the current tag: 304 after the one data-version read, none of the route's own queries), in the same run, on the same
 * server and data, so their ratio compares (absolute req/s on this shared machine do not, across runs).
 */
import type { DevServer } from "./dev-server.ts";
import { loadTest, type LoadResult } from "./load.ts";
import { round } from "./api.ts";

export interface ConditionalResult {
  route: string;
  full: LoadResult;
  not_modified: LoadResult;
  /** req/s of the 304 path ÷ req/s of the 200 path. */
  ratio: number;
}

export function conditionalRoutes(accounts: number) {
  return [
    { route: "GET /accounts (filter + sort)", path: "/accounts?page_size=50&segment=Enterprise&sort=health_score&order=desc" },
    { route: "GET /accounts/{id}", path: `/accounts/${Math.ceil(accounts / 2)}` },
    { route: "GET /portfolio/summary", path: "/portfolio/summary" },
    { route: "GET /portfolio/revenue", path: "/portfolio/revenue" },
    { route: "GET /events", path: "/events" },
    { route: "GET /playbooks", path: "/playbooks" },
  ];
}

export async function measureConditional(
  server: DevServer,
  routes: readonly { route: string; path: string }[],
  seconds: number,
): Promise<ConditionalResult[]> {
  const results: ConditionalResult[] = [];
  for (const { route, path } of routes) {
    const url = `${server.url}${path}`;
    const first = await fetch(url);
    await first.arrayBuffer();
    const tag = first.headers.get("etag");
    if (first.status !== 200 || !tag) throw new Error(`${route}: HTTP ${first.status}, ETag ${tag}`);
    const full = await loadTest(url, seconds);
    const notModified = await loadTest(url, seconds, { headers: { "If-None-Match": tag }, status: 304 });
    const ratio = round(notModified.requests_per_second / full.requests_per_second, 2);
    results.push({ route, full, not_modified: notModified, ratio });
    console.log(`conditional ${route}: 200 ${full.requests_per_second} req/s, 304 ${notModified.requests_per_second} req/s (× ${ratio})`);
  }
  return results;
}

export function printConditional(results: readonly ConditionalResult[], seconds: number): void {
  if (results.length === 0) return;
  console.log(`\n| conditional reads (autocannon, 10 connections, ${seconds} s each) | 200 req/s | 304 req/s | 304 ÷ 200 | 200 p99 ms | 304 p99 ms |`);
  console.log("|---|---|---|---|---|---|");
  for (const row of results) {
    console.log(
      `| ${row.route} | ${row.full.requests_per_second} | ${row.not_modified.requests_per_second} | ${row.ratio} | ${row.full.p99_ms} | ${row.not_modified.p99_ms} |`,
    );
  }
}
