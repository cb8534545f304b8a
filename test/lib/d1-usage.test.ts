import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { accountShares } from "../../src/db/queries/book-figures";
import { ROWS_READ_HEADER, ROWS_WRITTEN_HEADER } from "../../src/lib/d1-usage";
import { metricsCsv, SAMPLE_ACCOUNTS, seedSampleAccounts } from "../helpers/csv";
import { resetDatabase, testDb } from "../helpers/db";
import { fetchWith } from "../helpers/worker";

const METERED = { D1_USAGE_HEADERS: "true" };

const rowsRead = (response: Response) => Number(response.headers.get(ROWS_READ_HEADER));

beforeAll(async () => {
  await resetDatabase();
  await seedSampleAccounts();
});

describe("D1_USAGE_HEADERS", () => {
  it("is off by default: no usage headers", async () => {
    const response = await fetchWith({}, "/portfolio/summary");
    expect(response.status).toBe(200);
    expect(response.headers.has(ROWS_READ_HEADER)).toBe(false);
    expect(response.headers.has(ROWS_WRITTEN_HEADER)).toBe(false);
  });

  it("answers the same bodies with the rows each request read, every kind of statement counted", async () => {
    // The list runs a batch, the detail drizzle selects (raw rows), the summary plain statements.
    for (const path of ["/accounts?sort=health_score&order=desc", "/accounts/1", "/portfolio/summary", "/renewals"]) {
      const plain = await fetchWith({}, path);
      const metered = await fetchWith(METERED, path);
      expect(metered.status, path).toBe(200);
      expect(await metered.json(), path).toEqual(await plain.json());
      expect(rowsRead(metered), path).toBeGreaterThan(0);
      expect(metered.headers.get(ROWS_WRITTEN_HEADER), path).toBe("0");
    }
  });

  it("counts the one data-version row a 304 reads, and what an upload writes", async () => {
    const first = await fetchWith(METERED, "/portfolio/summary");
    const again = await fetchWith(METERED, "/portfolio/summary", { headers: { "If-None-Match": first.headers.get("etag")! } });
    expect(again.status).toBe(304);
    expect(rowsRead(again)).toBe(1);

    const form = new FormData();
    form.append("file", new Blob([metricsCsv([{ ...SAMPLE_ACCOUNTS[0], name: "Metered Ltd", days: 3 }])]), "m.csv");
    const upload = await fetchWith(METERED, "/ingest/csv", { method: "POST", body: form });
    expect(upload.status).toBe(200);
    const { d1_rows_written } = (await upload.json()) as { d1_rows_written: number };
    // The answer counts the rows of the upload's own statements; the header adds the run's ledger and bookkeeping.
    expect(Number(upload.headers.get(ROWS_WRITTEN_HEADER))).toBeGreaterThanOrEqual(d1_rows_written);
  });

  it("shows a list's first page reading about a page of rows whatever the book, filtered by segment or not", async () => {
    await resetDatabase();
    const names = JSON.stringify(Array.from({ length: 600 }, (_, index) => `Account ${String(index).padStart(3, "0")}`));
    const { results } = await env.DB.prepare(
      `INSERT INTO accounts (account_name, segment, region, arr, renewal_date)
       SELECT value, CASE key % 3 WHEN 0 THEN 'Enterprise' WHEN 1 THEN 'Mid-Market' ELSE 'SMB' END, 'EMEA', 1000 + key,
              date('2027-01-01', '+' || (key % 50) || ' days')
       FROM json_each(?) RETURNING id`,
    )
      .bind(names)
      .all<{ id: number }>();
    for (const statement of accountShares(JSON.stringify(results.map((row) => row.id)))) await testDb().run(statement);
    for (const path of [
      "/accounts?page_size=10",
      "/accounts?page_size=10&order=desc",
      "/accounts?page_size=10&segment=Enterprise",
      "/accounts?page_size=10&sort=renewal_date&segment=SMB&order=desc",
    ]) {
      const response = await fetchWith(METERED, path);
      expect(response.status, path).toBe(200);
      const body = (await response.json()) as { total: number; accounts: unknown[] };
      expect(body.accounts, path).toHaveLength(10);
      // A sort of the 600 accounts (or of the 200 of a segment) would read them all.
      expect(rowsRead(response), path).toBeLessThanOrEqual(3 * 10 + 50);
    }
  });

  it("refuses a value that is not true or false, naming the variable", async () => {
    const response = await fetchWith({ D1_USAGE_HEADERS: "yes" }, "/portfolio/summary");
    expect(response.status).toBe(503);
    expect(await response.text()).toContain("D1_USAGE_HEADERS");
  });
});
