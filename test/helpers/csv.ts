import { SELF } from "cloudflare:test";
import type { Segment } from "../../src/domain/types";
import { addDays } from "./factories";

/** Builds metrics CSV text in the documented format, and uploads it through the real ingest route. */

export interface DayMetrics {
  daily_active_users: number;
  feature_adoption_rate: number;
  support_tickets_open: number;
  nps_score: number | null;
  login_frequency: number;
}

export interface AccountSeries {
  name: string;
  segment: Segment;
  region: string;
  arr: number;
  /** The last date of the series; `days` consecutive dates end there. */
  end: string;
  days: number;
  /** The metrics at `progress` 0 (first day) to 1 (last day). */
  at: (progress: number) => DayMetrics;
}

const HEADER =
  "account_name,segment,region,arr,date,daily_active_users,feature_adoption_rate,support_tickets_open,nps_score,login_frequency";

export function metricsCsv(accounts: readonly AccountSeries[]): string {
  const lines = [HEADER];
  for (const account of accounts) {
    for (let day = 0; day < account.days; day++) {
      const metrics = account.at(account.days === 1 ? 1 : day / (account.days - 1));
      lines.push(
        [
          account.name,
          account.segment,
          account.region,
          account.arr,
          addDays(account.end, day - account.days + 1),
          Math.round(metrics.daily_active_users),
          metrics.feature_adoption_rate.toFixed(3),
          Math.round(metrics.support_tickets_open),
          metrics.nps_score === null ? "" : Math.round(metrics.nps_score),
          metrics.login_frequency.toFixed(3),
        ].join(","),
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

export async function uploadCsv(csv: string): Promise<void> {
  const response = await SELF.fetch("http://example.com/ingest/csv", {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body: csv,
  });
  if (response.status !== 200) throw new Error(`upload failed: ${response.status} ${await response.text()}`);
}

const lerp = (from: number, to: number, progress: number) => from + (to - from) * progress;

/** Three realistic accounts over 60 days: healthy and growing, slipping into risk, and critical without any NPS. */
export const PORTFOLIO_END = "2026-10-31";

export const HEALTHY_GROWING: AccountSeries = {
  name: "Northwind Traders",
  segment: "Enterprise",
  region: "EU",
  arr: 1_200_000,
  end: PORTFOLIO_END,
  days: 60,
  at: (p) => ({
    daily_active_users: lerp(180, 240, p),
    feature_adoption_rate: lerp(0.6, 0.9, p),
    support_tickets_open: 1,
    nps_score: 60,
    login_frequency: 0.9,
  }),
};

export const SLIPPING: AccountSeries = {
  name: "Contoso Retail",
  segment: "Mid-Market",
  region: "US",
  arr: 300_000,
  end: PORTFOLIO_END,
  days: 60,
  at: (p) => ({
    daily_active_users: lerp(70, 35, p),
    feature_adoption_rate: lerp(0.6, 0.3, p),
    support_tickets_open: lerp(2, 7, p),
    nps_score: lerp(30, 0, p),
    login_frequency: lerp(0.7, 0.45, p),
  }),
};

export const CRITICAL_NO_NPS: AccountSeries = {
  name: "Fabrikam Studio",
  segment: "SMB",
  region: "APAC",
  arr: 24_000,
  end: PORTFOLIO_END,
  days: 60,
  at: () => ({
    daily_active_users: 4,
    feature_adoption_rate: 0.15,
    support_tickets_open: 9,
    nps_score: null,
    login_frequency: 0.2,
  }),
};

export const SAMPLE_ACCOUNTS = [HEALTHY_GROWING, SLIPPING, CRITICAL_NO_NPS] as const;

/** Uploads the three sample accounts; answers their ids by name. */
export async function seedSampleAccounts(): Promise<Record<string, number>> {
  await uploadCsv(metricsCsv(SAMPLE_ACCOUNTS));
  const response = await SELF.fetch("http://example.com/accounts?page_size=100");
  const { accounts } = await response.json<{ accounts: { id: number; account_name: string }[] }>();
  return Object.fromEntries(accounts.map((account) => [account.account_name, account.id]));
}
