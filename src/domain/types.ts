/** Shared vocabulary of the domain: plain types (and one field picker), no Hono, no D1. */

export const SEGMENTS = ["Enterprise", "Mid-Market", "SMB"] as const;
export type Segment = (typeof SEGMENTS)[number];

export const BUCKETS = ["Healthy", "At-Risk", "Critical"] as const;
export type Bucket = (typeof BUCKETS)[number];

export type EngagementTrend = "improving" | "stable" | "declining";

/**
 * A score's points by component key of the model that computed it; null for a component without data (its weight went
 * to the others). Model 1's keys are those of HealthComponents.
 */
export type ComponentPoints = Readonly<Record<string, number | null>>;

/** Model 1's points of each component; `nps` is null when no NPS was available (the other four are scaled to 100). */
export type HealthComponents = {
  daily_active_users: number;
  feature_adoption: number;
  support_tickets: number;
  nps: number | null;
  login_frequency: number;
};

/** A trend over `days`, anchored at the account's latest metric date (not today). Stored as JSON on the account. */
export interface Trend {
  days: number;
  health_score_change: number;
  arr_change: number;
  engagement_trend: EngagementTrend;
  /** The score date the change is measured from (at or before `to_date` minus `days`, else the window's first). */
  from_date: string;
  to_date: string;
  /** Change of each component's points between `from_date` and `to_date`: what moved the score. */
  health_components_change: ComponentPoints;
}

/** One day of an account's metrics, as stored. */
export interface DailyMetrics {
  date: string;
  daily_active_users: number;
  feature_adoption_rate: number;
  support_tickets_open: number;
  nps_score: number | null;
  login_frequency: number;
  arr: number;
}

/** Who an account is and where it stands now: the fields every view of an account (body, prompt, snapshot) starts with. */
export interface AccountSummary {
  id: number;
  account_name: string;
  segment: Segment;
  region: string;
  arr: number;
  health_score: number | null;
  health_bucket: Bucket | null;
}

/** An account's summary but its id, in the order the response bodies and the prompts list the fields. */
export function accountFields(account: AccountSummary): Omit<AccountSummary, "id"> {
  return {
    account_name: account.account_name,
    segment: account.segment,
    region: account.region,
    arr: account.arr,
    health_score: account.health_score,
    health_bucket: account.health_bucket,
  };
}
