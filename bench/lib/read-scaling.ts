/**
 * What the portfolio's reads cost as the book grows: books of 1,000, 10,000 and 100,000 accounts × 3 days, and for each
 * read the D1 rows it read (summed over its statements by the Worker itself, D1_USAGE_HEADERS, so deterministic on a
 * noisy machine) and its req/s against `/healthz` on the same server. The rows are counted on a metered server, the
 * load runs on a plain one restarted on the same data, so metering costs the req/s nothing.
 */
import { count, dataFile, round, uploadUntilScored, withServer } from "./api.ts";
import type { DevServer } from "./dev-server.ts";
import { loadTest } from "./load.ts";

/** Its own port, away from the other benches' servers. */
const PORT = 8793;
const DAYS = 3;
const PAGE_SIZE = 50;
const BASELINE = "GET /healthz";
/** The documented usage header (README, D1_USAGE_HEADERS). */
const ROWS_READ_HEADER = "x-d1-rows-read";
export const READ_TARGETS = { summaryRowsRead: 1000, revenueRowsRead: 1000, listRowsRead: 3 * PAGE_SIZE + 50 };

export const readScalingPlan = (quick: boolean) => ({
  books: quick ? [1000, 10_000] : [1000, 10_000, 100_000],
  seconds: quick ? 2 : 4,
});
type Plan = ReturnType<typeof readScalingPlan>;

interface ReadRoute {
  route: string;
  path: string;
  /** A list's first page, held to the list target rather than the aggregate one. */
  list?: boolean;
}

interface Parameter {
  name: string;
  schema?: { enum?: string[] };
}

/** The documented values of a query parameter of GET /accounts, as the served OpenAPI document lists them. */
async function documentedValues(server: DevServer, name: string): Promise<string[]> {
  const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
    paths: Record<string, { get?: { parameters?: Parameter[] } }>;
  };
  const values = document.paths["/accounts"]?.get?.parameters?.find((parameter) => parameter.name === name)?.schema?.enum;
  if (!values || values.length === 0) throw new Error(`GET /accounts documents no values of '${name}'`);
  return values;
}

async function readRoutes(server: DevServer, accounts: number): Promise<ReadRoute[]> {
  const orders = await documentedValues(server, "order");
  const sorts = (await documentedValues(server, "sort")).flatMap((sort) =>
    orders.map((order) => ({
      route: `GET /accounts?sort=${sort}&order=${order}`,
      path: `/accounts?page_size=${PAGE_SIZE}&sort=${sort}&order=${order}`,
      list: true,
    })),
  );
  return [
    { route: BASELINE, path: "/healthz" },
    { route: "GET /portfolio/summary", path: "/portfolio/summary" },
    { route: "GET /portfolio/revenue", path: "/portfolio/revenue" },
    ...sorts,
    { route: "GET /accounts?segment=Enterprise (first page)", path: `/accounts?page_size=${PAGE_SIZE}&segment=Enterprise`, list: true },
    { route: "GET /accounts/{id}", path: `/accounts/${Math.ceil(accounts / 2)}` },
    { route: "GET /renewals", path: "/renewals" },
    { route: "GET /events", path: "/events" },
  ];
}

export interface ReadAtSize {
  accounts: number;
  rows_read: number;
  requests_per_second: number;
  /** req/s ÷ `/healthz` req/s on the same server. */
  ratio_to_healthz: number;
}

export interface ReadScalingRow {
  route: string;
  list: boolean;
  sizes: ReadAtSize[];
  /** Largest book ÷ smallest. */
  rows_read_growth: number;
  requests_per_second_ratio: number;
}

async function rowsReadOf(server: DevServer, path: string): Promise<number> {
  const response = await fetch(`${server.url}${path}`);
  await response.arrayBuffer();
  const rows = response.headers.get(ROWS_READ_HEADER);
  if (response.status !== 200 || rows === null) throw new Error(`${path}: HTTP ${response.status}, ${ROWS_READ_HEADER} ${rows}`);
  return Number(rows);
}

export async function measureReadScaling(plan: Plan): Promise<ReadScalingRow[]> {
  const measured = new Map<string, { list: boolean; sizes: ReadAtSize[] }>();
  for (const accounts of plan.books) {
    const path = await dataFile(accounts, DAYS);
    const base = { port: PORT, vars: { MAX_UPLOAD_BYTES: String(512 * 1024 * 1024) } };
    const metered = { ...base, vars: { ...base.vars, D1_USAGE_HEADERS: "true" }, keepState: true };
    const { stateDir, rowsRead, routes } = await withServer(metered, async (server) => {
      await uploadUntilScored(server, path);
      const routes = await readRoutes(server, accounts);
      const rowsRead = new Map<string, number>();
      for (const route of routes) rowsRead.set(route.route, await rowsReadOf(server, route.path));
      return { stateDir: server.stateDir, rowsRead, routes };
    });
    await withServer({ ...base, stateDir, skipMigrations: true }, async (server) => {
      const requestsPerSecond = new Map<string, number>();
      for (const route of routes) {
        requestsPerSecond.set(route.route, (await loadTest(`${server.url}${route.path}`, plan.seconds)).requests_per_second);
      }
      const baseline = requestsPerSecond.get(BASELINE) ?? 1;
      for (const route of routes) {
        const perSecond = requestsPerSecond.get(route.route) ?? 0;
        const entry = measured.get(route.route) ?? { list: route.list ?? false, sizes: [] };
        entry.sizes.push({
          accounts,
          rows_read: rowsRead.get(route.route) ?? 0,
          requests_per_second: perSecond,
          ratio_to_healthz: round(perSecond / baseline, 2),
        });
        measured.set(route.route, entry);
      }
    });
    console.log(`reads at ${count(accounts)} accounts measured`);
  }
  return [...measured].map(([route, { list, sizes }]) => {
    const first = sizes[0];
    const last = sizes.at(-1);
    return {
      route,
      list,
      sizes,
      rows_read_growth: round((last?.rows_read ?? 0) / Math.max(1, first?.rows_read ?? 1), 2),
      requests_per_second_ratio: round((last?.requests_per_second ?? 0) / Math.max(1, first?.requests_per_second ?? 1), 2),
    };
  });
}

export function printReadScaling(rows: readonly ReadScalingRow[], seconds: number): void {
  if (rows.length === 0) return;
  const books = rows[0]?.sizes.map((size) => count(size.accounts)) ?? [];
  console.log(
    `\n| read (${DAYS} days per account; rows read: D1 rows_read of one request; req/s: autocannon, 10 connections, ${seconds} s) | ` +
      `rows read at ${books.join(" / ")} | req/s at ${books.join(" / ")} | ÷ /healthz at ${books.join(" / ")} | ` +
      "rows read, largest ÷ smallest | req/s, largest ÷ smallest |",
  );
  console.log("|---|---|---|---|---|---|");
  for (const row of rows) {
    const column = (pick: (size: ReadAtSize) => number | string) => row.sizes.map(pick).join(" / ");
    console.log(
      `| ${row.route} | ${column((size) => count(size.rows_read))} | ${column((size) => size.requests_per_second)} | ` +
        `${column((size) => size.ratio_to_healthz)} | ${row.rows_read_growth} | ${row.requests_per_second_ratio} |`,
    );
  }
  console.log(
    `\ntargets at the largest book: summary and revenue ≤ ${count(READ_TARGETS.summaryRowsRead)} rows read, a list's first page ` +
      `≤ ${READ_TARGETS.listRowsRead}, req/s largest ÷ smallest ≥ 0.7, ÷ /healthz ≥ 0.5`,
  );
}
