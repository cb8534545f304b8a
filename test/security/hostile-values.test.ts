import { env, SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { CSV_HEADER_ORDER } from "../../src/ingest/csv-header";
import type { Problem } from "../../src/contract/problems";
import type { AccountList } from "../../src/contract/account-list";
import type { IngestResult } from "../../src/contract/ingest";
import { resetDatabase } from "../helpers/db";
import { metricsCsv, SLIPPING, uploadCsv } from "../helpers/csv";

const HEADER = CSV_HEADER_ORDER.join(",");

async function names(): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT account_name FROM accounts ORDER BY id").all<{ account_name: string }>();
  return results.map((row) => row.account_name);
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

beforeEach(resetDatabase);

describe("SQL-shaped values", () => {
  it("treats injection-shaped search and filter values as plain text: data intact, no error leaked", async () => {
    await uploadCsv(metricsCsv([SLIPPING, { ...SLIPPING, name: "Robert'); DROP TABLE accounts;--" }]));
    const before = await names();
    const attempts = [
      "search=' OR '1'='1",
      "search=%25",
      "search=_",
      "search=%27%29%3B%20DROP%20TABLE%20accounts%3B--",
      "region=EU' OR 1=1 --",
      "segment=SMB' UNION SELECT * FROM ingest_runs --",
      "sort=account_name; DROP TABLE accounts",
      "order=asc, (SELECT 1)",
      "bucket=Healthy' --",
    ];
    for (const query of attempts) {
      const response = await SELF.fetch(`http://example.com/accounts?${query}`);
      expect([200, 400], query).toContain(response.status);
      const text = await response.text();
      expect(text, query).not.toMatch(/SQLITE|D1_ERROR|syntax error|no such/i);
      if (response.status === 200) {
        const body = JSON.parse(text) as { accounts: { account_name: string }[] };
        // A literal search only matches the name that literally contains it.
        if (query === "search=%27%29%3B%20DROP%20TABLE%20accounts%3B--") {
          expect(body.accounts.map((account) => account.account_name)).toEqual(["Robert'); DROP TABLE accounts;--"]);
        }
        if (query === "search=' OR '1'='1") expect(body.accounts).toEqual([]);
      }
    }
    expect(await names()).toEqual(before);
  });
});

describe("names as given", () => {
  it("stores names that start with =, +, - or @ verbatim, and answers them verbatim", async () => {
    const formulas = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1:A2)", "=cmd|' /C calc'!A0"];
    const rows = formulas.map((name) => `${csvField(name)},SMB,EU,1000,2026-10-01,5,0.5,1,10,0.5`);
    await uploadCsv([HEADER, ...rows].join("\n"));
    expect(await names()).toEqual(formulas);
    const { accounts } = await (await SELF.fetch("http://example.com/accounts?sort=account_name")).json<AccountList>();
    expect(accounts.map((account) => account.account_name).sort()).toEqual([...formulas].sort());
  });

  it("keeps unicode names intact, takes a 200-character name and refuses a longer one with its line", async () => {
    const unicode = ["Zürich Versicherung AG", "株式会社テスト", "Ünïcödé 🙂 Labs", "مؤسسة الاختبار"];
    const longest = "L".repeat(200);
    const tooLong = "T".repeat(201);
    const rows = [...unicode, longest, tooLong].map((name) => `${name},SMB,EU,1000,2026-10-01,5,0.5,1,10,0.5`);
    const response = await SELF.fetch("http://example.com/ingest/csv", {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: [HEADER, ...rows].join("\n"),
    });
    const body = await response.json<IngestResult>();
    expect(body.rows_rejected).toBe(1);
    expect(body.row_errors).toEqual([
      { line: 7, column: "account_name", value: expect.any(String), reason: "value is longer than 200 characters" },
    ]);
    expect(await names()).toEqual([...unicode, longest]);
    const search = await (await SELF.fetch(`http://example.com/accounts?search=${encodeURIComponent("テスト")}`)).json<AccountList>();
    expect(search.accounts.map((account) => account.account_name)).toEqual(["株式会社テスト"]);
  });
});

describe("ids that are not positive whole numbers", () => {
  it("answers 400 naming the id on every route that takes one", async () => {
    await uploadCsv(metricsCsv([SLIPPING]));
    const ids = ["1e999", "-1", "0x10", "0", "1.0", "1e3", "NaN", "%20", "1;DROP", "99999999999999999999"];
    for (const id of ids) {
      const requests: [string, RequestInit][] = [
        [`/accounts/${id}`, {}],
        [`/insights/account/${id}`, { method: "POST" }],
        [`/actions/recommend?account_id=${id}`, { method: "POST" }],
        [`/health/recompute/jobs/${id}`, {}],
        [`/ingest/runs/${id}`, {}],
      ];
      for (const [path, init] of requests) {
        const response = await SELF.fetch(`http://example.com${path}`, init);
        expect(response.status, path).toBe(400);
        const problem = await response.json<Problem>();
        expect(problem.errors?.[0]?.field, path).toMatch(/^(id|account_id)$/);
      }
    }
  });
});
