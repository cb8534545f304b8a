import { sql, type SQL } from "drizzle-orm";

/**
 * Rounds half away from zero exactly as `roundTo` in src/domain/health.ts does (floor(|x| × 10^d + 0.5) / 10^d):
 * SQLite's round() handles decimal ties differently, and the stored values must match the pure reference.
 */
export function roundedSql(expression: string, decimals: number): string {
  const factor = `${10 ** decimals}.0`;
  const magnitude = `(CAST(abs(${expression}) * ${factor} + 0.5 AS INTEGER) / ${factor})`;
  return `(CASE WHEN (${expression}) < 0 THEN 0.0 - ${magnitude} ELSE ${magnitude} END)`;
}

/**
 * The change from `earlier` to `later`, two values stored rounded to `decimals` places (scores, points), rounded as
 * roundTo: their difference is a multiple of 10^-decimals up to a rounding error, never near a tie, and there SQLite's
 * round() gives the same double (the nearest to that multiple). It reads the difference once, where roundedSql
 * reads it three times: a trend compares every component of the score, three trends per account.
 */
export function storedValuesChangeSql(later: string, earlier: string, decimals: number): string {
  return `round(${later} - ${earlier}, ${decimals})`;
}

/** The same rounding for an expression known to be >= 0 (every score and component is clamped so), as text. */
export function roundedNonNegative(expression: string, decimals: number): string {
  const factor = `${10 ** decimals}.0`;
  return `(CAST((${expression}) * ${factor} + 0.5 AS INTEGER) / ${factor})`;
}

export function roundedNonNegativeSql(expression: string, decimals: number): SQL {
  return sql.raw(roundedNonNegative(expression, decimals));
}

export function clampedSql(expression: string, points: number): SQL {
  return sql.raw(`max(0.0, min(${points}.0, ${expression}))`);
}
