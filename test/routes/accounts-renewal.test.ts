import { SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import type { AccountList } from "../../src/contract/account-list";
import type { AccountDetail } from "../../src/contract/accounts";
import { resetDatabase } from "../helpers/db";
import { insertAccount } from "../helpers/factories";

/** The Account shape's renewal_date and owner, and GET /accounts' owner, renews_before and sort=renewal_date. */

async function list(query: string): Promise<AccountList> {
  const response = await SELF.fetch(`http://example.com/accounts${query}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json<AccountList>();
}

const names = async (query: string) => (await list(query)).accounts.map((account) => account.account_name);

describe("GET /accounts with renewal dates and owners", () => {
  beforeEach(async () => {
    await resetDatabase();
    await insertAccount({ name: "Alpha", renewalDate: "2026-12-01", owner: "Dana Scully" });
    await insertAccount({ name: "Bravo", renewalDate: "2026-11-15", owner: "dana scully" });
    await insertAccount({ name: "Charlie", renewalDate: "2027-03-01", owner: "Fox Mulder" });
    await insertAccount({ name: "Delta", renewalDate: "2025-01-01" });
    await insertAccount({ name: "Echo" });
  });

  it("carries renewal_date and owner in the Account shape, null when unknown", async () => {
    const accounts = (await list("")).accounts;
    expect(accounts.map((account) => [account.account_name, account.renewal_date, account.owner])).toEqual([
      ["Alpha", "2026-12-01", "Dana Scully"],
      ["Bravo", "2026-11-15", "dana scully"],
      ["Charlie", "2027-03-01", "Fox Mulder"],
      ["Delta", "2025-01-01", null],
      ["Echo", null, null],
    ]);
    const echoId = accounts.find((account) => account.account_name === "Echo")?.id;
    const detail = await (await SELF.fetch(`http://example.com/accounts/${echoId}`)).json<AccountDetail>();
    expect(detail).toMatchObject({ renewal_date: null, owner: null });
  });

  it("filters by owner, case-insensitively, as an exact name", async () => {
    expect(await names("?owner=Dana%20Scully")).toEqual(["Alpha", "Bravo"]);
    expect(await names("?owner=DANA%20SCULLY")).toEqual(["Alpha", "Bravo"]);
    expect(await names("?owner=Dana")).toEqual([]);
    expect(await names("?owner=")).toHaveLength(5);
  });

  it("filters renews_before strictly before the date, past renewals included, unknown dates never", async () => {
    expect(await names("?renews_before=2026-12-01")).toEqual(["Bravo", "Delta"]);
    expect(await names("?renews_before=2026-12-02")).toEqual(["Alpha", "Bravo", "Delta"]);
    expect(await names("?renews_before=2026-12-02&owner=dana%20scully")).toEqual(["Alpha", "Bravo"]);
  });

  it("sorts by renewal date, accounts without one last in both orders", async () => {
    expect(await names("?sort=renewal_date")).toEqual(["Delta", "Bravo", "Alpha", "Charlie", "Echo"]);
    expect(await names("?sort=renewal_date&order=desc")).toEqual(["Charlie", "Alpha", "Bravo", "Delta", "Echo"]);
  });

  it.each([
    ["renews_before=2026-13-01", "renews_before"],
    ["renews_before=tomorrow", "renews_before"],
    [`owner=${"x".repeat(201)}`, "owner"],
  ])("refuses %s with a 400 problem naming it", async (query, field) => {
    const response = await SELF.fetch(`http://example.com/accounts?${query}`);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    const problem = await response.json<{ errors: { field: string; message: string }[] }>();
    expect(problem.errors.map((error) => error.field)).toEqual([field]);
  });
});
