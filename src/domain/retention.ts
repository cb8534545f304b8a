import { NPS_CARRY_DAYS } from "./health";
import { REVENUE_WINDOWS } from "./revenue";
import { TREND_PERIODS } from "./trend";

/**
 * The fewest days of metric rows METRICS_RETENTION_DAYS may keep: a score reads the window and the NPS carried before
 * it, a trend compares scores up to its longest period back, and the revenue statement reads each account's ARR at
 * the start of its longest window. Older rows are only history: their scores stay.
 */
export function metricRetentionFloorDays(windowDays: number): number {
  const scoring = windowDays + NPS_CARRY_DAYS + Math.max(...TREND_PERIODS);
  return Math.max(scoring, Math.max(...REVENUE_WINDOWS) + 1);
}

/** The ISO timestamp `days` days before `now`: what is older was kept long enough. */
export function retentionCutoff(now: Date, days: number): string {
  return new Date(now.getTime() - days * 86_400_000).toISOString();
}
