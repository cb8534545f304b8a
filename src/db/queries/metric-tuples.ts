import type { Segment } from "../../domain/types";

/* The rows of an upload's batch as the batch upsert reads them from its JSON parameters (metric-batches.ts). */

/**
 * One account's attributes, as of its latest-dated row in the batch, and the batch's first date for it; then the
 * renewal date and owner of its latest-dated row in the batch that has them, each with that row's date (null: none);
 * then the batch's dates for it, when they are not every day from the first to the latest (null: they are).
 */
export type AccountTuple = [
  name: string,
  segment: Segment,
  region: string,
  arr: number,
  date: string,
  firstDate: string,
  renewalDate: string | null,
  renewalDateAsOf: string | null,
  owner: string | null,
  ownerAsOf: string | null,
  dates: string[] | null,
];

/** One account + date of metrics; its declared measures' values by name (null: none), nested in the batch's JSON. */
export type MetricTuple = [
  name: string,
  date: string,
  dailyActiveUsers: number,
  featureAdoptionRate: number,
  supportTicketsOpen: number,
  npsScore: number | null,
  loginFrequency: number,
  arr: number,
  renewalDate: string | null,
  owner: string | null,
  measures: Readonly<Record<string, number>> | null,
];
