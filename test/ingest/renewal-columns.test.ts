import { env, SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import type { IngestResult } from "../../src/contract/ingest";
import { resetDatabase } from "../helpers/db";
import { addDays } from "../helpers/factories";

/**
 * The optional CSV columns renewal_date and owner, through POST /ingest/csv: a file without them loads as before; an
 * account keeps the renewal date and owner of its latest-dated row that has them, whatever order files arrive in; a
 * daily feed that repeats them writes no more D1 rows than one without them.
 */

const BASE = "account_name,segment,region,arr,date,daily_active_users,feature_adoption_rate,support_tickets_open,nps_score,login_frequency";

interface Line {
  name?: string;
  date: string;
  arr?: number;
  renewal?: string;
  owner?: string;
}

function metricsCells(line: Line): string {
  return [line.name ?? "Acme", "Enterprise", "EU", line.arr ?? 100_000, line.date, 150, 0.7, 2, 40, 0.8].join(",");
}

/** A file with the two columns (in the header as given) after the original ones. */
function csvWith(lines: readonly Line[], header = `${BASE},renewal_date,owner`): string {
  return `${[header, ...lines.map((line) => `${metricsCells(line)},${line.renewal ?? ""},${line.owner ?? ""}`)].join("\n")}\n`;
}

function csvWithout(lines: readonly Line[]): string {
  return `${[BASE, ...lines.map(metricsCells)].join("\n")}\n`;
}

async function upload(csv: string): Promise<IngestResult> {
  const response = await SELF.fetch("http://example.com/ingest/csv", {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body: csv,
  });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return JSON.parse(text) as IngestResult;
}

interface StoredAccount {
  account_name: string;
  renewal_date: string | null;
  renewal_date_as_of: string | null;
  owner: string | null;
  owner_as_of: string | null;
}

async function stored(name = "Acme"): Promise<StoredAccount | null> {
  return env.DB.prepare(
    // The `_as_of` dates: the date of the account's latest metric row that has the value (each row keeps its own).
    `SELECT account_name, renewal_date,
            (SELECT max(m.date) FROM account_metrics AS m WHERE m.account_id = a.id AND m.renewal_date IS NOT NULL)
              AS renewal_date_as_of,
            owner,
            (SELECT max(m.date) FROM account_metrics AS m WHERE m.account_id = a.id AND m.owner IS NOT NULL) AS owner_as_of
     FROM accounts AS a WHERE account_name = ?`,
  )
    .bind(name)
    .first<StoredAccount>();
}

async function snapshotOfBook() {
  const [accounts, metrics] = await env.DB.batch([
    env.DB.prepare("SELECT account_name, segment, region, arr, latest_metric_date FROM accounts ORDER BY account_name"),
    env.DB.prepare(
      `SELECT a.account_name, m.date, m.daily_active_users, m.feature_adoption_rate, m.support_tickets_open, m.nps_score,
              m.login_frequency, m.arr
       FROM account_metrics AS m JOIN accounts AS a ON a.id = m.account_id ORDER BY a.account_name, m.date`,
    ),
  ]);
  return { accounts: accounts?.results, metrics: metrics?.results };
}

const OCT = (day: number) => `2026-10-${String(day).padStart(2, "0")}`;

describe("CSV columns renewal_date and owner", () => {
  beforeEach(resetDatabase);

  it("leave a file without them loading as before, with no renewal date or owner", async () => {
    const lines = [{ date: OCT(1) }, { date: OCT(2), arr: 120_000 }, { name: "Beta", date: OCT(2) }];
    const without = await upload(csvWithout(lines));
    const book = await snapshotOfBook();
    expect(await stored()).toEqual({
      account_name: "Acme",
      renewal_date: null,
      renewal_date_as_of: null,
      owner: null,
      owner_as_of: null,
    });
    await resetDatabase();
    // The same rows with the columns present but empty: the same book, the same answer.
    const withEmpty = await upload(csvWith(lines));
    expect(await snapshotOfBook()).toEqual(book);
    expect(withEmpty).toMatchObject({
      accounts_created: without.accounts_created,
      metrics_created: without.metrics_created,
      errors: [],
    });
    expect((await stored())?.renewal_date).toBeNull();
  });

  it("give the account the values of its latest-dated row that has them", async () => {
    await upload(
      csvWith([
        { date: OCT(3), renewal: "2027-01-15", owner: "Fox Mulder" },
        { date: OCT(1), renewal: "2026-12-01", owner: "Dana Scully" },
        { date: OCT(2), renewal: "2026-12-20" },
      ]),
    );
    expect(await stored()).toEqual({
      account_name: "Acme",
      renewal_date: "2027-01-15",
      renewal_date_as_of: OCT(3),
      owner: "Fox Mulder",
      owner_as_of: OCT(3),
    });
    const account = await (await SELF.fetch("http://example.com/accounts?owner=fox%20mulder")).json<{
      accounts: { renewal_date: string | null; owner: string | null }[];
    }>();
    expect(account.accounts).toEqual([expect.objectContaining({ renewal_date: "2027-01-15", owner: "Fox Mulder" })]);
  });

  it("keep them through empty cells, in the same file and in later uploads", async () => {
    await upload(
      csvWith([
        { date: OCT(1), renewal: "2026-12-01", owner: "Dana Scully" },
        { date: OCT(2), renewal: "2026-12-05" },
        { date: OCT(3) },
      ]),
    );
    expect(await stored()).toMatchObject({ renewal_date: "2026-12-05", renewal_date_as_of: OCT(2), owner: "Dana Scully", owner_as_of: OCT(1) });
    await upload(csvWith([{ date: OCT(4) }, { date: OCT(5) }]));
    await upload(csvWithout([{ date: OCT(6) }]));
    expect(await stored()).toMatchObject({ renewal_date: "2026-12-05", owner: "Dana Scully" });
  });

  it("are not overridden by an older back-filled row, and are filled by one when nothing newer is known", async () => {
    await upload(csvWith([{ date: OCT(20), renewal: "2027-03-01" }, { date: OCT(21) }]));
    // A back-fill of September: an older renewal date (ignored) and the first owner seen (taken).
    await upload(
      csvWith([
        { date: "2026-09-10", renewal: "2026-11-30", owner: "Walter Skinner" },
        { date: "2026-09-11", renewal: "2026-11-30" },
      ]),
    );
    expect(await stored()).toEqual({
      account_name: "Acme",
      renewal_date: "2027-03-01",
      renewal_date_as_of: OCT(20),
      owner: "Walter Skinner",
      owner_as_of: "2026-09-10",
    });
    // A back-fill dated between the two, with a newer owner: it replaces the older one but not the renewal date.
    await upload(csvWith([{ date: OCT(15), renewal: "2026-12-31", owner: "Dana Scully" }]));
    expect(await stored()).toMatchObject({ renewal_date: "2027-03-01", owner: "Dana Scully", owner_as_of: OCT(15) });
    // A newer row moves the renewal date on; re-uploading the same date with another value replaces it too.
    await upload(csvWith([{ date: OCT(22), renewal: "2027-06-30" }]));
    expect(await stored()).toMatchObject({ renewal_date: "2027-06-30", renewal_date_as_of: OCT(22) });
    await upload(csvWith([{ date: OCT(22), renewal: "2027-07-01" }]));
    expect(await stored()).toMatchObject({ renewal_date: "2027-07-01", renewal_date_as_of: OCT(22) });
  });

  it("keep the newest date of an unchanged value, so a later back-fill between cannot override it", async () => {
    await upload(csvWith([{ date: OCT(1), renewal: "2027-01-01" }]));
    // A newer latest row repeats the value: its date is kept.
    await upload(csvWith([{ date: OCT(10), renewal: "2027-01-01" }]));
    expect(await stored()).toMatchObject({ renewal_date_as_of: OCT(10) });
    await upload(csvWith([{ date: OCT(20) }]));
    // A back-filled row (older than the latest metric date) repeats it with a newer date than the one kept.
    await upload(csvWith([{ date: OCT(15), renewal: "2027-01-01" }]));
    expect(await stored()).toMatchObject({ renewal_date: "2027-01-01", renewal_date_as_of: OCT(15) });
    // So a back-fill dated between the two cannot bring an older value back.
    await upload(csvWith([{ date: OCT(12), renewal: "2026-11-11" }]));
    expect((await stored())?.renewal_date).toBe("2027-01-01");
  });

  it("match their header in any case and spelling, and count a changed owner as an updated account", async () => {
    await upload(csvWith([{ date: OCT(1) }]));
    const result = await upload(csvWith([{ date: OCT(1), renewal: "2027-02-02", owner: "Dana Scully" }], `${BASE}, Renewal Date ,CSM`));
    expect(result).toMatchObject({ accounts_updated: 1, metrics_created: 0 });
    expect(await stored()).toMatchObject({ renewal_date: "2027-02-02", owner: "Dana Scully" });
  });

  it("refuse a renewal date that is not YYYY-MM-DD or a real day, and an owner over 200 characters", async () => {
    const result = await upload(
      csvWith([
        { date: OCT(1), renewal: "2026-02-30" },
        { date: OCT(2), renewal: "12/01/2026" },
        { date: OCT(3), owner: "x".repeat(201) },
        { date: OCT(4), renewal: "2026-12-01", owner: "y".repeat(200) },
      ]),
    );
    expect(result.row_errors.map((error) => [error.line, error.column])).toEqual([
      [2, "renewal_date"],
      [3, "renewal_date"],
      [4, "owner"],
    ]);
    expect(await stored()).toMatchObject({ renewal_date: "2026-12-01", owner: "y".repeat(200) });
  });

  it("cost a daily feed that repeats them no D1 row more than a feed without them", async () => {
    const accounts = ["Acme", "Beta", "Gamma"];
    const history = (day: number, withValues: boolean) =>
      accounts.map((name, index) => ({
        name,
        date: OCT(day),
        arr: 100_000 + index,
        ...(withValues ? { renewal: addDays("2027-01-01", index), owner: `CSM ${index}` } : {}),
      }));
    const days = [1, 2, 3, 4, 5];

    const withColumns: number[] = [];
    for (const day of days) withColumns.push((await upload(csvWith(history(day, true)))).d1_rows_written);
    await resetDatabase();
    const withoutColumns: number[] = [];
    for (const day of days) withoutColumns.push((await upload(csvWithout(history(day, false)))).d1_rows_written);

    // The first upload inserts the values with the accounts; every later day repeats them at no cost.
    expect(withColumns.slice(1)).toEqual(withoutColumns.slice(1));
    // A changed renewal date does cost its write (and its index entry): the measure can tell.
    const changed = history(6, true).map((line, index) => (index === 0 ? { ...line, renewal: "2028-01-01" } : line));
    const unchanged = await (async () => {
      await resetDatabase();
      for (const day of days) await upload(csvWith(history(day, true)));
      return (await upload(csvWith(history(6, true)))).d1_rows_written;
    })();
    await resetDatabase();
    for (const day of days) await upload(csvWith(history(day, true)));
    expect((await upload(csvWith(changed))).d1_rows_written).toBeGreaterThan(unchanged);
  });
});
