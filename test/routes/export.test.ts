import { env, SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import exampleCsv from "../../examples/accounts.csv?raw";
import { REVENUE_WINDOWS } from "../../src/domain/revenue";
import { EXPORT_PAGE_ROWS } from "../../src/services/export";
import { resetDatabase } from "../helpers/db";
import { addDays } from "../helpers/factories";

/**
 * The exports through the Worker, and the restore drill they make possible: export a book, load the file into an
 * empty database, and every figure a user reads is the same (ids aside).
 */

const BASE = "http://example.com";
const MEASURES = [
  { name: "seats_ratio", description: "Seats used ÷ seats bought", min: 0, max: 1.5 },
  { name: "days_since_qbr", description: "Days since the last QBR", min: 0, max: 365 },
];

async function get(path: string): Promise<Response> {
  const response = await SELF.fetch(`${BASE}${path}`);
  expect(response.status, `${path}: ${await response.clone().text()}`).toBe(200);
  return response;
}

async function upload(csv: string): Promise<void> {
  const response = await SELF.fetch(`${BASE}/ingest/csv`, { method: "POST", headers: { "content-type": "text/csv" }, body: csv });
  expect(response.status, await response.clone().text()).toBe(200);
  expect(await response.json()).toMatchObject({ rows_rejected: 0 });
}

async function declareMeasures(): Promise<void> {
  for (const measure of MEASURES) {
    const response = await SELF.fetch(`${BASE}/measures`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(measure),
    });
    expect(response.status).toBe(201);
  }
}

/** A value without the surrogate ids (which a fresh database assigns anew). */
function withoutIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutIds);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== "id" && key !== "account_id" && key !== "ingest_run_id" && key !== "as_of_run")
        .map(([key, inner]) => [key, withoutIds(inner)]),
    );
  }
  return value;
}

/** What a user reads of the book: accounts, scores, summary, every revenue window; ids and timestamps aside. */
async function book() {
  const accounts = await env.DB.prepare(
    `SELECT account_name, segment, region, arr, latest_metric_date, health_score, health_bucket, health_change_30d,
            arr_change_30d, arr_change_90d, engagement_trend_30d, health_components, trend_30d, trend_60d, trend_90d,
            renewal_date, owner
     FROM accounts ORDER BY account_name`,
  ).all();
  const scores = await env.DB.prepare(
    `SELECT a.account_name, s.date, s.score, s.bucket, s.model_id, s.dau_points, s.adoption_points, s.tickets_points,
            s.nps_points, s.login_points, s.nps_source
     FROM health_scores s JOIN accounts a ON a.id = s.account_id ORDER BY a.account_name, s.date`,
  ).all();
  const summary = await (await get("/portfolio/summary")).json();
  const revenue = [];
  for (const days of REVENUE_WINDOWS) revenue.push(await (await get(`/portfolio/revenue?days=${days}`)).json());
  return withoutIds({ accounts: accounts.results, scores: scores.results, summary, revenue });
}

function parseCsv(text: string): string[][] {
  return text
    .split("\r\n")
    .filter((line) => line !== "")
    .map((line) => line.split(","));
}

/** 1,000 accounts × 90 days with both measures (some cells empty), renewal dates and owners. */
function generatedBook(): string {
  const header =
    "account_name,segment,region,arr,date,daily_active_users,feature_adoption_rate,support_tickets_open,nps_score," +
    "login_frequency,renewal_date,owner,seats_ratio,days_since_qbr";
  const segments = ["Enterprise", "Mid-Market", "SMB"];
  const lines = [header];
  for (let account = 0; account < 1000; account++) {
    const segment = segments[account % 3]!;
    for (let day = 0; day < 90; day++) {
      const wave = (account * 7 + day * 3) % 50;
      lines.push(
        [
          account % 17 === 0 ? `"Account ${account}, Ltd"` : `Account ${account}`,
          segment,
          ["EMEA", "AMER", "APAC"][account % 3],
          (10_000 + account * 137 + (day > 45 ? day * 11 : 0)).toFixed(2),
          addDays("2026-08-03", day),
          5 + ((account + day) % 200),
          (wave / 50).toFixed(3),
          (account + day) % 9,
          day % 30 === account % 30 ? String((account % 200) - 100) : "",
          ((wave + 10) / 60).toFixed(4),
          account % 4 === 0 ? "" : addDays("2027-01-01", account % 365),
          account % 5 === 0 ? "" : `CSM ${account % 23}`,
          day % 7 === 0 ? "" : ((account % 150) / 100).toFixed(2),
          account % 11 === 0 ? "" : String((account + day) % 366),
        ].join(","),
      );
    }
  }
  return lines.join("\n");
}

describe("GET /export/metrics.csv and /export/scores.csv", () => {
  beforeEach(resetDatabase);

  it("exports the example book in the import format, and a fresh database loaded from it reads the same", async () => {
    await upload(exampleCsv);
    const before = await book();
    const exported = await (await get("/export/metrics.csv")).text();
    expect(exported.split("\r\n")[0]).toBe(exampleCsv.split("\n")[0]!.trim());
    expect(parseCsv(exported)).toHaveLength(exampleCsv.trim().split("\n").length);

    await resetDatabase();
    await upload(exported);
    expect(await book()).toEqual(before);
    expect(await (await get("/export/metrics.csv")).text()).toBe(exported);
  });

  it("round-trips a 1,000 × 90 book with custom measures, renewal dates and owners, over many pages", async () => {
    await declareMeasures();
    await upload(generatedBook());
    const before = await book();
    const response = await get("/export/metrics.csv");
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="metrics.csv"');
    const exported = await response.text();
    const lines = exported.split("\r\n").filter((line) => line !== "");
    expect(lines[0]).toBe(
      "account_name,segment,region,arr,date,daily_active_users,feature_adoption_rate,support_tickets_open,nps_score," +
        "login_frequency,renewal_date,owner,days_since_qbr,seats_ratio",
    );
    expect(lines).toHaveLength(90_001);
    expect(90_000).toBeGreaterThan(EXPORT_PAGE_ROWS * 10);
    const scoresBefore = await (await get("/export/scores.csv")).text();

    await resetDatabase();
    await declareMeasures();
    await upload(exported);
    expect(await book()).toEqual(before);
    expect(await (await get("/export/metrics.csv")).text()).toBe(exported);
    expect(withoutAccountIds(await (await get("/export/scores.csv")).text())).toEqual(withoutAccountIds(scoresBefore));
  }, 180_000);

  it("keeps only the rows the filters ask for", async () => {
    await upload(exampleCsv);
    const { results } = await env.DB.prepare("SELECT id, account_name, segment FROM accounts ORDER BY id").all<{
      id: number;
      account_name: string;
      segment: string;
    }>();
    const first = results[0]!;
    const rows = (text: string) => parseCsv(text).slice(1);

    const ofAccount = rows(await (await get(`/export/metrics.csv?account_id=${first.id}&since=2026-09-01&until=2026-09-30`)).text());
    expect(ofAccount.length).toBe(30);
    expect(new Set(ofAccount.map((row) => row[0]))).toEqual(new Set([first.account_name]));
    expect(ofAccount.map((row) => row[4])).toEqual(Array.from({ length: 30 }, (_, day) => addDays("2026-09-01", day)));

    const smb = rows(await (await get("/export/metrics.csv?segment=smb")).text());
    expect(smb.length).toBeGreaterThan(0);
    expect(new Set(smb.map((row) => row[1]))).toEqual(new Set(["SMB"]));

    const scores = parseCsv(await (await get("/export/scores.csv?since=2026-10-01&until=2026-10-01")).text());
    expect(scores[0]).toEqual(expect.arrayContaining(["account_id", "date", "score", "bucket", "dau_points", "nps_source"]));
    expect(scores.slice(1).every((row) => row[2] === "2026-10-01")).toBe(true);
    expect(scores.length - 1).toBe(results.length);
  });

  it("refuses bad filters with a 400 naming the parameter", async () => {
    for (const [query, field] of [
      ["since=2026-02-30", "since"],
      ["since=2026-10-02&until=2026-10-01", "since"],
      ["account_id=0", "account_id"],
      ["segment=Startup", "segment"],
    ] as const) {
      const response = await SELF.fetch(`${BASE}/export/metrics.csv?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.headers.get("content-type")).toContain("application/problem+json");
      expect(JSON.stringify(await response.json()), query).toContain(field);
    }
  });
});

function withoutAccountIds(csv: string): string[] {
  return csv
    .split("\r\n")
    .map((line) => line.split(",").slice(1).join(","))
    .sort();
}
