/**
 * The export against the ingest, side by side on one server: `npm run bench:export` loads the 1,000,000-row file
 * (10,000 accounts × 100 days), then streams `GET /export/metrics.csv` back twice, and reports:
 * - the upload's rows/s and the export's, and their ratio (the export must keep up with at least half the ingest);
 * - workerd's resident memory during the second export (as the ingest's is measured during a re-upload: the database's
 *   pages are then cached, and what is left is what the export itself holds);
 * - the local D1 file's size per account-day, and the account-days that fill D1's 10 GB;
 * - then an account of 365 days added to that book and erased (DELETE /accounts/{id}): the D1 rows the one request
 *   read and wrote (the server runs with D1_USAGE_HEADERS) and how long it took.
 *
 *   npm run bench:export                          # 10,000 × 100
 *   npm run bench:export -- --accounts 1000       # a quick try (100,000 rows)
 *
 * Writes bench/results/latest-export.json (quick-export.json with --accounts under 10,000).
 */
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { count, dataFile, round, uploadUntilScored, withServer } from "./lib/api.ts";
import { findWorkerd, sampleWhile } from "./lib/memory.ts";

const { values } = parseArgs({ options: { accounts: { type: "string", default: "10000" }, days: { type: "string", default: "100" } } });
const ACCOUNTS = Number(values.accounts);
const DAYS = Number(values.days);
const D1_LIMIT_BYTES = 10 * 1000 ** 3;

/** Streams an export and counts its data rows (lines after the header). */
async function exportRows(url: string): Promise<{ rows: number; bytes: number; seconds: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/export/metrics.csv`);
  if (response.status !== 200 || !response.body) throw new Error(`export: HTTP ${response.status} ${await response.text()}`);
  let lines = 0;
  let bytes = 0;
  const reader = response.body.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    bytes += next.value.byteLength;
    for (const byte of next.value) if (byte === 0x0a) lines++;
  }
  return { rows: lines - 1, bytes, seconds: (performance.now() - started) / 1000 };
}

/** The local D1 database files of a wrangler state directory, in bytes (the SQLite file and its WAL). */
function d1Bytes(stateDir: string): number {
  const directory = join(stateDir, "v3", "d1", "miniflare-D1DatabaseObject");
  return readdirSync(directory)
    .filter((name) => name.endsWith(".sqlite") || name.endsWith(".sqlite-wal"))
    .reduce((total, name) => total + statSync(join(directory, name)).size, 0);
}

const path = await dataFile(ACCOUNTS, DAYS);
/** One account of 365 days (as the generator's accounts look), uploaded as a raw CSV body. */
function yearOfOneAccount(): string {
  const lines = ["account_name,segment,region,arr,date,daily_active_users,feature_adoption_rate,support_tickets_open,nps_score,login_frequency"];
  const end = Date.parse("2026-10-31T00:00:00Z");
  for (let day = 364; day >= 0; day--) {
    const date = new Date(end - day * 86_400_000).toISOString().slice(0, 10);
    lines.push(`Erased Year Co,Enterprise,EMEA,250000,${date},${150 + (day % 30)},0.7,${day % 4},${day % 30 === 0 ? 40 : ""},0.8`);
  }
  return `${lines.join("\n")}\n`;
}

async function eraseAYear(url: string) {
  const uploaded = await fetch(`${url}/ingest/csv`, { method: "POST", headers: { "content-type": "text/csv" }, body: yearOfOneAccount() });
  if (uploaded.status !== 200) throw new Error(`upload of the year: HTTP ${uploaded.status} ${await uploaded.text()}`);
  const list = (await (await fetch(`${url}/accounts?search=Erased%20Year&page_size=1`)).json()) as { accounts: { id: number }[] };
  const id = list.accounts[0]?.id;
  if (id === undefined) throw new Error("the account of the year is not listed");
  const started = performance.now();
  const response = await fetch(`${url}/accounts/${id}`, { method: "DELETE" });
  const seconds = (performance.now() - started) / 1000;
  if (response.status !== 204) throw new Error(`DELETE /accounts/${id}: HTTP ${response.status} ${await response.text()}`);
  return {
    days: 365,
    seconds: round(seconds, 2),
    d1_rows_read: Number(response.headers.get("x-d1-rows-read")),
    d1_rows_written: Number(response.headers.get("x-d1-rows-written")),
  };
}

const result = await withServer({ vars: { D1_USAGE_HEADERS: "true" } }, async (server) => {
  const loaded = await uploadUntilScored(server, path);
  const rows = loaded.body.rows_total;
  const first = await exportRows(server.url);
  if (first.rows !== rows) throw new Error(`the export has ${first.rows} rows, the upload stored ${rows}`);
  const workerd = findWorkerd(server.process.pid as number);
  const again = await sampleWhile(workerd, () => exportRows(server.url));
  const bytes = d1Bytes(server.stateDir);
  const mib = (value: number) => round(value / 2 ** 20, 1);
  const erase = await eraseAYear(server.url);
  return {
    rows,
    ingest: { seconds: round(loaded.seconds, 2), rows_per_second: round(rows / loaded.seconds) },
    export_first: { seconds: round(first.seconds, 2), rows_per_second: round(rows / first.seconds), megabytes: round(first.bytes / 1e6, 1) },
    export_again: { seconds: round(again.result.seconds, 2), rows_per_second: round(rows / again.result.seconds) },
    export_to_ingest: round(rows / first.seconds / (rows / loaded.seconds), 2),
    workerd_rss_during_export_mib: { before: mib(again.before), peak: mib(again.peak), growth: mib(again.growth) },
    d1: {
      bytes,
      bytes_per_account_day: round(bytes / rows),
      account_days_in_10_gb: round(D1_LIMIT_BYTES / (bytes / rows)),
    },
    erase_365_days: erase,
  };
});

const out = join(import.meta.dirname, "results", ACCOUNTS >= 10_000 ? "latest-export.json" : "quick-export.json");
writeFileSync(out, `${JSON.stringify({ measured_at: new Date().toISOString(), accounts: ACCOUNTS, days: DAYS, ...result }, null, 2)}\n`);
console.log(
  `${count(result.rows)} rows: ingest ${count(result.ingest.rows_per_second)} rows/s, export ${count(result.export_first.rows_per_second)} rows/s ` +
    `(ratio ${result.export_to_ingest}; again ${count(result.export_again.rows_per_second)} rows/s); workerd RSS during the export ` +
    `${result.workerd_rss_during_export_mib.before} → peak ${result.workerd_rss_during_export_mib.peak} MiB (growth ${result.workerd_rss_during_export_mib.growth}); ` +
    `D1 ${count(result.d1.bytes_per_account_day)} bytes per account-day, ${count(result.d1.account_days_in_10_gb)} account-days in 10 GB; ` +
    `erasing an account of 365 days: ${result.erase_365_days.seconds} s, ${count(result.erase_365_days.d1_rows_read)} D1 rows read, ` +
    `${count(result.erase_365_days.d1_rows_written)} written`,
);
console.log(`wrote ${out}`);
