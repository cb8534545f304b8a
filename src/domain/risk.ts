import { AT_RISK_MIN_SCORE, COMPONENT_POINTS, dayNumber, roundTo, type NpsSource } from "./health";
import type { Bucket, DailyMetrics, HealthComponents, Segment, Trend } from "./types";

/**
 * Risk factors (DESIGN §5): computed from an account's current health, components, trends, recent metrics, ARR and
 * data completeness, each with the evidence (metric, value, threshold) that raised it. Pure and deterministic: the
 * same snapshot always gives the same factors in the same order.
 */

// ── Thresholds (documented in the README) ────────────────────────────────────────────────────────────────────────

/** Days of metrics, ending at the account's latest date, averaged for adoption, tickets and logins. */
export const RISK_WINDOW_DAYS = 7;

/** DAU as a share of the segment benchmark (the DAU component's points / 25): below these, engagement is low. */
export const LOW_ENGAGEMENT_RATIO = 0.5;
export const VERY_LOW_ENGAGEMENT_RATIO = 0.25;

/** Feature adoption rate (0-1). */
export const LOW_ADOPTION_RATE = 0.4;
export const VERY_LOW_ADOPTION_RATE = 0.2;

/** Mean open support tickets. */
export const HIGH_SUPPORT_TICKETS = 5;
export const VERY_HIGH_SUPPORT_TICKETS = 8;

/** NPS (-100..100) below which it is low; below zero detractors outnumber promoters. */
export const LOW_NPS = 20;
export const NEGATIVE_NPS = 0;
/** A fall of at least this many NPS points over 30 days is "falling NPS". */
export const NPS_DROP_POINTS = 20;

/** Login frequency (0-1). */
export const LOW_LOGIN_FREQUENCY = 0.5;
export const VERY_LOW_LOGIN_FREQUENCY = 0.25;

/** Health score change over 30 days (points) at or below which health is declining; and over 90 days. */
export const HEALTH_DECLINE_30D = -5;
export const SHARP_HEALTH_DECLINE_30D = -10;
export const HEALTH_DECLINE_90D = -15;

/** ARR from which an At-Risk account is a renewal risk (and EBR / renewal playbooks gain weight). */
export const HIGH_ARR_THRESHOLD = 250_000;
/** ARR change over 90 days, as a share of the earlier ARR, at or below which ARR is contracting. */
export const ARR_CONTRACTION_RATIO = -0.1;

/** Share of calendar days with metrics, over the last 30 days, below which the data has gaps. */
export const DATA_COVERAGE_DAYS = 30;
export const MIN_DATA_COVERAGE = 0.8;
/** Days between the account's latest metric date and the portfolio's latest date that make its data stale. */
export const STALE_DATA_DAYS = 7;
export const VERY_STALE_DATA_DAYS = 30;

/** Healthy and at least this many points up over 30 days (or engagement improving, or ARR growing): a positive signal. */
export const POSITIVE_SCORE_GAIN_30D = 2;

// ── Types ────────────────────────────────────────────────────────────────────────────────────────────────────────

export const RISK_FACTOR_IDS = [
  "renewal_risk",
  "declining_health",
  "low_engagement",
  "low_adoption",
  "high_support_load",
  "low_nps",
  "low_login_frequency",
  "data_quality",
  "positive_signals",
] as const;
export type RiskFactorId = (typeof RISK_FACTOR_IDS)[number];

/** The readable string of each factor: what the original's `risk_factors: [string]` carries. */
export const RISK_FACTOR_LABELS: Record<RiskFactorId, string> = {
  renewal_risk: "Renewal at risk",
  declining_health: "Declining health score",
  low_engagement: "Low user engagement",
  low_adoption: "Low feature adoption",
  high_support_load: "High support ticket volume",
  low_nps: "Low or falling NPS",
  low_login_frequency: "Low login frequency",
  data_quality: "Incomplete or stale data",
  positive_signals: "Healthy and growing",
};

export const SEVERITIES = ["high", "medium", "low"] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface RiskEvidence {
  /** The metric compared, e.g. `feature_adoption_rate` or `health_score_change_30d`. */
  metric: string;
  value: number | string | null;
  threshold: number | string | null;
}

export interface RiskFactor {
  id: RiskFactorId;
  label: string;
  /** `risk` lowers the outlook; `positive` (healthy and growing) is the opposite, listed so playbooks can build on it. */
  kind: "risk" | "positive";
  severity: Severity;
  /** One sentence quoting the figures. */
  detail: string;
  evidence: RiskEvidence[];
}

/** Everything the risk rules read about one account; plain values built from D1 by the caller. */
export interface AccountSnapshot {
  id: number;
  account_name: string;
  segment: Segment;
  region: string;
  arr: number;
  health_score: number | null;
  health_bucket: Bucket | null;
  health_components: HealthComponents | null;
  nps_source: NpsSource | null;
  trend_30d: Trend | null;
  trend_60d: Trend | null;
  trend_90d: Trend | null;
  latest_metric_date: string | null;
  /** The last 90 days of metrics, ascending by date; may hold a single day, or none for an account never scored. */
  metrics: DailyMetrics[];
  /**
   * The portfolio's latest metric date: staleness is measured against it rather than today, so a historical upload
   * does not make every account look stale.
   */
  as_of: string | null;
}

// ── Formatting shared with the rule-based insights ───────────────────────────────────────────────────────────────

/** 0.183 → "18%". */
export function formatPercent(ratio: number): string {
  return `${roundTo(ratio * 100, 0)}%`;
}

/** 1250000 → "$1,250,000"; negative amounts keep their sign in front. */
export function formatMoney(amount: number): string {
  const rounded = Math.round(Math.abs(amount));
  return `${amount < 0 && rounded > 0 ? "-" : ""}$${rounded.toLocaleString("en-US")}`;
}

/** 3.25 → "+3.3", -8 → "-8.0", 0 → "0.0". */
export function formatSigned(value: number, decimals = 1): string {
  const rounded = roundTo(value, decimals);
  return `${rounded > 0 ? "+" : ""}${rounded.toFixed(decimals)}`;
}

// ── Rules ────────────────────────────────────────────────────────────────────────────────────────────────────────

const SEVERITY_RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2 };

function mostSevere(severities: readonly Severity[]): Severity {
  return [...severities].sort((a, b) => SEVERITY_RANK[a] - SEVERITY_RANK[b])[0] ?? "low";
}

function factor(id: RiskFactorId, severity: Severity, detail: string, evidence: RiskEvidence[]): RiskFactor {
  return {
    id,
    label: RISK_FACTOR_LABELS[id],
    kind: id === "positive_signals" ? "positive" : "risk",
    severity,
    detail,
    evidence,
  };
}

function mean(values: readonly number[]): number | null {
  return values.length > 0 ? values.reduce((total, value) => total + value, 0) / values.length : null;
}

/** Averages of the rows dated within RISK_WINDOW_DAYS of the latest date (the rows present). */
function recentAverages(metrics: readonly DailyMetrics[]) {
  const latest = metrics.at(-1);
  if (!latest) return null;
  const end = dayNumber(latest.date);
  const recent = metrics.filter((row) => dayNumber(row.date) > end - RISK_WINDOW_DAYS);
  return {
    feature_adoption_rate: mean(recent.map((row) => row.feature_adoption_rate)) ?? 0,
    support_tickets_open: mean(recent.map((row) => row.support_tickets_open)) ?? 0,
    login_frequency: mean(recent.map((row) => row.login_frequency)) ?? 0,
  };
}

// Values are compared as reported (rounded), so the evidence never contradicts the decision.

function engagement(snapshot: AccountSnapshot): RiskFactor | null {
  const components = snapshot.health_components;
  if (!components) return null;
  const ratio = roundTo(components.daily_active_users / COMPONENT_POINTS.daily_active_users, 2);
  const declining = snapshot.trend_30d?.engagement_trend === "declining";
  const severities: Severity[] = [];
  const evidence: RiskEvidence[] = [];
  const parts: string[] = [];
  if (ratio < LOW_ENGAGEMENT_RATIO) {
    severities.push(ratio < VERY_LOW_ENGAGEMENT_RATIO ? "high" : "medium");
    evidence.push({ metric: "daily_active_users_to_benchmark", value: ratio, threshold: LOW_ENGAGEMENT_RATIO });
    parts.push(
      `daily active users are ${formatPercent(ratio)} of the ${snapshot.segment} benchmark (below ${formatPercent(LOW_ENGAGEMENT_RATIO)})`,
    );
  }
  if (declining) {
    severities.push("medium");
    evidence.push({ metric: "engagement_trend_30d", value: "declining", threshold: "stable" });
    parts.push("mean daily active users fell more than 10% from the first to the second half of the last 30 days");
  }
  if (severities.length === 0) return null;
  return factor("low_engagement", mostSevere(severities), capitalise(`${parts.join("; ")}.`), evidence);
}

function adoption(averages: ReturnType<typeof recentAverages>): RiskFactor | null {
  if (!averages) return null;
  const rate = roundTo(averages.feature_adoption_rate, 2);
  if (rate >= LOW_ADOPTION_RATE) return null;
  return factor(
    "low_adoption",
    rate < VERY_LOW_ADOPTION_RATE ? "high" : "medium",
    `Feature adoption averages ${formatPercent(rate)} over the last ${RISK_WINDOW_DAYS} days (below ${formatPercent(LOW_ADOPTION_RATE)}).`,
    [{ metric: "feature_adoption_rate", value: rate, threshold: LOW_ADOPTION_RATE }],
  );
}

function supportLoad(averages: ReturnType<typeof recentAverages>): RiskFactor | null {
  if (!averages) return null;
  const tickets = roundTo(averages.support_tickets_open, 1);
  if (tickets < HIGH_SUPPORT_TICKETS) return null;
  return factor(
    "high_support_load",
    tickets >= VERY_HIGH_SUPPORT_TICKETS ? "high" : "medium",
    `${tickets} support tickets open on average over the last ${RISK_WINDOW_DAYS} days (${HIGH_SUPPORT_TICKETS} or more is high).`,
    [{ metric: "support_tickets_open", value: tickets, threshold: HIGH_SUPPORT_TICKETS }],
  );
}

/** The NPS behind the component: its points map back exactly, 15 × (NPS + 100) / 200. */
function npsFromPoints(points: number): number {
  return roundTo((points / COMPONENT_POINTS.nps) * 200 - 100, 0);
}

function nps(snapshot: AccountSnapshot): RiskFactor | null {
  const points = snapshot.health_components?.nps;
  if (points === null || points === undefined) return null;
  const score = npsFromPoints(points);
  const pointsChange = snapshot.trend_30d?.health_components_change.nps;
  const change =
    pointsChange === null || pointsChange === undefined
      ? null
      : roundTo((pointsChange / COMPONENT_POINTS.nps) * 200, 0);
  const severities: Severity[] = [];
  const evidence: RiskEvidence[] = [];
  const parts: string[] = [];
  if (score < LOW_NPS) {
    severities.push(score < NEGATIVE_NPS ? "high" : "medium");
    evidence.push({ metric: "nps_score", value: score, threshold: LOW_NPS });
    parts.push(`NPS is ${score} (below ${LOW_NPS})`);
  }
  if (change !== null && change <= -NPS_DROP_POINTS) {
    severities.push("medium");
    evidence.push({ metric: "nps_change_30d", value: change, threshold: -NPS_DROP_POINTS });
    parts.push(`NPS fell ${Math.abs(change)} points over 30 days`);
  }
  if (severities.length === 0) return null;
  return factor("low_nps", mostSevere(severities), `${parts.join("; ")}.`, evidence);
}

function logins(averages: ReturnType<typeof recentAverages>): RiskFactor | null {
  if (!averages) return null;
  const frequency = roundTo(averages.login_frequency, 2);
  if (frequency >= LOW_LOGIN_FREQUENCY) return null;
  return factor(
    "low_login_frequency",
    frequency < VERY_LOW_LOGIN_FREQUENCY ? "high" : "medium",
    `Login frequency averages ${formatPercent(frequency)} over the last ${RISK_WINDOW_DAYS} days (below ${formatPercent(LOW_LOGIN_FREQUENCY)}).`,
    [{ metric: "login_frequency", value: frequency, threshold: LOW_LOGIN_FREQUENCY }],
  );
}

function decliningHealth(snapshot: AccountSnapshot): RiskFactor | null {
  const change30 = snapshot.trend_30d?.health_score_change ?? null;
  const change90 = snapshot.trend_90d?.health_score_change ?? null;
  if (change30 !== null && change30 <= HEALTH_DECLINE_30D) {
    return factor(
      "declining_health",
      change30 <= SHARP_HEALTH_DECLINE_30D ? "high" : "medium",
      `The health score moved ${formatSigned(change30)} points over 30 days.`,
      [{ metric: "health_score_change_30d", value: change30, threshold: HEALTH_DECLINE_30D }],
    );
  }
  if (change90 !== null && change90 <= HEALTH_DECLINE_90D) {
    return factor("declining_health", "medium", `The health score moved ${formatSigned(change90)} points over 90 days.`, [
      { metric: "health_score_change_90d", value: change90, threshold: HEALTH_DECLINE_90D },
    ]);
  }
  return null;
}

/** ARR change over 90 days as a share of the ARR before it; null without a trend or from zero. */
function arrChangeRatio(snapshot: AccountSnapshot): number | null {
  const trend = snapshot.trend_90d;
  if (!trend) return null;
  const before = snapshot.arr - trend.arr_change;
  return before > 0 ? trend.arr_change / before : null;
}

function renewal(snapshot: AccountSnapshot): RiskFactor | null {
  const severities: Severity[] = [];
  const evidence: RiskEvidence[] = [];
  const parts: string[] = [];
  if (snapshot.health_bucket === "Critical") {
    severities.push("high");
    evidence.push({ metric: "health_score", value: snapshot.health_score, threshold: AT_RISK_MIN_SCORE });
    parts.push(`the account is Critical (score ${snapshot.health_score ?? "n/a"}) with ${formatMoney(snapshot.arr)} ARR`);
  } else if (snapshot.health_bucket === "At-Risk" && snapshot.arr >= HIGH_ARR_THRESHOLD) {
    severities.push("medium");
    evidence.push({ metric: "arr", value: snapshot.arr, threshold: HIGH_ARR_THRESHOLD });
    parts.push(`the account is At-Risk with ${formatMoney(snapshot.arr)} ARR (${formatMoney(HIGH_ARR_THRESHOLD)} or more)`);
  }
  const contraction = arrChangeRatio(snapshot);
  if (contraction !== null && contraction <= ARR_CONTRACTION_RATIO) {
    severities.push("medium");
    evidence.push({ metric: "arr_change_ratio_90d", value: roundTo(contraction, 3), threshold: ARR_CONTRACTION_RATIO });
    parts.push(`ARR contracted ${formatPercent(Math.abs(contraction))} over 90 days`);
  }
  if (severities.length === 0) return null;
  return factor("renewal_risk", mostSevere(severities), capitalise(`${parts.join("; ")}.`), evidence);
}

/** Share of the calendar days in the last DATA_COVERAGE_DAYS (or since the first metric, if later) that have metrics. */
function dataCoverage(metrics: readonly DailyMetrics[]): { coverage: number; expected: number; present: number } | null {
  const first = metrics[0];
  const latest = metrics.at(-1);
  if (!first || !latest) return null;
  const end = dayNumber(latest.date);
  const start = Math.max(dayNumber(first.date), end - DATA_COVERAGE_DAYS + 1);
  const present = new Set(metrics.filter((row) => dayNumber(row.date) >= start).map((row) => row.date)).size;
  const expected = end - start + 1;
  return { coverage: roundTo(present / expected, 2), expected, present };
}

function dataQuality(snapshot: AccountSnapshot): RiskFactor | null {
  const severities: Severity[] = [];
  const evidence: RiskEvidence[] = [];
  const parts: string[] = [];
  if (snapshot.metrics.length === 0 && snapshot.latest_metric_date === null) {
    return factor("data_quality", "high", "No metrics have been uploaded for this account: it cannot be scored.", [
      { metric: "metric_days", value: 0, threshold: 1 },
    ]);
  }
  if (snapshot.nps_source === "missing") {
    severities.push("medium");
    evidence.push({ metric: "nps_source", value: "missing", threshold: "window" });
    parts.push("no NPS in the last 90 days (the score uses the other four components)");
  } else if (snapshot.nps_source === "carried") {
    severities.push("low");
    evidence.push({ metric: "nps_source", value: "carried", threshold: "window" });
    parts.push("no NPS in the scoring window (an older NPS of the last 90 days is used)");
  }
  const days = new Set(snapshot.metrics.map((row) => row.date)).size;
  if (days === 1) {
    severities.push("low");
    evidence.push({ metric: "metric_days", value: 1, threshold: 2 });
    parts.push("a single day of metrics (no trend yet)");
  }
  const coverage = dataCoverage(snapshot.metrics);
  if (coverage && coverage.expected > 1 && coverage.coverage < MIN_DATA_COVERAGE) {
    severities.push("medium");
    evidence.push({ metric: `data_coverage_${DATA_COVERAGE_DAYS}d`, value: coverage.coverage, threshold: MIN_DATA_COVERAGE });
    parts.push(`metrics on ${coverage.present} of the last ${coverage.expected} days`);
  }
  if (snapshot.latest_metric_date && snapshot.as_of) {
    const behind = dayNumber(snapshot.as_of) - dayNumber(snapshot.latest_metric_date);
    if (behind >= STALE_DATA_DAYS) {
      severities.push(behind >= VERY_STALE_DATA_DAYS ? "high" : "medium");
      evidence.push({ metric: "days_behind_portfolio", value: behind, threshold: STALE_DATA_DAYS });
      parts.push(`latest metrics dated ${snapshot.latest_metric_date}, ${behind} days before the portfolio's ${snapshot.as_of}`);
    }
  }
  if (severities.length === 0) return null;
  return factor("data_quality", mostSevere(severities), capitalise(`${parts.join("; ")}.`), evidence);
}

function positiveSignals(snapshot: AccountSnapshot): RiskFactor | null {
  if (snapshot.health_bucket !== "Healthy") return null;
  const evidence: RiskEvidence[] = [];
  const parts: string[] = [];
  const change30 = snapshot.trend_30d?.health_score_change ?? null;
  if (change30 !== null && change30 >= POSITIVE_SCORE_GAIN_30D) {
    evidence.push({ metric: "health_score_change_30d", value: change30, threshold: POSITIVE_SCORE_GAIN_30D });
    parts.push(`the score rose ${formatSigned(change30)} points over 30 days`);
  }
  if (snapshot.trend_30d?.engagement_trend === "improving") {
    evidence.push({ metric: "engagement_trend_30d", value: "improving", threshold: "stable" });
    parts.push("mean daily active users grew more than 10% from the first to the second half of the last 30 days");
  }
  const arrGrowth = arrChangeRatio(snapshot);
  if (arrGrowth !== null && arrGrowth > 0) {
    evidence.push({ metric: "arr_change_ratio_90d", value: roundTo(arrGrowth, 3), threshold: 0 });
    parts.push(`ARR grew ${formatPercent(arrGrowth)} over 90 days`);
  }
  if (evidence.length === 0) return null;
  return factor(
    "positive_signals",
    "low",
    capitalise(`healthy (score ${snapshot.health_score ?? "n/a"}) and growing: ${parts.join("; ")}.`),
    evidence,
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The account's risk factors, most severe first (ties in the order of RISK_FACTOR_IDS); the positive signal, when
 * present, comes last. An account without metrics has only the data-quality factor.
 */
export function assessRisk(snapshot: AccountSnapshot): RiskFactor[] {
  const metrics = [...snapshot.metrics].sort((a, b) => a.date.localeCompare(b.date));
  const ordered = { ...snapshot, metrics };
  const averages = recentAverages(metrics);
  const found = [
    renewal(ordered),
    decliningHealth(ordered),
    engagement(ordered),
    adoption(averages),
    supportLoad(averages),
    nps(ordered),
    logins(averages),
    dataQuality(ordered),
    positiveSignals(ordered),
  ].filter((item): item is RiskFactor => item !== null);
  return found.sort(compareRiskFactors);
}

/** The order factors are listed in: risks before the positive signal, most severe first, then RISK_FACTOR_IDS order. */
export function compareRiskFactors(a: RiskFactor, b: RiskFactor): number {
  return (
    Number(a.kind === "positive") - Number(b.kind === "positive") ||
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    RISK_FACTOR_IDS.indexOf(a.id) - RISK_FACTOR_IDS.indexOf(b.id)
  );
}

/** The readable strings of the risks (not the positive signal), as the original's `risk_factors: [string]`. */
export function riskLabels(factors: readonly RiskFactor[]): string[] {
  return factors.filter((item) => item.kind === "risk").map((item) => item.label);
}
