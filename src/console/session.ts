import type { ApiKeyEntry, ApiKeyScope } from "../lib/api-keys";

/**
 * The console's session: a cookie that says which API key signed in (its name, scope and a fingerprint of its digest,
 * never the key) until when, signed with HMAC-SHA-256 under SESSION_SECRET. A session whose key left API_KEYS ends at
 * the next request: the fingerprint must still match a configured key.
 */

export const SESSION_COOKIE = "console_session";
export const SESSION_SECONDS = 8 * 60 * 60;

export interface Session {
  name: string | null;
  scope: ApiKeyScope;
  /** The first 16 hex characters of the key's digest. */
  fingerprint: string;
  /** Unix seconds. */
  expires: number;
}

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

export function fingerprintOf(key: ApiKeyEntry): string {
  return key.digest.slice(0, 16).toLowerCase();
}

/** The cookie value of a new session for `key`. */
export async function signSession(secret: string, key: ApiKeyEntry, now: Date): Promise<string> {
  const session: Session = {
    name: key.name,
    scope: key.scope,
    fingerprint: fingerprintOf(key),
    expires: Math.floor(now.getTime() / 1000) + SESSION_SECONDS,
  };
  const payload = base64url(encoder.encode(JSON.stringify(session)));
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(payload)));
  return `${payload}.${base64url(signature)}`;
}

/**
 * The session a cookie value holds, when its signature verifies, it has not expired and its key is still configured;
 * null otherwise (forged, altered, expired, signed out by a removed key).
 */
export async function openSession(secret: string, value: string, keys: readonly ApiKeyEntry[], now: Date): Promise<Session | null> {
  const [payload, signature, extra] = value.split(".");
  if (!payload || !signature || extra !== undefined) return null;
  let verified: boolean;
  try {
    verified = await crypto.subtle.verify("HMAC", await hmacKey(secret), fromBase64url(signature), encoder.encode(payload));
  } catch {
    return null;
  }
  if (!verified) return null;
  let session: Session;
  try {
    session = JSON.parse(new TextDecoder().decode(fromBase64url(payload))) as Session;
  } catch {
    return null;
  }
  if (session.expires <= Math.floor(now.getTime() / 1000)) return null;
  const key = keys.find((candidate) => fingerprintOf(candidate) === session.fingerprint);
  if (!key || key.scope !== session.scope) return null;
  return session;
}
