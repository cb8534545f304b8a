/**
 * A webhook receiver for AI Success Insights: it checks each delivery's Standard Webhooks signature (HMAC-SHA256 with
 * node:crypto, compared in constant time), refuses a timestamp more than 5 minutes away, drops a `webhook-id` it has
 * seen (a retry of a delivery it already has), and prints the event. Run it next to `npm run dev`:
 *
 *   WEBHOOK_SECRET=whsec_... npm run webhook:receiver        # listens on http://127.0.0.1:8790/webhooks (PORT=…)
 *
 * then create a webhook for http://127.0.0.1:8790/webhooks (the secret is in that answer). Import startReceiver to run
 * it from a script (bench/webhook-e2e.ts does).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";

const TOLERANCE_SECONDS = 5 * 60;

export interface ReceivedEvent {
  id: string;
  type: string;
  timestamp: string;
  data: unknown;
  /** The raw request, for a second opinion on the signature. */
  headers: Record<string, string>;
  body: string;
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return Array.isArray(value) ? (value[0] ?? "") : (value ?? "");
}

/** Why a delivery is not authentic, or null when one of its signatures matches a secret and its timestamp is recent. */
export function verificationProblem(secret: string, id: string, timestamp: string, signatures: string, body: string, now = Date.now()): string | null {
  if (!id || !timestamp || !signatures) return "missing webhook-id, webhook-timestamp or webhook-signature";
  const seconds = Number(timestamp);
  if (!Number.isInteger(seconds) || Math.abs(now / 1000 - seconds) > TOLERANCE_SECONDS) return "timestamp outside 5 minutes";
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest();
  // Several signatures (`v1,<base64>` separated by spaces) while two secrets are live: any one may match.
  for (const signature of signatures.split(" ")) {
    const [version, value = ""] = signature.split(",");
    const given = Buffer.from(value, "base64");
    if (version === "v1" && given.length === expected.length && timingSafeEqual(given, expected)) return null;
  }
  return "no signature matches the secret";
}

export interface ReceiverOptions {
  port: number;
  secret: string;
  onEvent?: (event: ReceivedEvent) => void;
  /** Print each event (and each refusal) to stdout; true by default. */
  print?: boolean;
}

/** Listens on 127.0.0.1:`port`; POST /webhooks only. */
export function startReceiver(options: ReceiverOptions): Promise<Server> {
  const seen = new Set<string>();
  const print = options.print ?? true;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (request.method !== "POST" || request.url !== "/webhooks") {
        response.writeHead(404).end();
        return;
      }
      const body = Buffer.concat(chunks).toString("utf8");
      const id = header(request.headers, "webhook-id");
      const problem = verificationProblem(
        options.secret,
        id,
        header(request.headers, "webhook-timestamp"),
        header(request.headers, "webhook-signature"),
        body,
      );
      if (problem) {
        if (print) console.log(`refused a delivery: ${problem}`);
        response.writeHead(401, { "content-type": "text/plain" }).end(problem);
        return;
      }
      // A retry of a delivery already handled: acknowledge it again, do not act twice.
      if (!seen.has(id)) {
        seen.add(id);
        const event = JSON.parse(body) as { type: string; timestamp: string; data: unknown };
        if (print) console.log(`verified ${event.type} (${id}) at ${event.timestamp}:\n${JSON.stringify(event.data, null, 2)}`);
        const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
        options.onEvent?.({ id, ...event, headers, body });
      }
      response.writeHead(204).end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve(server));
  });
}

if (import.meta.main) {
  const secret = process.env.WEBHOOK_SECRET ?? "";
  if (!secret.startsWith("whsec_")) {
    console.error("Set WEBHOOK_SECRET to the secret POST /webhooks answered (whsec_…).");
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 8790);
  await startReceiver({ port, secret });
  console.log(`Listening on http://127.0.0.1:${port}/webhooks; deliveries with a valid signature are printed here.`);
}
