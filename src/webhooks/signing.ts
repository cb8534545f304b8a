/**
 * Standard Webhooks 1.0 signing (https://www.standardwebhooks.com): a pure module over WebCrypto. A secret is `whsec_`
 * + base64 of the key bytes; the signature of a message is `v1,` + base64 of HMAC-SHA256 over
 * `{webhook-id}.{webhook-timestamp}.{body}`, keyed with those bytes; several live secrets give several signatures,
 * separated by spaces, and a receiver accepts the message when any of them matches.
 */

const SECRET_PREFIX = "whsec_";
const SECRET_BYTES = 32;
const encoder = new TextEncoder();

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** A new secret: `whsec_` + base64 of 32 random bytes. */
export function generateSecret(): string {
  return SECRET_PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

/** The key bytes of a secret (the base64 after `whsec_`). */
export function secretKey(secret: string): Uint8Array {
  if (!secret.startsWith(SECRET_PREFIX)) throw new RangeError("A webhook secret starts with whsec_");
  return fromBase64(secret.slice(SECRET_PREFIX.length));
}

async function signature(secret: string, content: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey("raw", secretKey(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return `v1,${toBase64(new Uint8Array(await crypto.subtle.sign("HMAC", key, content)))}`;
}

/**
 * The `webhook-signature` header of a message: one `v1,<base64>` per secret, in the order given, space-separated.
 * `timestamp` is the `webhook-timestamp` header's value (unix seconds); `body` the exact bytes sent, as text.
 */
export async function sign(secrets: readonly string[], id: string, timestamp: number, body: string): Promise<string> {
  if (secrets.length === 0) throw new RangeError("Signing needs at least one secret");
  const content = encoder.encode(`${id}.${timestamp}.${body}`);
  return (await Promise.all(secrets.map((secret) => signature(secret, content)))).join(" ");
}
