import { dayNumber, roundTo } from "../health";
import { ENGAGEMENT_CHANGE_THRESHOLD } from "../trend";
import type { EngagementTrend, HealthComponents, Trend } from "../types";

/**
 * REFERENCE ONLY: the trends in TypeScript. Only tests call it: the scoring SQL (src/scoring/account-health-sql.ts)
 * computes the stored trends, and test/jobs/recompute.test.ts checks that it gives exactly these values
 * (docs/architecture.md, I2). Change the SQL and this together.
 */

/** One scored date of an account, with the metrics a trend reads besides the score. */
export interface TrendPoint {
  date: string;
  score: number;
  components: HealthComponents;
  arr: number;
  daily_active_users: number;
}

/** Compares mean DAU of the later half of a window with the earlier half. */
export function engagementTrend(earlierMeanDau: number, laterMeanDau: number): EngagementTrend {
  if (earlierMeanDau === 0) return laterMeanDau > 0 ? "improving" : "stable";
  const change = (laterMeanDau - earlierMeanDau) / earlierMeanDau;
  if (change > ENGAGEMENT_CHANGE_THRESHOLD) return "improving";
  if (change < -ENGAGEMENT_CHANGE_THRESHOLD) return "declining";
  return "stable";
}

/** Component points at `to` minus at `from`; the NPS change is null unless both have an NPS component. */
export function componentsChange(to: HealthComponents, from: HealthComponents): HealthComponents {
  return {
    daily_active_users: roundTo(to.daily_active_users - from.daily_active_users, 2),
    feature_adoption: roundTo(to.feature_adoption - from.feature_adoption, 2),
    support_tickets: roundTo(to.support_tickets - from.support_tickets, 2),
    nps: to.nps === null || from.nps === null ? null : roundTo(to.nps - from.nps, 2),
    login_frequency: roundTo(to.login_frequency - from.login_frequency, 2),
  };
}

function meanDau(points: readonly TrendPoint[]): number {
  return points.reduce((total, point) => total + point.daily_active_users, 0) / points.length;
}

/**
 * The trend over `days` ending at the latest point L: the window is [L − days, L], and null when it holds fewer
 * than 2 dates. The change is measured from the latest point at or before L − days (else the window's first).
 * Engagement splits the window's data at the midpoint between its first date and L; a date exactly at the
 * midpoint belongs to neither half.
 */
export function computeTrend(history: readonly TrendPoint[], days: number): Trend | null {
  const sorted = [...history].sort((a, b) => a.date.localeCompare(b.date));
  const latest = sorted.at(-1);
  if (!latest) return null;
  const end = dayNumber(latest.date);
  const start = end - days;
  const inWindow = sorted.filter((point) => dayNumber(point.date) >= start);
  const first = inWindow[0];
  if (!first || inWindow.length < 2) return null;
  const from = sorted.findLast((point) => dayNumber(point.date) <= start) ?? first;

  const midpoint = (dayNumber(first.date) + end) / 2;
  const earlier = inWindow.filter((point) => dayNumber(point.date) < midpoint);
  const later = inWindow.filter((point) => dayNumber(point.date) > midpoint);

  return {
    days,
    health_score_change: roundTo(latest.score - from.score, 1),
    arr_change: roundTo(latest.arr - from.arr, 2),
    engagement_trend: engagementTrend(meanDau(earlier), meanDau(later)),
    from_date: from.date,
    to_date: latest.date,
    health_components_change: componentsChange(latest.components, from.components),
  };
}
