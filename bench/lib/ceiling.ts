/**
 * Feeds the bench-only ceiling Worker (bench/ceiling) the same rows as a generated CSV file: the JSON batches are built
 * before the clock starts, so only the D1 writes (and a local HTTP hop per batch) are timed.
 */
import { createReadStream } from "node:fs";
import { Agent, request } from "node:http";
import { createInterface } from "node:readline";

/** The batch size ingestion uses, which also measured fastest for the raw pattern (4.1 s against 5.1 s with 5,000). */
export const CEILING_BATCH_ROWS = 10_000;

interface PreparedRows {
  accountsJson: string;
  metricBatches: string[];
  rows: number;
}

/** Reads a generated CSV (no quoted fields but names, which never hold commas) into JSON batches. */
export async function prepareRows(path: string): Promise<PreparedRows> {
  const latest = new Map<string, [string, string, string, number, string]>();
  const batches: string[] = [];
  let batch: unknown[] = [];
  let rows = 0;
  let header = true;
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    if (header) {
      header = false;
      continue;
    }
    if (line === "") continue;
    const [name = "", segment = "", region = "", arr = "", date = "", dau, adoption, tickets, nps, login] = line.split(",");
    const previous = latest.get(name);
    if (!previous || date >= previous[4]) latest.set(name, [name, segment, region, Number(arr), date]);
    batch.push([name, date, Number(dau), Number(adoption), Number(tickets), nps === "" ? null : Number(nps), Number(login), Number(arr)]);
    rows++;
    if (batch.length >= CEILING_BATCH_ROWS) {
      batches.push(JSON.stringify(batch));
      batch = [];
    }
  }
  if (batch.length > 0) batches.push(JSON.stringify(batch));
  return { accountsJson: JSON.stringify([...latest.values()]), metricBatches: batches, rows };
}

const agent = new Agent({ keepAlive: true });

/** node:http, as the upload client uses, so both pay the same client cost. */
function post(url: string, body: string): Promise<number> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => {
          if (response.statusCode !== 200) reject(new Error(`${url}: HTTP ${response.statusCode} ${text}`));
          else resolve((JSON.parse(text) as { rows: number }).rows);
        });
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

/** Inserts the prepared rows into the ceiling Worker's fresh D1; answers the seconds it took. */
export async function insertAtCeiling(baseUrl: string, prepared: PreparedRows): Promise<number> {
  const started = performance.now();
  await post(`${baseUrl}/accounts`, prepared.accountsJson);
  let inserted = 0;
  for (const batch of prepared.metricBatches) inserted += await post(`${baseUrl}/metrics`, batch);
  const seconds = (performance.now() - started) / 1000;
  if (inserted !== prepared.rows) throw new Error(`the ceiling inserted ${inserted} of ${prepared.rows} rows`);
  return seconds;
}
