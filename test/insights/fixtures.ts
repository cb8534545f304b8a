import { assessRisk } from "../../src/domain/assess-risk";
import { DEFAULT_HEALTH_CONFIG, roundTo } from "../../src/domain/health";
import type { PortfolioSnapshot } from "../../src/domain/portfolio";
import { recommendPlaybooks } from "../../src/domain/recommend";
import { prioritiseAccounts, recommendForPortfolio, type PortfolioAccount } from "../../src/domain/recommend-portfolio";
import { scoreHistory } from "../../src/domain/reference/health-score";
import { computeTrend } from "../../src/domain/reference/trend";
import type { AccountSnapshot } from "../../src/domain/risk";
import { TREND_PERIODS } from "../../src/domain/trend";
import { accountFields, SEGMENTS, type Bucket, type DailyMetrics, type Segment } from "../../src/domain/types";
import type { AccountInsightInput, PortfolioInsightInput, PortfolioInsightRequest } from "../../src/insights/provider";
import { addDays } from "../helpers/factories";

/**
 * Realistic account snapshots built the way the service will build them: daily metrics scored by the real health
 * formula and trends, so the tests exercise the risk rules and insights on figures that agree with each other.
 */

/** `days` consecutive daily rows ending at `end`; `at(progress)` gives the metrics at 0 (first day) to 1 (last). */
export function series(
  end: string,
  days: number,
  at: (progress: number) => Omit<DailyMetrics, "date">,
): DailyMetrics[] {
  return Array.from({ length: days }, (_, index) => ({
    date: addDays(end, index - days + 1),
    ...at(days === 1 ? 1 : index / (days - 1)),
  }));
}

/** A figure that stays constant over a series, or moves linearly from one value to another. */
type Path = number | readonly [from: number, to: number];

function along(path: Path, progress: number): number {
  return typeof path === "number" ? path : path[0] + (path[1] - path[0]) * progress;
}

/** How each metric moves over a series; users, tickets, NPS and ARR are rounded to whole numbers. */
interface Trajectory {
  dau: Path;
  adoption: Path;
  tickets: Path;
  nps: Path | null;
  logins: Path;
  arr: Path;
}

/** `days` daily rows ending at AS_OF that follow `trajectory`. */
function trajectory(days: number, path: Trajectory): DailyMetrics[] {
  return series(AS_OF, days, (p) => ({
    daily_active_users: Math.round(along(path.dau, p)),
    feature_adoption_rate: along(path.adoption, p),
    support_tickets_open: Math.round(along(path.tickets, p)),
    nps_score: path.nps === null ? null : Math.round(along(path.nps, p)),
    login_frequency: along(path.logins, p),
    arr: Math.round(along(path.arr, p)),
  }));
}

export interface SnapshotOptions {
  id?: number;
  name?: string;
  segment?: Segment;
  region?: string;
  /** The portfolio's latest date; defaults to the account's own latest date. */
  asOf?: string;
  renewalDate?: string | null;
  owner?: string | null;
}

/** Scores the metrics with the real formula and builds the snapshot the risk rules read. */
export function snapshotOf(metrics: DailyMetrics[], options: SnapshotOptions = {}): AccountSnapshot {
  const segment = options.segment ?? "Mid-Market";
  const sorted = [...metrics].sort((a, b) => a.date.localeCompare(b.date));
  const history = scoreHistory(sorted, segment, DEFAULT_HEALTH_CONFIG);
  const points = history.map((scored, index) => ({
    date: scored.date,
    score: scored.score,
    components: scored.components,
    arr: sorted[index]?.arr ?? 0,
    daily_active_users: sorted[index]?.daily_active_users ?? 0,
  }));
  const [trend30, trend60, trend90] = TREND_PERIODS.map((days) => computeTrend(points, days));
  const latest = history.at(-1);
  const latestDate = sorted.at(-1)?.date ?? null;
  return {
    id: options.id ?? 1,
    account_name: options.name ?? "Acme Corp",
    segment,
    region: options.region ?? "EU",
    arr: sorted.at(-1)?.arr ?? 0,
    health_score: latest?.score ?? null,
    health_bucket: latest?.bucket ?? null,
    health_components: latest?.components ?? null,
    nps_source: latest?.nps_source ?? null,
    trend_30d: trend30 ?? null,
    trend_60d: trend60 ?? null,
    trend_90d: trend90 ?? null,
    latest_metric_date: latestDate,
    renewal_date: options.renewalDate ?? null,
    owner: options.owner ?? null,
    metrics: sorted,
    as_of: options.asOf ?? latestDate,
  };
}

export const AS_OF = "2026-10-31";

/** Enterprise, above its DAU benchmark, adoption and NPS high, growing users and ARR. */
export function healthyAccount(): AccountSnapshot {
  const metrics = trajectory(90, {
    dau: [170, 240], adoption: [0.72, 0.84], tickets: 1, nps: 55, logins: 0.9, arr: [1_100_000, 1_250_000],
  });
  return snapshotOf(metrics, { id: 11, name: "Globex Inc", segment: "Enterprise", region: "US" });
}

/** Mid-Market with $300k ARR: middling usage, low adoption, NPS 15, slowly slipping. */
export function atRiskAccount(): AccountSnapshot {
  const metrics = trajectory(90, {
    dau: [55, 45], adoption: [0.45, 0.33], tickets: 4, nps: 15, logins: [0.62, 0.55], arr: 300_000,
  });
  return snapshotOf(metrics, { id: 22, name: "Initech Corp", segment: "Mid-Market", region: "EU" });
}

/** SMB collapsing over 90 days: few users, adoption 15%, 8+ tickets, NPS falling to -30, ARR shrinking. */
export function criticalAccount(): AccountSnapshot {
  const metrics = trajectory(90, {
    dau: [16, 4], adoption: [0.5, 0.15], tickets: [2, 9], nps: [30, -30], logins: [0.6, 0.2], arr: [40_000, 30_000],
  });
  return snapshotOf(metrics, { id: 33, name: "Umbrella Inc", segment: "SMB", region: "APAC" });
}

/** Mid-Market that never answered an NPS survey; otherwise solid. */
export function noNpsAccount(): AccountSnapshot {
  const metrics = trajectory(60, { dau: 60, adoption: 0.6, tickets: 2, nps: null, logins: 0.7, arr: 150_000 });
  return snapshotOf(metrics, { id: 44, name: "Hooli Labs", segment: "Mid-Market", region: "LATAM" });
}

/** The input the services will hand to a provider: factors and recommendations computed from the snapshot. */
export function accountInput(account: AccountSnapshot): AccountInsightInput {
  const risk_factors = assessRisk(account);
  return { account, risk_factors, recommendations: recommendPlaybooks(account, risk_factors) };
}

/** A portfolio snapshot summed from account snapshots, as /portfolio/summary would report them. */
export function portfolioOf(accounts: AccountSnapshot[]): PortfolioSnapshot {
  const scored = accounts.filter((account) => account.health_score !== null);
  const sum = (items: AccountSnapshot[], value: (account: AccountSnapshot) => number) =>
    items.reduce((total, account) => total + value(account), 0);
  const inBucket = (bucket: Bucket) => accounts.filter((account) => account.health_bucket === bucket);
  const percent = (part: number) => (scored.length > 0 ? roundTo((part / scored.length) * 100, 1) : 0);
  const group = (items: AccountSnapshot[]) => {
    const withScore = items.filter((account) => account.health_score !== null);
    return {
      accounts: items.length,
      arr: sum(items, (account) => account.arr),
      avg_health_score:
        withScore.length > 0 ? roundTo(sum(withScore, (account) => account.health_score ?? 0) / withScore.length, 1) : null,
    };
  };
  const portfolioAccounts: PortfolioAccount[] = accounts.map((account) => ({
    id: account.id,
    ...accountFields(account),
    risk_factors: assessRisk(account),
  }));
  const regions = [...new Set(accounts.map((account) => account.region))].sort();
  const engagement = (trend: "improving" | "stable" | "declining") =>
    accounts.filter((account) => account.trend_30d?.engagement_trend === trend).length;
  return {
    total_accounts: accounts.length,
    total_arr: sum(accounts, (account) => account.arr),
    arr_by_bucket: {
      Healthy: sum(inBucket("Healthy"), (account) => account.arr),
      "At-Risk": sum(inBucket("At-Risk"), (account) => account.arr),
      Critical: sum(inBucket("Critical"), (account) => account.arr),
    },
    risk_breakdown: {
      Healthy: percent(inBucket("Healthy").length),
      "At-Risk": percent(inBucket("At-Risk").length),
      Critical: percent(inBucket("Critical").length),
    },
    avg_health_score: group(accounts).avg_health_score ?? 0,
    arr_at_risk: sum([...inBucket("At-Risk"), ...inBucket("Critical")], (account) => account.arr),
    arr_trend_30d: sum(accounts, (account) => account.trend_30d?.arr_change ?? 0),
    arr_trend_90d: sum(accounts, (account) => account.trend_90d?.arr_change ?? 0),
    by_segment: SEGMENTS.map((segment) => ({
      segment,
      ...group(accounts.filter((account) => account.segment === segment)),
    })),
    by_region: regions.map((region) => ({ region, ...group(accounts.filter((account) => account.region === region)) })),
    trend_counts: {
      improving: engagement("improving"),
      stable: engagement("stable"),
      declining: engagement("declining"),
      unknown: accounts.filter((account) => account.trend_30d === null).length,
    },
    as_of_date: accounts.map((account) => account.latest_metric_date ?? "").sort().at(-1) || null,
    at_risk_accounts: inBucket("At-Risk").length + inBucket("Critical").length,
    accounts_at_risk: prioritiseAccounts(portfolioAccounts),
    growing_accounts: portfolioAccounts
      .filter((account) => account.risk_factors.some((factor) => factor.kind === "positive"))
      .sort((a, b) => b.arr - a.arr || a.id - b.id),
  };
}

export function portfolioInput(
  accounts: AccountSnapshot[],
  request: Partial<PortfolioInsightRequest> = {},
): PortfolioInsightInput {
  const portfolio = portfolioOf(accounts);
  return {
    portfolio,
    request: { include_recommendations: request.include_recommendations ?? false, focus_areas: request.focus_areas ?? [] },
    recommendations: recommendForPortfolio(portfolio.accounts_at_risk),
  };
}

/** Five realistic accounts: healthy and growing, at risk, critical, without NPS, and a second at-risk Enterprise. */
export function samplePortfolio(): AccountSnapshot[] {
  const enterpriseAtRisk = snapshotOf(
    trajectory(90, { dau: [150, 110], adoption: [0.5, 0.42], tickets: 6, nps: 10, logins: 0.6, arr: 900_000 }),
    { id: 55, name: "Stark Industries", segment: "Enterprise", region: "US" },
  );
  return [healthyAccount(), atRiskAccount(), criticalAccount(), noNpsAccount(), enterpriseAtRisk];
}
