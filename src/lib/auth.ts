import type { MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { ApiError } from "./errors";
import type { ApiKeyEntry, ApiKeyScope } from "./api-keys";
import { setLogContext } from "./logger";
import type { AppEnv } from "./types";

/**
 * Bearer API keys with scopes. The API_KEYS secret holds SHA-256 digests, never the keys; a presented key is hashed and
 * compared with every digest in constant time (no early exit), so neither the comparison nor the loop tells how close
 * a guess was. Several keys may be set at once, so a key is rotated by adding the new one before removing the old.
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

/** The configured key a request presents; throws 401 when it presents none or an unknown one. */
async function verifiedKey(authorization: string | undefined, keys: readonly ApiKeyEntry[]): Promise<ApiKeyEntry> {
  const token = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(authorization ?? "")?.[1];
  if (!token) {
    throw unauthorized(
      authorization
        ? "The Authorization header must be 'Bearer <API key>'."
        : "This route needs an API key: send 'Authorization: Bearer <API key>'.",
    );
  }
  const matched = await keyForToken(token, keys);
  if (!matched) throw unauthorized("The API key is not valid.");
  return matched;
}

/** The configured key whose digest is the token's, compared in constant time; null when none is (the console's sign-in too). */
export async function keyForToken(token: string, keys: readonly ApiKeyEntry[]): Promise<ApiKeyEntry | null> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(token));
  let matched: ApiKeyEntry | null = null;
  for (const key of keys) {
    // Every digest is compared, whatever the outcome of the previous ones.
    const equal = crypto.subtle.timingSafeEqual(digest, fromHex(key.digest));
    matched = equal ? key : matched;
  }
  return matched;
}

const SCOPE_RANK: Record<ApiKeyScope, number> = { read: 0, ingest: 1, admin: 2 };

/** A key's scope grants its own routes and those of the narrower scopes: admin ⊃ ingest ⊃ read. */
export function scopeGrants(held: ApiKeyScope, needed: ApiKeyScope): boolean {
  return SCOPE_RANK[held] >= SCOPE_RANK[needed];
}

/** How a key-less caller is treated: `always` refused once auth is on; `reads` only with AUTH_READS=true. */
type Protection = "always" | "reads";

/**
 * Guards a route with the scope it needs. Auth is on in production, and elsewhere once API_KEYS is set; production
 * without any key answers 503 rather than serving unprotected (fail closed). A missing or unknown key answers 401; a
 * known key without the scope, 403 naming the scope needed. A read left open (AUTH_READS off) serves a caller without
 * a key, but a key it presents is checked all the same: a mistyped key fails now, not the day reads are locked.
 */
export function requireScope(scope: ApiKeyScope, protection: Protection) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const { auth } = c.get("config");
    if (!auth.required) return next();
    const openRead = protection === "reads" && !auth.protectReads;
    if (openRead && (c.req.header("authorization") === undefined || auth.keys.length === 0)) return next();
    if (auth.keys.length === 0) {
      throw new ApiError(
        "service_unavailable",
        "Authentication is required in production but no API key is configured; set the API_KEYS secret.",
      );
    }
    const key = await verifiedKey(c.req.header("authorization"), auth.keys);
    const name = key.name ?? "unnamed full-access key";
    // A short, non-reversible id of the key for the rate limit; logs and records carry its name, never the key.
    c.set("apiKeyId", key.digest.slice(0, 16));
    c.set("apiKeyName", name);
    setLogContext({ key_name: name });
    if (!scopeGrants(key.scope, scope)) {
      throw new ApiError(
        "forbidden",
        `This route needs an API key with the '${scope}' scope (or a broader one); the key '${name}' has '${key.scope}'.`,
      );
    }
    await next();
  });
}

/** OpenAPI `security` of a route: required for writes; for reads, a key or nothing (it depends on AUTH_READS). */
export const WRITE_SECURITY: Record<string, string[]>[] = [{ [BEARER_SCHEME]: [] }];
export const READ_SECURITY: Record<string, string[]>[] = [{ [BEARER_SCHEME]: [] }, {}];

/**
 * A route's `security`, the middleware that enforces it and the scope it needs (`x-required-scope`, which the docs
 * also spell out in the description), spread together so they cannot drift apart.
 */
function access(scope: ApiKeyScope, protection: Protection) {
  return {
    security: protection === "reads" ? READ_SECURITY : WRITE_SECURITY,
    middleware: [requireScope(scope, protection)],
    "x-required-scope": scope,
  };
}

/** Reads: scope `read`, a key needed only with AUTH_READS=true. */
export const READ_ACCESS = access("read", "reads");
/** Uploads and recomputes: scope `ingest`. */
export const WRITE_ACCESS = access("ingest", "always");
/** Insights and recommendations only read, so scope `read`; they may call a paid model, so always with a key. */
export const INSIGHT_ACCESS = access("read", "always");
/** The exports hand out the whole book at once: scope `read`, always with a key (whatever AUTH_READS says). */
export const EXPORT_ACCESS = access("read", "always");
/** Configuration (webhook endpoints and their secrets): scope `admin`, always with a key. */
export const ADMIN_ACCESS = access("admin", "always");

/** An access with more middleware after the key check (e.g. a rate limit). */
export function accessWith(base: ReturnType<typeof access>, ...middleware: MiddlewareHandler<AppEnv>[]) {
  return { ...base, middleware: [...base.middleware, ...middleware] };
}
