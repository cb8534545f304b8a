/**
 * Ingest throughput through `wrangler dev`: uploads the original sample and generated files as streamed multipart bodies and
 * reports rows/s and MB/s. Usage: node bench/ingest.ts [--rows 100000]
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateCsv } from "./generate.ts";
import { startDevServer } from "./lib/dev-server.ts";
import { uploadMultipart } from "./lib/upload.ts";

const { values } = parseArgs({ options: { rows: { type: "string", default: "100000" } } });
const rows = Number(values.rows);
const days = 100;
const dataDir = join(import.meta.dirname, "data");
mkdirSync(dataDir, { recursive: true });
const generated = join(dataDir, `metrics-${rows}.csv`);
if (!existsSync(generated)) await generateCsv({ accounts: Math.ceil(rows / days), days, seed: 42, out: generated, end: "2026-10-31" });

const files = [
  { label: "original sample (15 rows)", path: join(import.meta.dirname, "..", "test", "fixtures", "original-sample.csv") },
  { label: `generated (${rows} rows)`, path: generated },
];

const server = await startDevServer();
try {
  for (const file of files) {
    const started = performance.now();
    const result = await uploadMultipart(`${server.url}/ingest/csv`, file.path);
    const seconds = (performance.now() - started) / 1000;
    const body = result.body as { rows_total?: number; rows_rejected?: number; accounts_rescored?: number; duration_ms?: number };
    if (result.status !== 200) throw new Error(`${file.label}: HTTP ${result.status} ${JSON.stringify(body)}`);
    const total = body.rows_total ?? 0;
    console.log(
      `${file.label}: ${total} rows, ${(result.bytes / 1e6).toFixed(2)} MB in ${seconds.toFixed(2)} s ` +
        `= ${Math.round(total / seconds)} rows/s, ${(result.bytes / 1e6 / seconds).toFixed(1)} MB/s ` +
        `(rejected ${body.rows_rejected}, rescored ${body.accounts_rescored}, server duration_ms ${body.duration_ms})`,
    );
  }
} finally {
  await server.stop();
}
