import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { generateSecret, secretKey, sign } from "../../src/webhooks/signing";

/** Our signing against an independent implementation of Standard Webhooks 1.0 (the `standardwebhooks` package). */

describe("webhook signing", () => {
  it("a secret is whsec_ + base64 of 32 random bytes, new every time", () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(secretKey(secret)).toHaveLength(32);
    expect(generateSecret()).not.toBe(secret);
  });

  it("signs exactly as the standardwebhooks package does, and that package verifies it", async () => {
    const secret = generateSecret();
    const body = JSON.stringify({ type: "health.bucket_changed", timestamp: "2026-11-02T06:00:00.000Z", data: { é: "ü" } });
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = await sign([secret], "msg_0123", timestamp, body);
    const reference = new Webhook(secret);
    expect(signature).toBe(reference.sign("msg_0123", new Date(timestamp * 1000), body));
    const headers = { "webhook-id": "msg_0123", "webhook-timestamp": String(timestamp), "webhook-signature": signature };
    expect(reference.verify(body, headers)).toEqual(JSON.parse(body));
    // One byte changed, another id, or another secret: refused.
    expect(() => reference.verify(body.replace("ü", "u"), headers)).toThrow();
    expect(() => reference.verify(body, { ...headers, "webhook-id": "msg_0124" })).toThrow();
    expect(() => new Webhook(generateSecret()).verify(body, headers)).toThrow();
  });

  it("two live secrets give two space-separated signatures, each verifiable with its own secret", async () => {
    const [current, previous] = [generateSecret(), generateSecret()];
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = await sign([current, previous], "msg_1", timestamp, "{}");
    expect(signature.split(" ")).toHaveLength(2);
    const headers = { "webhook-id": "msg_1", "webhook-timestamp": String(timestamp), "webhook-signature": signature };
    expect(new Webhook(current).verify("{}", headers)).toEqual({});
    expect(new Webhook(previous).verify("{}", headers)).toEqual({});
  });
});
