import { describe, expect, it } from "vitest";
import { AccountLedger, hash53, hashFrom, KeyLedger, keyPrefix } from "../../src/services/ingest/ledger";

describe("KeyLedger", () => {
  it("keeps each key's last line and values, growing as keys arrive", () => {
    const ledger = new KeyLedger(1 << 16);
    for (let index = 0; index < 20_000; index++) {
      expect(ledger.recordLine(hash53(`key ${index}`), index + 2)).toBe(0);
      ledger.setValues(hash53(`key ${index}`), index);
    }
    expect(ledger.size).toBe(20_000);
    expect(ledger.get(hash53("key 0"))).toEqual({ line: 2, values: 0 });
    expect(ledger.get(hash53("key 19999"))).toEqual({ line: 20_001, values: 19_999 });
    expect(ledger.get(hash53("key 20000"))).toBeUndefined();
    // A key seen again answers the line it had, and keeps its values until they are set.
    expect(ledger.recordLine(hash53("key 7"), 99)).toBe(9);
    expect(ledger.get(hash53("key 7"))).toEqual({ line: 99, values: 7 });
    ledger.setValues(hash53("key 7"), 1);
    expect(ledger.get(hash53("key 7"))).toEqual({ line: 99, values: 1 });
    // Values are only kept for keys it holds.
    ledger.setValues(hash53("key 20000"), 5);
    expect(ledger.get(hash53("key 20000"))).toBeUndefined();
    expect(ledger.size).toBe(20_000);
    expect(ledger.full).toBe(false);
  });

  it("stops taking new keys at its bound and says so, keeping the ones it has", () => {
    const ledger = new KeyLedger(1 << 12);
    let taken = 0;
    for (let index = 0; index < 5_000; index++) if (ledger.recordLine(hash53(`k${index}`), index + 2) !== undefined) taken++;
    expect(taken).toBe(Math.floor((1 << 12) * 0.7));
    expect(ledger.full).toBe(true);
    expect(ledger.get(hash53("k0"))).toEqual({ line: 2, values: 0 });
    expect(ledger.get(hash53("k4999"))).toBeUndefined();
    // A key it holds is still updated.
    expect(ledger.recordLine(hash53("k1"), 42)).toBe(3);
    expect(ledger.get(hash53("k1"))?.line).toBe(42);
  });

  it("treats a hash of 0 like any other key", () => {
    const ledger = new KeyLedger();
    expect(ledger.recordLine(0, 5)).toBe(0);
    expect(ledger.get(0)).toEqual({ line: 5, values: 0 });
  });
});

describe("AccountLedger", () => {
  it("keeps at most its bound of accounts", () => {
    const ledger = new AccountLedger(2);
    const state = () => ({
      lastArr: 1,
      lastLine: 2,
      exists: false,
      created: true,
      changed: true,
      segment: null,
      region: null,
      arr: null,
      latestDate: null,
      renewalDate: null,
      renewalDateAsOf: null,
      owner: null,
      ownerAsOf: null,
    });
    expect(ledger.add("a", state())).toBe(true);
    expect(ledger.add("b", { ...state(), created: false })).toBe(true);
    expect(ledger.add("c", state())).toBe(false);
    expect(ledger.full).toBe(true);
    expect(ledger.get("c")).toBeUndefined();
    expect(ledger.counts()).toEqual({ created: 1, updated: 1 });
  });
});

describe("hash53", () => {
  it("is stable, below 2^53, and tells close strings apart", () => {
    expect(hash53("Acme\u00002024-10-01")).toBe(hash53("Acme\u00002024-10-01"));
    const hashes = new Set<number>();
    for (let index = 0; index < 100_000; index++) {
      const hash = hash53(`Account ${index}\u00002024-10-01`);
      expect(hash).toBeLessThan(2 ** 53);
      hashes.add(hash);
    }
    expect(hashes.size).toBe(100_000);
  });

  it("hashes an account + date key from the account's prefix as it hashes the joined text", () => {
    for (const [name, date] of [["Acme", "2024-10-01"], ["Café Crème", "2025-02-28"], ["", "2024-01-01"]] as const) {
      expect(hashFrom(keyPrefix(name), date)).toBe(hash53(`${name}\u0000${date}`));
    }
    expect(hashFrom(keyPrefix("Acme"), "2024-10-01")).not.toBe(hashFrom(keyPrefix("Acme"), "2024-10-02"));
  });
});
