import { sign } from "./signing";

/**
 * One attempt at delivering a message to an endpoint, and what follows from its answer. Apart from the storage and
 * the queue (services/webhooks), so the rules can be read, and tested, in one place.
 */

/** How long a receiver may take to answer. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** Delays before the retries after the 1st … 5th failed attempt; the 6th failure ends the delivery as failed. */
export const RETRY_DELAYS_SECONDS = [30, 120, 600, 3600, 21600] as const;
/** Deliveries in a row that ended failed after which the endpoint is disabled. */
export const FAILED_DELIVERIES_TO_DISABLE = 5;
/** How long the previous secret keeps signing after a rotation. */
export const SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;
/** Characters of a failing receiver's answer kept in `last_error`. */
const ERROR_BODY_CHARS = 200;

export interface OutgoingMessage {
  url: string;
  /** `webhook-id`: the delivery's, the same on every attempt. */
  messageId: string;
  /** The exact JSON body: `{type, timestamp, data}`. */
  body: string;
  /** The live secrets, newest first: each signs. */
  secrets: readonly string[];
}

/** `delivered`: a 2xx. `gone`: 410, the endpoint asks to be disabled. `failed`: anything else, retried. */
export interface AttemptResult {
  outcome: "delivered" | "gone" | "failed";
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** The Standard Webhooks headers of a message sent at `now`. */
export async function messageHeaders(message: OutgoingMessage, now: Date): Promise<Record<string, string>> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    "content-type": "application/json",
    "user-agent": "ai-success-insights-webhooks/1",
    "webhook-id": message.messageId,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": await sign(message.secrets, message.messageId, timestamp, message.body),
  };
}

async function answerExcerpt(response: Response): Promise<string> {
  try {
    const text = (await response.text()).trim().replace(/\s+/g, " ");
    return text.length > ERROR_BODY_CHARS ? `${text.slice(0, ERROR_BODY_CHARS)}…` : text;
  } catch {
    return "";
  }
}

/**
 * POSTs the message, signed at this moment, within DELIVERY_TIMEOUT_MS. Redirects are not followed (a 3xx is a
 * failure), so a receiver cannot send the delivery to a URL the rules would refuse.
 */
export async function attemptDelivery(message: OutgoingMessage, now = new Date()): Promise<AttemptResult> {
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  try {
    const response = await fetch(message.url, {
      method: "POST",
      headers: await messageHeaders(message, now),
      body: message.body,
      redirect: "manual",
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    if (response.status >= 200 && response.status < 300) {
      await response.body?.cancel();
      return { outcome: "delivered", statusCode: response.status, error: null, durationMs: elapsed() };
    }
    const excerpt = await answerExcerpt(response);
    const error = `The endpoint answered ${response.status}${excerpt ? `: ${excerpt}` : ""}`;
    return { outcome: response.status === 410 ? "gone" : "failed", statusCode: response.status, error, durationMs: elapsed() };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    const reason = timedOut
      ? `No answer within ${DELIVERY_TIMEOUT_MS / 1000} s`
      : `The request failed: ${error instanceof Error ? error.message : String(error)}`;
    return { outcome: "failed", statusCode: null, error: reason, durationMs: elapsed() };
  }
}

/** The delay before the next attempt after `failedAttempts` failed attempts in a row; null: no more attempts. */
export function retryDelaySeconds(failedAttempts: number): number | null {
  return RETRY_DELAYS_SECONDS[failedAttempts - 1] ?? null;
}

/** The secrets that sign at `now`: the current one, and the previous one until its overlap ends. */
export function liveSecrets(
  secret: string,
  previousSecret: string | null,
  previousSecretExpiresAt: string | null,
  now: Date,
): string[] {
  const previousLive = previousSecret !== null && previousSecretExpiresAt !== null && Date.parse(previousSecretExpiresAt) > now.getTime();
  return previousLive ? [secret, previousSecret] : [secret];
}
