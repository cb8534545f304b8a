import type { HealthComponents, Segment } from "./types";

/**
 * The constants of the health formula and the rounding and date arithmetic it relies on. The recompute
 * job evaluates the formula in SQL (src/scoring/scores-sql.ts); src/domain/reference/ holds the same formula in
 * TypeScript, which the tests check the SQL against.
 */

/** Maximum points of each component; the five sum to 100. */
export const COMPONENT_POINTS = {
  daily_active_users: 25,
  feature_adoption: 25,
  support_tickets: 20,
  nps: 15,
  login_frequency: 15,
} as const satisfies Record<keyof HealthComponents, number>;

/** Points of the four components other than NPS, scaled to 100 when no NPS is available. */
export const POINTS_WITHOUT_NPS = 85;

/** How far back a missing NPS is carried from, in days. */
export const NPS_CARRY_DAYS = 90;

export const HEALTHY_MIN_SCORE = 70;
export const AT_RISK_MIN_SCORE = 40;

/**
 * Where the NPS behind a score came from: the window's own values, the latest value of the previous 90 days, or
 * nowhere (the NPS component is null and the data-quality risk factor applies).
 */
export type NpsSource = "window" | "carried" | "missing";

/**
 * Rounds half away from zero with plain IEEE operations (`floor(|x| × 10^d + 0.5) / 10^d`), which SQL reproduces
 * bit for bit; SQLite's round() and JS's toFixed() each round decimal ties their own way. Never yields -0.
 */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  const magnitude = Math.floor(Math.abs(value) * factor + 0.5) / factor;
  return value < 0 ? 0 - magnitude : magnitude;
}

const MS_PER_DAY = 86_400_000;

/** Days since the Unix epoch of a YYYY-MM-DD date, so windows are measured in calendar days. */
export function dayNumber(date: string): number {
  const [year, month, day] = date.split("-").map(Number);
  return Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1) / MS_PER_DAY;
}

/** The settings of the health formula (HEALTH_WINDOW_DAYS, DAU_BENCHMARK_*, TICKET_CEILING). */
export interface HealthConfig {
  /** Trailing window, in days ending at the score date, over which metrics are averaged. */
  windowDays: number;
  /** Daily active users that earn full DAU points, per segment. */
  dauBenchmarks: Record<Segment, number>;
  /** Open tickets at which the ticket component reaches zero. */
  ticketCeiling: number;
}

/** What the settings are when no variable sets them. */
/**
 * The health configuration as one readable string, stored beside the scores: when it differs from the running
 * configuration, every stored score was computed under other settings.
 */
export function healthConfigFingerprint(health: HealthConfig): string {
  const { Enterprise, "Mid-Market": midMarket, SMB } = health.dauBenchmarks;
  return `window=${health.windowDays};dau=${Enterprise}/${midMarket}/${SMB};tickets=${health.ticketCeiling}`;
}

export const DEFAULT_HEALTH_CONFIG: HealthConfig = {
  windowDays: 7,
  dauBenchmarks: { Enterprise: 200, "Mid-Market": 75, SMB: 20 },
  ticketCeiling: 10,
};
