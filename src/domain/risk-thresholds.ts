/**
 * The thresholds of the risk rules (documented in the README): where each risk factor starts and where it turns
 * from medium to high severity.
 */

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

/**
 * A renewal date at most this many days after the data's latest date, on an account that is not Healthy, is a
 * high-severity renewal risk (and ranks the Renewal Risk Mitigation playbook first).
 */
export const RENEWAL_WINDOW_DAYS = 90;

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
