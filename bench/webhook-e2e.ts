/**
 * Webhooks end to end through `wrangler dev` on a fresh local D1: a real HTTP receiver on this machine (the example's,
 * examples/webhook-receiver.ts) gets a correctly signed `health.bucket_changed` within seconds of the upload that
 * moved an account to Critical. The signature is checked twice: by the receiver (node:crypto) and by the
 * `standardwebhooks` package, an independent implementation. Exits 1 on failure; the last line says
 * `N passed, N failed`.
 *
 *   npm run test:webhooks                     # about 30 s: wrangler dev start, two uploads, the delivery
 *
 * `--port` (8797) and `--receiver-port` (8798) keep it off the ports of the benchmarks. Run it from a checkout nobody
 * edits meanwhile: wrangler dev reloads when src/ changes.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Webhook } from "standardwebhooks";
import { startReceiver, type ReceivedEvent } from "../examples/webhook-receiver.ts";
import { startDevServer } from "./lib/dev-server.ts";
import { uploadMultipart } from "./lib/upload.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8797" },
    "receiver-port": { type: "string", default: "8798" },
    "within-ms": { type: "string", default: "10000" },
  },
});
const RECEIVER_PORT = Number(values["receiver-port"]);
const WITHIN_MS = Number(values["within-ms"]);
const EXAMPLES = join(import.meta.dirname, "..", "examples");

const checks: { name: string; ok: boolean; detail: string }[] = [];
function check(name: string, ok: boolean, detail = ""): void {
  checks.push({ name, ok, detail });
  console.log(`${ok ? "✓" : "✗"} ${name}${detail ? `: ${detail}` : ""}`);
}

const server = await startDevServer({ port: Number(values.port) });
let receiver: Awaited<ReturnType<typeof startReceiver>> | null = null;
try {
  const created = await fetch(`${server.url}/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ url: `http://127.0.0.1:${RECEIVER_PORT}/webhooks`, event_types: ["health.bucket_changed"] }),
  });
  const webhook = (await created.json()) as { id: number; secret: string };
  if (created.status !== 201) throw new Error(`POST /webhooks answered ${created.status}: ${JSON.stringify(webhook)}`);

  const events: { event: ReceivedEvent; at: number }[] = [];
  receiver = await startReceiver({
    port: RECEIVER_PORT,
    secret: webhook.secret,
    print: false,
    onEvent: (event) => events.push({ event, at: performance.now() }),
  });

  const history = await uploadMultipart(`${server.url}/ingest/csv`, join(EXAMPLES, "accounts.csv"));
  if (history.status !== 200) throw new Error(`the example data's upload answered ${history.status}`);
  const settle = performance.now();
  while (performance.now() - settle < 1500) await new Promise((resolve) => setTimeout(resolve, 100));
  check("loading the example book delivers no bucket change (first scores)", events.length === 0, `${events.length} received`);

  const uploaded = performance.now();
  const critical = await uploadMultipart(`${server.url}/ingest/csv`, join(EXAMPLES, "acme-goes-critical.csv"));
  if (critical.status !== 200) throw new Error(`the critical week's upload answered ${critical.status}`);
  while (events.length === 0 && performance.now() - uploaded < WITHIN_MS) await new Promise((resolve) => setTimeout(resolve, 25));
  const first = events[0];
  check(
    `a health.bucket_changed arrives within ${WITHIN_MS / 1000} s of the upload`,
    first !== undefined,
    first ? `${Math.round(first.at - uploaded)} ms after the upload started` : "nothing arrived",
  );
  if (first) {
    const data = first.event.data as { account_name?: string; from?: string; to?: string };
    check(
      "it is Acme Corp going Critical",
      first.event.type === "health.bucket_changed" && data.account_name === "Acme Corp" && data.to === "Critical",
      `${data.account_name}: ${data.from} → ${data.to}`,
    );
    let verified = false;
    try {
      new Webhook(webhook.secret).verify(first.event.body, first.event.headers);
      verified = true;
    } catch (error) {
      console.error(error);
    }
    check("the standardwebhooks package verifies its signature too", verified);
    const deliveries = (await (await fetch(`${server.url}/webhooks/${webhook.id}/deliveries`)).json()) as { status: string }[];
    check("GET /webhooks/{id}/deliveries shows it delivered", deliveries[0]?.status === "delivered", JSON.stringify(deliveries[0]));
  }
} catch (error) {
  check("the scenario ran", false, error instanceof Error ? error.message : String(error));
} finally {
  receiver?.close();
  await server.stop();
}
const failed = checks.filter((item) => !item.ok).length;
console.log(`${checks.length - failed} passed, ${failed} failed`);
// CI sums this with the vitest reports (the same three counts vitest's JSON reporter writes).
const reportFile = process.env.WEBHOOK_E2E_REPORT;
if (reportFile) {
  writeFileSync(
    reportFile,
    JSON.stringify({ numPassedTests: checks.length - failed, numFailedTests: failed, numTotalTests: checks.length }),
  );
}
process.exit(failed === 0 ? 0 : 1);
