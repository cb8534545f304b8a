import { createMiddleware } from "hono/factory";
import { ApiError } from "./errors";
import { toHex } from "./hash";
import type { AppEnv } from "./types";

/**
 * Bearer API keys. The API_KEYS secret holds SHA-256 digests, never the keys; a presented key is hashed and compared
 * with every digest in constant time (no early exit), so neither the comparison nor the loop tells how close a guess
 * was. Several digests may be set at once, so a key is rotated by adding the new one before removing the old.
 */

export const BEARER_SCHEME = "bearerAuth";
const REALM = 'Bearer realm="ai-success-insights"';

const encoder = new TextEncoder();

function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let index = 0; index < bytes.length; index++) bytes[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  return bytes;
}

function unauthorized(detail: string): ApiError {
  return new ApiError("unauthorized", detail, undefined, { "WWW-Authenticate": REALM });
}

/** The digest of the key a request presents, if it matches one of `digests`; throws 401 otherwise. */
async function verifiedKeyDigest(authorization: string | undefined, digests: readonly string[]): Promise<string> {
  const token = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(authorization ?? "")?.[1];
  if (!token) {
    throw unauthorized(
      authorization
        ? "The Authorization header must be 'Bearer <API key>'."
        : "This route needs an API key: send 'Authorization: Bearer <API key>'.",
    );
  }
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(token));
  let matched = false;
  for (const expected of digests) {
    // Bitwise OR, not ||: every digest is compared whatever the outcome of the previous ones.
    matched = crypto.subtle.timingSafeEqual(digest, fromHex(expected)) || matched;
  }
  if (!matched) throw unauthorized("The API key is not valid.");
  return toHex(digest);
}

/**
 * Guards a route: `write` for mutating or costly routes (always protected once auth is on), `read` for reads
 * (protected only with AUTH_READS=true). Auth is on in production, and elsewhere once API_KEYS is set; production
 * without any key answers 503 rather than serving unprotected (fail closed).
 */
export function requireApiKey(access: "write" | "read") {
  return createMiddleware<AppEnv>(async (c, next) => {
    const { auth } = c.get("config");
    if (!auth.required || (access === "read" && !auth.protectReads)) return next();
    if (auth.keyDigests.length === 0) {
      throw new ApiError(
        "service_unavailable",
        "Authentication is required in production but no API key is configured; set the API_KEYS secret.",
      );
    }
    const digest = await verifiedKeyDigest(c.req.header("authorization"), auth.keyDigests);
    // A short, non-reversible id of the key: for rate limits and logs, never the key itself.
    c.set("apiKeyId", digest.slice(0, 16));
    await next();
  });
}

/** OpenAPI `security` of a route: required for writes; for reads, a key or nothing (it depends on AUTH_READS). */
export const WRITE_SECURITY: Record<string, string[]>[] = [{ [BEARER_SCHEME]: [] }];
export const READ_SECURITY: Record<string, string[]>[] = [{ [BEARER_SCHEME]: [] }, {}];

/** A read route's `security` and the middleware that enforces it, spread together so the two cannot drift apart. */
export const READ_ACCESS = { security: READ_SECURITY, middleware: [requireApiKey("read")] };
export const WRITE_ACCESS = { security: WRITE_SECURITY, middleware: [requireApiKey("write")] };
