/**
 * The console's pages against the API reads they show, side by side on one server: `npm run bench:console` loads the
 * 10,000-account book (× 100 days), then times, interleaved round by round so the machine's noise falls on both sides:
 * - `/app` against the sum of the reads it shows (GET /portfolio/summary, GET /portfolio/revenue?days=90 and
 *   GET /events?limit=8); its weekly trend (GET /portfolio/trend) is kept per data version, so its first visit after
 *   the upload is timed apart;
 * - `/app/accounts/{id}` against GET /accounts/{id}, on accounts spread over the book;
 * - `/app/accounts` (with the 30-day sparklines) against GET /accounts, for the record.
 * Each figure is the median of the rounds; "server" figures subtract the median of GET /healthz timed in the same
 * rounds (the HTTP round trip every request pays), so a page that shows three reads is not credited with two saved
 * round trips. Bytes: the page's HTML and its stylesheet gzip-compressed (Cloudflare compresses text answers), first
 * visit (HTML + stylesheet) and revisit (HTML alone: the stylesheet is cached for a year; a revisit with nothing
 * written since is a 304 without a body).
 *
 *   npm run bench:console                       # 10,000 accounts × 100 days, 40 rounds
 *   npm run bench:console -- --accounts 1000    # a quick try
 *
 * Writes bench/results/latest-console.json (quick-console.json under 10,000 accounts).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { count, dataFile, round, uploadUntilScored, withServer } from "./lib/api.ts";
import { median } from "./lib/stats.ts";

const { values } = parseArgs({
  options: { accounts: { type: "string", default: "10000" }, days: { type: "string", default: "100" }, rounds: { type: "string", default: "40" } },
});
const ACCOUNTS = Number(values.accounts);
const DAYS = Number(values.days);
const ROUNDS = Number(values.rounds);

/** Milliseconds to fetch `path` and read its whole body (a non-200 answer stops the bench). */
async function timed(url: string, path: string): Promise<{ ms: number; body: string }> {
  const started = performance.now();
  const response = await fetch(`${url}${path}`);
  const body = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`GET ${path}: HTTP ${response.status} ${body.slice(0, 300)}`);
  return { ms, body };
}

/** Times each path once per round, in order, round after round; answers each path's samples. */
async function rounds(url: string, paths: readonly string[], times: number): Promise<Map<string, number[]>> {
  const samples = new Map(paths.map((path) => [path, [] as number[]]));
  for (let index = 0; index < times; index++) {
    for (const path of paths) samples.get(path)!.push((await timed(url, path)).ms);
  }
  return samples;
}

const gzipped = (text: string) => gzipSync(text, { level: 6 }).byteLength;

const path = await dataFile(ACCOUNTS, DAYS);
const result = await withServer({}, async (server) => {
  const url = server.url;
  const loaded = await uploadUntilScored(server, path);

  // The first visit after the upload computes the weekly trend; every later one reads it kept.
  const trendFirst = await timed(url, "/portfolio/trend");
  const trendKept = await timed(url, "/portfolio/trend");

  const list = JSON.parse((await timed(url, `/accounts?sort=arr&page_size=100`)).body) as { accounts: { id: number }[] };
  const ids = list.accounts.filter((_, index) => index % 10 === 0).map((account) => account.id);

  const portfolioPaths = ["/healthz", "/app", "/portfolio/summary", "/portfolio/revenue?days=90", "/events?limit=8"];
  const portfolio = await rounds(url, portfolioPaths, ROUNDS);
  const accountPaths = ["/healthz", ...ids.flatMap((id) => [`/app/accounts/${id}`, `/accounts/${id}`])];
  const account = await rounds(url, accountPaths, Math.max(4, Math.round(ROUNDS / ids.length) * 2));
  const listPaths = ["/healthz", "/app/accounts", "/accounts"];
  const listing = await rounds(url, listPaths, ROUNDS);

  const at = (samples: Map<string, number[]>, key: string) => median(samples.get(key)!);
  const pooled = (samples: Map<string, number[]>, prefix: RegExp) =>
    median([...samples.entries()].filter(([key]) => prefix.test(key)).flatMap(([, values]) => values));

  const base = at(portfolio, "/healthz");
  const app = at(portfolio, "/app");
  const reads = ["/portfolio/summary", "/portfolio/revenue?days=90", "/events?limit=8"].map((key) => at(portfolio, key));
  const readsSum = reads.reduce((sum, value) => sum + value, 0);
  const accountBase = at(account, "/healthz");
  const accountPage = pooled(account, /^\/app\/accounts\/\d+$/);
  const accountRead = pooled(account, /^\/accounts\/\d+$/);
  const listBase = at(listing, "/healthz");

  const html = (await timed(url, "/app")).body;
  const stylesheet = /href="(\/app\/assets\/[^"]+\.css)"/.exec(html)?.[1];
  if (!stylesheet) throw new Error("no stylesheet link on /app");
  const css = (await timed(url, stylesheet)).body;
  const accountHtml = (await timed(url, `/app/accounts/${ids[0]}`)).body;

  const ms = (value: number) => round(value, 1);
  return {
    rows: loaded.body.rows_total,
    upload_seconds: round(loaded.scoredSeconds, 1),
    rounds: ROUNDS,
    trend: { first_visit_ms: ms(trendFirst.ms), kept_ms: ms(trendKept.ms) },
    portfolio: {
      healthz_ms: ms(base),
      app_ms: ms(app),
      summary_ms: ms(reads[0]!),
      revenue_ms: ms(reads[1]!),
      events_ms: ms(reads[2]!),
      app_to_reads: round(app / readsSum, 2),
      app_to_reads_server: round((app - base) / (readsSum - 3 * base), 2),
    },
    account: {
      accounts: ids.length,
      healthz_ms: ms(accountBase),
      page_ms: ms(accountPage),
      api_ms: ms(accountRead),
      page_to_api: round(accountPage / accountRead, 2),
      page_to_api_server: round((accountPage - accountBase) / (accountRead - accountBase), 2),
    },
    accounts_list: {
      page_ms: ms(at(listing, "/app/accounts")),
      api_ms: ms(at(listing, "/accounts")),
      page_to_api_server: round((at(listing, "/app/accounts") - listBase) / (at(listing, "/accounts") - listBase), 2),
    },
    bytes: {
      app_html: html.length,
      app_html_gzip: gzipped(html),
      stylesheet_gzip: gzipped(css),
      app_first_visit_gzip: gzipped(html) + gzipped(css),
      app_revisit_gzip: gzipped(html),
      account_page_html_gzip: gzipped(accountHtml),
    },
  };
});

const out = join(import.meta.dirname, "results", ACCOUNTS >= 10_000 ? "latest-console.json" : "quick-console.json");
writeFileSync(out, `${JSON.stringify({ measured_at: new Date().toISOString(), accounts: ACCOUNTS, days: DAYS, ...result }, null, 2)}\n`);
const { portfolio, account, accounts_list: listing, bytes, trend } = result;
console.log(
  `${count(ACCOUNTS)} accounts (${count(result.rows)} rows), ${result.rounds} rounds:\n` +
    `  /app ${portfolio.app_ms} ms vs summary ${portfolio.summary_ms} + revenue ${portfolio.revenue_ms} + events ${portfolio.events_ms} ms ` +
    `(healthz ${portfolio.healthz_ms} ms): ratio ${portfolio.app_to_reads}, server time ${portfolio.app_to_reads_server}\n` +
    `  weekly trend: first visit after the upload ${trend.first_visit_ms} ms, kept ${trend.kept_ms} ms\n` +
    `  /app/accounts/{id} ${account.page_ms} ms vs GET /accounts/{id} ${account.api_ms} ms over ${account.accounts} accounts: ` +
    `ratio ${account.page_to_api}, server time ${account.page_to_api_server}\n` +
    `  /app/accounts ${listing.page_ms} ms vs GET /accounts ${listing.api_ms} ms: server time ${listing.page_to_api_server}\n` +
    `  bytes (gzip): /app first visit ${count(bytes.app_first_visit_gzip)} (HTML ${count(bytes.app_html_gzip)} + CSS ${count(bytes.stylesheet_gzip)}), ` +
    `revisit ${count(bytes.app_revisit_gzip)}; account page ${count(bytes.account_page_html_gzip)}`,
);
console.log(`wrote ${out}`);
