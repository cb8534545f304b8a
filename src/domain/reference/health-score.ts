import {
  AT_RISK_MIN_SCORE,
  COMPONENT_POINTS,
  dayNumber,
  HEALTHY_MIN_SCORE,
  NPS_CARRY_DAYS,
  POINTS_WITHOUT_NPS,
  roundTo,
  type HealthConfig,
  type NpsSource,
} from "../health";
import type { Bucket, DailyMetrics, HealthComponents, Segment } from "../types";

/**
 * REFERENCE ONLY: the health formula in TypeScript. Only tests call it: the scoring SQL (src/scoring/scores-sql.ts)
 * computes the stored scores, and test/jobs/recompute.test.ts checks that it gives exactly these values, in the same
 * order of floating-point operations and with the same rounding (docs/architecture.md, I2). Change the SQL and this
 * together.
 */

/** Metrics averaged over the trailing window; `nps_score` is already the window average or the carried value. */
export interface WindowAverages {
  daily_active_users: number;
  feature_adoption_rate: number;
  support_tickets_open: number;
  nps_score: number | null;
  login_frequency: number;
}

export interface HealthResult {
  /** 0-100 with one decimal. */
  score: number;
  bucket: Bucket;
  /** Points per component, two decimals, unscaled (the NPS-less rescaling applies to the score only). */
  components: HealthComponents;
}

/** The score of one date of an account's history, with the averages it came from. */
export interface ScoredDate extends HealthResult {
  date: string;
  nps_source: NpsSource;
  averages: WindowAverages;
}

function clamp(value: number, max: number): number {
  return Math.max(0, Math.min(max, value));
}

/** The bucket of a score already rounded to one decimal: Healthy >= 70, At-Risk >= 40, Critical below. */
export function bucketFor(score: number): Bucket {
  if (score >= HEALTHY_MIN_SCORE) return "Healthy";
  if (score >= AT_RISK_MIN_SCORE) return "At-Risk";
  return "Critical";
}

/** The five components and the score of one set of window averages, for an account of `segment`. */
export function scoreComponents(averages: WindowAverages, segment: Segment, config: HealthConfig): HealthResult {
  const dau = clamp(
    COMPONENT_POINTS.daily_active_users * Math.min(1, averages.daily_active_users / config.dauBenchmarks[segment]),
    COMPONENT_POINTS.daily_active_users,
  );
  const adoption = clamp(
    COMPONENT_POINTS.feature_adoption * averages.feature_adoption_rate,
    COMPONENT_POINTS.feature_adoption,
  );
  const tickets = clamp(
    COMPONENT_POINTS.support_tickets * Math.max(0, 1 - averages.support_tickets_open / config.ticketCeiling),
    COMPONENT_POINTS.support_tickets,
  );
  const nps =
    averages.nps_score === null
      ? null
      : clamp((COMPONENT_POINTS.nps * (averages.nps_score + 100)) / 200, COMPONENT_POINTS.nps);
  const login = clamp(COMPONENT_POINTS.login_frequency * averages.login_frequency, COMPONENT_POINTS.login_frequency);

  const rawScore =
    nps === null
      ? ((dau + adoption + tickets + login) * 100) / POINTS_WITHOUT_NPS
      : dau + adoption + tickets + nps + login;
  const score = roundTo(rawScore, 1);
  return {
    score,
    bucket: bucketFor(score),
    components: {
      daily_active_users: roundTo(dau, 2),
      feature_adoption: roundTo(adoption, 2),
      support_tickets: roundTo(tickets, 2),
      nps: nps === null ? null : roundTo(nps, 2),
      login_frequency: roundTo(login, 2),
    },
  };
}

/** Neumaier-compensated sum: what SQLite's sum() and avg() compute, so averages agree to the last bit. */
export function compensatedSum(values: readonly number[]): number {
  let sum = 0;
  let compensation = 0;
  for (const value of values) {
    const next = sum + value;
    compensation += Math.abs(sum) > Math.abs(value) ? sum - next + value : value - next + sum;
    sum = next;
  }
  return sum + compensation;
}

function mean(values: readonly number[]): number {
  return compensatedSum(values) / values.length;
}

/**
 * Scores every date of one account's metrics: each date averages the rows dated in (date − windowDays, date];
 * without any NPS there, the latest NPS dated in [date − 90, date] is carried; without that either, NPS is null.
 */
export function scoreHistory(metrics: readonly DailyMetrics[], segment: Segment, config: HealthConfig): ScoredDate[] {
  const sorted = [...metrics].sort((a, b) => a.date.localeCompare(b.date));
  const days = sorted.map((row) => dayNumber(row.date));
  return sorted.map((row, index) => {
    const today = days[index] ?? 0;
    const inWindow = sorted.filter((_, other) => {
      const day = days[other] ?? 0;
      return day > today - config.windowDays && day <= today;
    });
    const windowNps = inWindow.flatMap((other) => (other.nps_score === null ? [] : [other.nps_score]));
    let nps: number | null = windowNps.length > 0 ? mean(windowNps) : null;
    let npsSource: NpsSource = windowNps.length > 0 ? "window" : "missing";
    if (nps === null) {
      const carried = sorted.findLast((other, otherIndex) => {
        const day = days[otherIndex] ?? 0;
        return other.nps_score !== null && day >= today - NPS_CARRY_DAYS && day <= today;
      });
      if (carried) {
        nps = carried.nps_score;
        npsSource = "carried";
      }
    }
    const averages: WindowAverages = {
      daily_active_users: mean(inWindow.map((other) => other.daily_active_users)),
      feature_adoption_rate: mean(inWindow.map((other) => other.feature_adoption_rate)),
      support_tickets_open: mean(inWindow.map((other) => other.support_tickets_open)),
      nps_score: nps,
      login_frequency: mean(inWindow.map((other) => other.login_frequency)),
    };
    return { date: row.date, nps_source: npsSource, averages, ...scoreComponents(averages, segment, config) };
  });
}
