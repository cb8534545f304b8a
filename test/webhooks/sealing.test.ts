import { describe, expect, it } from "vitest";
import { openSecret, sealedWith, sealingKeys, sealSecret, SealedSecretError } from "../../src/webhooks/sealing";
import { generateSecret } from "../../src/webhooks/signing";

const KEY_A = "a".repeat(16) + "first sealing key for the tests";
const KEY_B = "b".repeat(16) + "second sealing key for the tests";

describe("webhook secrets sealed at rest (AES-GCM)", () => {
  it("opens what it sealed, with a fresh IV each time and no trace of the secret in the sealed text", async () => {
    const keys = await sealingKeys(KEY_A, null);
    const secret = generateSecret();
    const first = await sealSecret(keys, 7, secret);
    const second = await sealSecret(keys, 7, secret);
    expect(first).not.toBe(second);
    expect(first).toMatch(/^sealed:[0-9a-f]{8}:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(first).not.toContain(secret.slice(6, 20));
    expect(sealedWith(first)).toBe(keys.current.version);
    expect(await openSecret(keys, 7, first)).toBe(secret);
    expect(await openSecret(keys, 7, second)).toBe(secret);
  });

  it("does not open a sealed secret moved onto another endpoint, nor an altered one", async () => {
    const keys = await sealingKeys(KEY_A, null);
    const sealed = await sealSecret(keys, 7, generateSecret());
    await expect(openSecret(keys, 8, sealed)).rejects.toThrow(SealedSecretError);
    const parts = sealed.split(":");
    const altered = [...parts.slice(0, 3), `${parts[3]!.startsWith("A") ? "B" : "A"}${parts[3]!.slice(1)}`].join(":");
    await expect(openSecret(keys, 7, altered)).rejects.toThrow(/altered or moved/);
  });

  it("opens with SECRETS_KEY_PREVIOUS after a rotation, and names the key versions when no key fits", async () => {
    const before = await sealingKeys(KEY_A, null);
    const secret = generateSecret();
    const sealed = await sealSecret(before, 3, secret);
    const rotated = await sealingKeys(KEY_B, KEY_A);
    expect(rotated.current.version).not.toBe(before.current.version);
    expect(await openSecret(rotated, 3, sealed)).toBe(secret);
    const withoutPrevious = await sealingKeys(KEY_B, null);
    await expect(openSecret(withoutPrevious, 3, sealed)).rejects.toThrow(
      `sealed with key version ${before.current.version}, which is neither SECRETS_KEY's (${withoutPrevious.current.version}) nor SECRETS_KEY_PREVIOUS's (unset)`,
    );
  });

  it("reads a secret stored before sealing as itself", async () => {
    const secret = generateSecret();
    expect(await openSecret(await sealingKeys(KEY_A, null), 1, secret)).toBe(secret);
    expect(sealedWith(secret)).toBeNull();
  });
});
