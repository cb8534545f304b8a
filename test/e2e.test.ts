import { SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import exampleCsv from "../examples/accounts.csv?raw";
import originalSample from "./fixtures/original-sample.csv?raw";
import { resetDatabase } from "./helpers/db";

interface AccountListItem {
  id: number;
  account_name: string;
  segment: string;
  health_score: number | null;
  health_bucket: string | null;
  latest_metrics: { date: string; health_score: number | null } | null;
  trend_30d: { health_score_change: number } | null;
}

function uploadMultipart(csv: string, fileName = "data.csv") {
  const form = new FormData();
  form.append("file", new File([csv], fileName, { type: "text/csv" }));
  return SELF.fetch("http://example.com/ingest/csv", { method: "POST", body: form });
}

async function listAll(): Promise<AccountListItem[]> {
  const response = await SELF.fetch("http://example.com/accounts?page_size=100");
  expect(response.status).toBe(200);
  return (await response.json<{ accounts: AccountListItem[] }>()).accounts;
}

describe("end to end: upload, then read fresh scores", () => {
  beforeEach(resetDatabase);

  it("the original product's sample loads and every account is scored at once", async () => {
    const upload = await uploadMultipart(originalSample);
    expect(upload.status).toBe(200);
    expect(await upload.json()).toMatchObject({ accounts_created: 5, metrics_created: 15, errors: [] });

    const accounts = await listAll();
    expect(accounts.map((account) => account.account_name).sort()).toEqual([
      "Acme Corp",
      "DataFlow Systems",
      "Global Solutions",
      "SmartBiz Co",
      "TechStart Inc",
    ]);
    for (const account of accounts) {
      expect(account.health_score, account.account_name).not.toBeNull();
      expect(account.latest_metrics?.date).toBe("2024-10-03");
      expect(account.latest_metrics?.health_score).toBe(account.health_score);
    }
    const byName = new Map(accounts.map((account) => [account.account_name, account]));
    // DataFlow beats its benchmark on every metric; SmartBiz is failing on every one.
    expect(byName.get("DataFlow Systems")!.health_bucket).toBe("Healthy");
    expect(byName.get("SmartBiz Co")!.health_bucket).toBe("Critical");
    // Trends are anchored at the data's own latest date, so a 3-day history already shows a change.
    expect(byName.get("TechStart Inc")!.trend_30d!.health_score_change).toBeLessThan(0);
  });

  it("the example file covers every segment and every bucket", async () => {
    const upload = await SELF.fetch("http://example.com/ingest/csv", {
      method: "POST",
      headers: { "Content-Type": "text/csv" },
      body: exampleCsv,
    });
    expect(upload.status).toBe(200);
    const body = await upload.json<{ rows_rejected: number; accounts_created: number }>();
    expect(body.rows_rejected).toBe(0);

    const accounts = await listAll();
    expect(accounts).toHaveLength(body.accounts_created);
    expect(new Set(accounts.map((account) => account.segment))).toEqual(new Set(["Enterprise", "Mid-Market", "SMB"]));
    expect(new Set(accounts.map((account) => account.health_bucket))).toEqual(new Set(["Healthy", "At-Risk", "Critical"]));
  });

  it("POST /health/recompute rescores every account and reports the count", async () => {
    await uploadMultipart(originalSample);
    const response = await SELF.fetch("http://example.com/health/recompute", { method: "POST" });
    expect(response.status).toBe(200);
    const body = await response.json<{ message: string; accounts_updated: number; computation_time_seconds: number }>();
    expect(body.accounts_updated).toBe(5);
    expect(body.computation_time_seconds).toBeGreaterThanOrEqual(0);
    expect(body.message).toBeTruthy();
  });
});
