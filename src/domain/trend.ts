/**
 * The constants of the trends, anchored at the account's latest metric date rather than today, so
 * historical uploads still show movement. The scoring wing evaluates the trends in SQL (src/scoring/account-health-sql.ts);
 * src/domain/reference/trend.ts holds the same rules in TypeScript, which the tests check the SQL against.
 */

export const TREND_PERIODS = [30, 60, 90] as const;

/** Relative change of mean DAU, between the window's halves, beyond which engagement is improving or declining. */
export const ENGAGEMENT_CHANGE_THRESHOLD = 0.1;
