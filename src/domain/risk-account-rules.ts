import { capitalise, formatMoney, formatPercent, formatSigned } from "./format";
import { AT_RISK_MIN_SCORE, dayNumber, roundTo } from "./health";
import { DAYS_TO_RENEWAL_METRIC, Findings, riskFactor, type AccountSnapshot, type RiskFactor } from "./risk";
import {
  ARR_CONTRACTION_RATIO,
  DATA_COVERAGE_DAYS,
  HEALTH_DECLINE_30D,
  HEALTH_DECLINE_90D,
  HIGH_ARR_THRESHOLD,
  MIN_DATA_COVERAGE,
  POSITIVE_SCORE_GAIN_30D,
  RENEWAL_WINDOW_DAYS,
  SHARP_HEALTH_DECLINE_30D,
  STALE_DATA_DAYS,
  VERY_STALE_DATA_DAYS,
} from "./risk-thresholds";
import type { DailyMetrics } from "./types";

/**
 * The risk factors of the account as a whole: its renewal, the movement of its health score, the quality of its
 * data, and the positive signal of a healthy account that grows. The snapshot's metrics are ascending by date.
 *
 * Values are compared as reported (rounded), so the evidence never contradicts the decision.
 */

export function decliningHealthRisk(snapshot: AccountSnapshot): RiskFactor | null {
  const change30 = snapshot.trend_30d?.health_score_change ?? null;
  const change90 = snapshot.trend_90d?.health_score_change ?? null;
  if (change30 !== null && change30 <= HEALTH_DECLINE_30D) {
    return riskFactor(
      "declining_health",
      change30 <= SHARP_HEALTH_DECLINE_30D ? "high" : "medium",
      `The health score moved ${formatSigned(change30)} points over 30 days.`,
      [{ metric: "health_score_change_30d", value: change30, threshold: HEALTH_DECLINE_30D }],
    );
  }
  if (change90 !== null && change90 <= HEALTH_DECLINE_90D) {
    return riskFactor("declining_health", "medium", `The health score moved ${formatSigned(change90)} points over 90 days.`, [
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

/**
 * Days from the data's latest date (`as_of`) to the renewal date: 0 on the day, negative once it has passed; null
 * without either date.
 */
export function daysToRenewal(snapshot: Pick<AccountSnapshot, "renewal_date" | "as_of">): number | null {
  if (!snapshot.renewal_date || !snapshot.as_of) return null;
  return dayNumber(snapshot.renewal_date) - dayNumber(snapshot.as_of);
}

/**
 * Raised by a renewal date within RENEWAL_WINDOW_DAYS of the data's latest date on an At-Risk or Critical account
 * (high severity), else by the proxies used without a date: Critical, At-Risk with high ARR, contracting ARR. A
 * renewal date further away or already passed leaves the proxies to judge.
 */
export function renewalRisk(snapshot: AccountSnapshot): RiskFactor | null {
  const found = new Findings();
  const days = daysToRenewal(snapshot);
  const notHealthy = snapshot.health_bucket === "At-Risk" || snapshot.health_bucket === "Critical";
  if (days !== null && days >= 0 && days <= RENEWAL_WINDOW_DAYS && notHealthy) {
    found.add(
      "high",
      [
        { metric: "renewal_date", value: snapshot.renewal_date, threshold: null },
        { metric: DAYS_TO_RENEWAL_METRIC, value: days, threshold: RENEWAL_WINDOW_DAYS },
      ],
      `the renewal on ${snapshot.renewal_date} is ${days} days after the data's latest date (${snapshot.as_of}) and ` +
        `the account is ${snapshot.health_bucket} (score ${snapshot.health_score ?? "n/a"}) with ${formatMoney(snapshot.arr)} ARR`,
    );
  } else if (snapshot.health_bucket === "Critical") {
    found.add(
      "high",
      { metric: "health_score", value: snapshot.health_score, threshold: AT_RISK_MIN_SCORE },
      `the account is Critical (score ${snapshot.health_score ?? "n/a"}) with ${formatMoney(snapshot.arr)} ARR`,
    );
  } else if (snapshot.health_bucket === "At-Risk" && snapshot.arr >= HIGH_ARR_THRESHOLD) {
    found.add(
      "medium",
      { metric: "arr", value: snapshot.arr, threshold: HIGH_ARR_THRESHOLD },
      `the account is At-Risk with ${formatMoney(snapshot.arr)} ARR (${formatMoney(HIGH_ARR_THRESHOLD)} or more)`,
    );
  }
  const contraction = arrChangeRatio(snapshot);
  if (contraction !== null && contraction <= ARR_CONTRACTION_RATIO) {
    found.add(
      "medium",
      { metric: "arr_change_ratio_90d", value: roundTo(contraction, 3), threshold: ARR_CONTRACTION_RATIO },
      `ARR contracted ${formatPercent(Math.abs(contraction))} over 90 days`,
    );
  }
  return found.factor("renewal_risk");
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

export function dataQualityRisk(snapshot: AccountSnapshot): RiskFactor | null {
  if (snapshot.metrics.length === 0 && snapshot.latest_metric_date === null) {
    return riskFactor("data_quality", "high", "No metrics have been uploaded for this account: it cannot be scored.", [
      { metric: "metric_days", value: 0, threshold: 1 },
    ]);
  }
  const found = new Findings();
  if (snapshot.nps_source === "missing") {
    found.add(
      "medium",
      { metric: "nps_source", value: "missing", threshold: "window" },
      "no NPS in the last 90 days (the score uses the other four components)",
    );
  } else if (snapshot.nps_source === "carried") {
    found.add(
      "low",
      { metric: "nps_source", value: "carried", threshold: "window" },
      "no NPS in the scoring window (an older NPS of the last 90 days is used)",
    );
  }
  const days = new Set(snapshot.metrics.map((row) => row.date)).size;
  if (days === 1) {
    found.add("low", { metric: "metric_days", value: 1, threshold: 2 }, "a single day of metrics (no trend yet)");
  }
  const coverage = dataCoverage(snapshot.metrics);
  if (coverage && coverage.expected > 1 && coverage.coverage < MIN_DATA_COVERAGE) {
    found.add(
      "medium",
      { metric: `data_coverage_${DATA_COVERAGE_DAYS}d`, value: coverage.coverage, threshold: MIN_DATA_COVERAGE },
      `metrics on ${coverage.present} of the last ${coverage.expected} days`,
    );
  }
  if (snapshot.latest_metric_date && snapshot.as_of) {
    const behind = dayNumber(snapshot.as_of) - dayNumber(snapshot.latest_metric_date);
    if (behind >= STALE_DATA_DAYS) {
      found.add(
        behind >= VERY_STALE_DATA_DAYS ? "high" : "medium",
        { metric: "days_behind_portfolio", value: behind, threshold: STALE_DATA_DAYS },
        `latest metrics dated ${snapshot.latest_metric_date}, ${behind} days before the portfolio's ${snapshot.as_of}`,
      );
    }
  }
  return found.factor("data_quality");
}

export function positiveSignals(snapshot: AccountSnapshot): RiskFactor | null {
  if (snapshot.health_bucket !== "Healthy") return null;
  const found = new Findings();
  const change30 = snapshot.trend_30d?.health_score_change ?? null;
  if (change30 !== null && change30 >= POSITIVE_SCORE_GAIN_30D) {
    found.add(
      "low",
      { metric: "health_score_change_30d", value: change30, threshold: POSITIVE_SCORE_GAIN_30D },
      `the score rose ${formatSigned(change30)} points over 30 days`,
    );
  }
  if (snapshot.trend_30d?.engagement_trend === "improving") {
    found.add(
      "low",
      { metric: "engagement_trend_30d", value: "improving", threshold: "stable" },
      "mean daily active users grew more than 10% from the first to the second half of the last 30 days",
    );
  }
  const arrGrowth = arrChangeRatio(snapshot);
  if (arrGrowth !== null && arrGrowth > 0) {
    found.add(
      "low",
      { metric: "arr_change_ratio_90d", value: roundTo(arrGrowth, 3), threshold: 0 },
      `ARR grew ${formatPercent(arrGrowth)} over 90 days`,
    );
  }
  if (found.evidence.length === 0) return null;
  return riskFactor(
    "positive_signals",
    "low",
    capitalise(`healthy (score ${snapshot.health_score ?? "n/a"}) and growing: ${found.parts.join("; ")}.`),
    found.evidence,
  );
}
