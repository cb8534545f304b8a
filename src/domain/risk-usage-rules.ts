import { formatPercent } from "./format";
import { dayNumber, roundTo } from "./health";
import { valueFromPoints } from "./health-model";
import { Findings, riskFactor, scoredComponent, type AccountSnapshot, type RiskFactor, type RiskFactorId } from "./risk";
import {
  HIGH_SUPPORT_TICKETS,
  LOW_ADOPTION_RATE,
  LOW_ENGAGEMENT_RATIO,
  LOW_LOGIN_FREQUENCY,
  LOW_NPS,
  NEGATIVE_NPS,
  NPS_DROP_POINTS,
  RISK_WINDOW_DAYS,
  VERY_HIGH_SUPPORT_TICKETS,
  VERY_LOW_ADOPTION_RATE,
  VERY_LOW_ENGAGEMENT_RATIO,
  VERY_LOW_LOGIN_FREQUENCY,
} from "./risk-thresholds";
import type { DailyMetrics } from "./types";

/**
 * The risk factors of how the account uses the product: engagement, adoption, support load, NPS and logins, read
 * from its health components, its 30-day trend and the averages of its last RISK_WINDOW_DAYS of metrics.
 *
 * Values are compared as reported (rounded), so the evidence never contradicts the decision.
 */

export interface RecentAverages {
  feature_adoption_rate: number;
  support_tickets_open: number;
  login_frequency: number;
}

function mean(values: readonly number[]): number | null {
  return values.length > 0 ? values.reduce((total, value) => total + value, 0) / values.length : null;
}

/** Averages of the rows dated within RISK_WINDOW_DAYS of the latest date (the rows present); `metrics` ascending. */
export function recentAverages(metrics: readonly DailyMetrics[]): RecentAverages | null {
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

export function engagementRisk(snapshot: AccountSnapshot): RiskFactor | null {
  if (!snapshot.health_components) return null;
  const dau = scoredComponent(snapshot, "daily_active_users");
  // The DAU points' share of their weight: the mean DAU's share of its full-points value (the segment's benchmark).
  const ratio = dau ? roundTo(dau.points / dau.component.weight, 2) : null;
  const found = new Findings();
  if (ratio !== null && ratio < LOW_ENGAGEMENT_RATIO) {
    found.add(
      ratio < VERY_LOW_ENGAGEMENT_RATIO ? "high" : "medium",
      { metric: "daily_active_users_to_benchmark", value: ratio, threshold: LOW_ENGAGEMENT_RATIO },
      `daily active users are ${formatPercent(ratio)} of the ${snapshot.segment} benchmark (below ${formatPercent(LOW_ENGAGEMENT_RATIO)})`,
    );
  }
  if (snapshot.trend_30d?.engagement_trend === "declining") {
    found.add(
      "medium",
      { metric: "engagement_trend_30d", value: "declining", threshold: "stable" },
      "mean daily active users fell more than 10% from the first to the second half of the last 30 days",
    );
  }
  return found.factor("low_engagement");
}

/** A 0-1 rate of the recent averages, low below `low` and of high severity below `veryLow`. */
function lowRate(
  averages: RecentAverages | null,
  rule: { id: RiskFactorId; metric: "feature_adoption_rate" | "login_frequency"; name: string; low: number; veryLow: number },
): RiskFactor | null {
  if (!averages) return null;
  const rate = roundTo(averages[rule.metric], 2);
  if (rate >= rule.low) return null;
  return riskFactor(
    rule.id,
    rate < rule.veryLow ? "high" : "medium",
    `${rule.name} averages ${formatPercent(rate)} over the last ${RISK_WINDOW_DAYS} days (below ${formatPercent(rule.low)}).`,
    [{ metric: rule.metric, value: rate, threshold: rule.low }],
  );
}

export function adoptionRisk(averages: RecentAverages | null): RiskFactor | null {
  return lowRate(averages, {
    id: "low_adoption",
    metric: "feature_adoption_rate",
    name: "Feature adoption",
    low: LOW_ADOPTION_RATE,
    veryLow: VERY_LOW_ADOPTION_RATE,
  });
}

export function loginRisk(averages: RecentAverages | null): RiskFactor | null {
  return lowRate(averages, {
    id: "low_login_frequency",
    metric: "login_frequency",
    name: "Login frequency",
    low: LOW_LOGIN_FREQUENCY,
    veryLow: VERY_LOW_LOGIN_FREQUENCY,
  });
}

export function supportLoadRisk(averages: RecentAverages | null): RiskFactor | null {
  if (!averages) return null;
  const tickets = roundTo(averages.support_tickets_open, 1);
  if (tickets < HIGH_SUPPORT_TICKETS) return null;
  return riskFactor(
    "high_support_load",
    tickets >= VERY_HIGH_SUPPORT_TICKETS ? "high" : "medium",
    `${tickets} support tickets open on average over the last ${RISK_WINDOW_DAYS} days (${HIGH_SUPPORT_TICKETS} or more is high).`,
    [{ metric: "support_tickets_open", value: tickets, threshold: HIGH_SUPPORT_TICKETS }],
  );
}

export function npsRisk(snapshot: AccountSnapshot): RiskFactor | null {
  const nps = scoredComponent(snapshot, "nps_score");
  if (!nps) return null;
  // The NPS behind the component: its points map back along the scale (model 1: 15 × (NPS + 100) / 200).
  const score = roundTo(valueFromPoints(nps.component, nps.points), 0);
  const pointsChange = snapshot.trend_30d?.health_components_change[nps.component.key];
  const { weight, zero_at: zeroAt, full_at: fullAt } = nps.component;
  const change =
    pointsChange === null || pointsChange === undefined ? null : roundTo((pointsChange / weight) * (fullAt - zeroAt), 0);
  const found = new Findings();
  if (score < LOW_NPS) {
    found.add(
      score < NEGATIVE_NPS ? "high" : "medium",
      { metric: "nps_score", value: score, threshold: LOW_NPS },
      `NPS is ${score} (below ${LOW_NPS})`,
    );
  }
  if (change !== null && change <= -NPS_DROP_POINTS) {
    found.add(
      "medium",
      { metric: "nps_change_30d", value: change, threshold: -NPS_DROP_POINTS },
      `NPS fell ${Math.abs(change)} points over 30 days`,
    );
  }
  return found.factor("low_nps");
}
