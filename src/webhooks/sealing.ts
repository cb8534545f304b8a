/**
 * Webhook signing secrets sealed at rest: AES-256-GCM over WebCrypto, a fresh 96-bit IV per seal, the webhook's id as
 * associated data (a sealed secret copied onto another endpoint does not open), under a key derived (HKDF-SHA-256)
 * from the SECRETS_KEY secret. A sealed value names the key that sealed it, so SECRETS_KEY_PREVIOUS still opens
 * what was sealed before a rotation until the cron seals it again under the new key:
 *
 *   sealed:<key version>:<base64 IV>:<base64 ciphertext and tag>
 *
 * A value that starts with `whsec_` is a secret stored before sealing existed: it still opens (as itself) until the
 * cron seals it.
 */

const SEALED_PREFIX = "sealed:";
const PLAIN_PREFIX = "whsec_";
const IV_BYTES = 12;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface SealingKey {
  /** 8 hex characters that identify the key (not the key: a hash of it under another label). */
  version: string;
  key: CryptoKey;
}

export interface SealingKeys {
  current: SealingKey;
  /** The key before a rotation: opens, never seals. */
  previous: SealingKey | null;
}

export class SealedSecretError extends Error {
  override name = "SealedSecretError";
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

async function hkdf(material: CryptoKey, info: string, bits: number): Promise<ArrayBuffer> {
  return crypto.subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: encoder.encode(info) },
    material,
    bits,
  );
}

const derived = new Map<string, Promise<SealingKey>>();

/** The AES-GCM key and its version for a SECRETS_KEY value; derived once per isolate. */
export function sealingKey(secretsKey: string): Promise<SealingKey> {
  let key = derived.get(secretsKey);
  if (!key) {
    key = (async () => {
      const material = await crypto.subtle.importKey("raw", encoder.encode(secretsKey), "HKDF", false, ["deriveBits"]);
      const keyBytes = await hkdf(material, "ai-success-insights webhook secrets v1", 256);
      const versionBytes = new Uint8Array(await hkdf(material, "ai-success-insights key version", 32));
      return {
        version: [...versionBytes].map((byte) => byte.toString(16).padStart(2, "0")).join(""),
        key: await crypto.subtle.importKey("raw", keyBytes, "AES-GCM", false, ["encrypt", "decrypt"]),
      };
    })();
    derived.set(secretsKey, key);
  }
  return key;
}

export async function sealingKeys(secretsKey: string, previousKey: string | null): Promise<SealingKeys> {
  return { current: await sealingKey(secretsKey), previous: previousKey ? await sealingKey(previousKey) : null };
}

function associatedData(webhookId: number): Uint8Array {
  return encoder.encode(`webhook:${webhookId}`);
}

/** `secret` sealed for the endpoint `webhookId` under the current key. */
export async function sealSecret(keys: SealingKeys, webhookId: number, secret: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: associatedData(webhookId) },
    keys.current.key,
    encoder.encode(secret),
  );
  return `${SEALED_PREFIX}${keys.current.version}:${toBase64(iv)}:${toBase64(new Uint8Array(sealed))}`;
}

/** The version of the key that sealed `stored`; null for a secret stored before sealing. */
export function sealedWith(stored: string): string | null {
  if (!stored.startsWith(SEALED_PREFIX)) return null;
  return stored.slice(SEALED_PREFIX.length).split(":")[0] ?? null;
}

/** The secret a stored value holds for the endpoint `webhookId`; throws a SealedSecretError naming what is wrong. */
export async function openSecret(keys: SealingKeys, webhookId: number, stored: string): Promise<string> {
  if (stored.startsWith(PLAIN_PREFIX)) return stored;
  const [version, iv, sealed] = stored.startsWith(SEALED_PREFIX) ? stored.slice(SEALED_PREFIX.length).split(":") : [];
  if (!version || !iv || !sealed) throw new SealedSecretError(`The secret of webhook ${webhookId} is neither sealed nor a whsec_ secret.`);
  const key = [keys.current, keys.previous].find((candidate) => candidate?.version === version);
  if (!key) {
    throw new SealedSecretError(
      `The secret of webhook ${webhookId} is sealed with key version ${version}, which is neither SECRETS_KEY's ` +
        `(${keys.current.version}) nor SECRETS_KEY_PREVIOUS's${keys.previous ? ` (${keys.previous.version})` : " (unset)"}.`,
    );
  }
  try {
    const opened = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64(iv), additionalData: associatedData(webhookId) },
      key.key,
      fromBase64(sealed),
    );
    return decoder.decode(opened);
  } catch {
    throw new SealedSecretError(`The secret of webhook ${webhookId} does not open under key version ${version}: it was altered or moved.`);
  }
}
