import { roundTo } from "./health";
import { SEGMENTS, type Segment } from "./types";

/**
 * Revenue movements from the ARR each account reports, between the start of a window (the book's latest
 * metric date D minus `days`) and D. SQL classifies every account and sums each (segment, movement) group; this module
 * only adds the groups up, derives the retention ratios and rounds, so an empty book or a starting ARR of 0 is well
 * defined (ratios null, figures 0).
 */

export const REVENUE_WINDOWS = [30, 90, 180, 365] as const;
export type RevenueWindow = (typeof REVENUE_WINDOWS)[number];
export const DEFAULT_REVENUE_WINDOW: RevenueWindow = 90;

/** Accounts listed behind each movement, the biggest amount first. */
export const REVENUE_MOVERS_LIMIT = 10;

/**
 * How an account's ARR moved from the start (its latest reported ARR at or before D − days) to the end (at or before
 * D). `new_arr`: no ARR at the start (none reported yet, or 0) and some at the end, so an account that went to 0 and
 * came back counts as new again; `churned_arr`: ARR at the start, 0 at the end; `expansion` / `contraction`: above 0
 * at both ends, up / down; `unchanged`: the same above 0; `inactive`: no ARR at either end (counted nowhere).
 */
export const MOVEMENTS = ["new_arr", "expansion", "contraction", "churned_arr", "unchanged", "inactive"] as const;
export type Movement = (typeof MOVEMENTS)[number];

/** The movements that carry an amount, and so list their accounts. */
export const AMOUNT_MOVEMENTS = ["new_arr", "expansion", "contraction", "churned_arr"] as const;
export type AmountMovement = (typeof AMOUNT_MOVEMENTS)[number];

/** One (segment, movement) group as SQL sums it: the accounts and their ARR at both ends. */
export interface MovementGroup {
  segment: Segment;
  movement: Movement;
  accounts: number;
  startArr: number;
  endArr: number;
}

export interface RevenueFigures {
  starting_arr: number;
  new_arr: number;
  expansion: number;
  contraction: number;
  churned_arr: number;
  ending_arr: number;
  /** (starting + expansion − contraction − churned) ÷ starting, 4 decimals; null when starting is 0. */
  nrr: number | null;
  /** (starting − contraction − churned) ÷ starting, 4 decimals; null when starting is 0. */
  grr: number | null;
  account_counts: {
    starting: number;
    new: number;
    expanded: number;
    contracted: number;
    churned: number;
    unchanged: number;
    ending: number;
  };
}

const money = (value: number) => roundTo(value, 2);
const ratio = (value: number) => roundTo(value, 4);

/** The figures of a set of groups (the whole book, or one segment's). */
export function revenueFigures(groups: readonly MovementGroup[]): RevenueFigures {
  const sum = (movement: Movement, value: (group: MovementGroup) => number) =>
    groups.filter((group) => group.movement === movement).reduce((total, group) => total + value(group), 0);
  const count = (movement: Movement) => sum(movement, (group) => group.accounts);
  const startedWithArr = groups.filter((group) => group.movement !== "new_arr" && group.movement !== "inactive");
  const starting = startedWithArr.reduce((total, group) => total + group.startArr, 0);
  const newArr = sum("new_arr", (group) => group.endArr);
  const expansion = sum("expansion", (group) => group.endArr - group.startArr);
  const contraction = sum("contraction", (group) => group.startArr - group.endArr);
  const churned = sum("churned_arr", (group) => group.startArr);
  const ending = groups.reduce((total, group) => total + group.endArr, 0);
  const retained = (value: number) => (starting > 0 ? ratio(value / starting) : null);
  return {
    starting_arr: money(starting),
    new_arr: money(newArr),
    expansion: money(expansion),
    contraction: money(contraction),
    churned_arr: money(churned),
    ending_arr: money(ending),
    nrr: retained(starting + expansion - contraction - churned),
    grr: retained(starting - contraction - churned),
    account_counts: {
      starting: startedWithArr.reduce((total, group) => total + group.accounts, 0),
      new: count("new_arr"),
      expanded: count("expansion"),
      contracted: count("contraction"),
      churned: count("churned_arr"),
      unchanged: count("unchanged"),
      ending: groups
        .filter((group) => group.movement !== "churned_arr" && group.movement !== "inactive")
        .reduce((total, group) => total + group.accounts, 0),
    },
  };
}

/** The book's figures and each segment's (always all three, in the order of SEGMENTS). */
export function summariseRevenue(groups: readonly MovementGroup[]): {
  totals: RevenueFigures;
  bySegment: (RevenueFigures & { segment: Segment })[];
} {
  return {
    totals: revenueFigures(groups),
    bySegment: SEGMENTS.map((segment) => ({
      segment,
      ...revenueFigures(groups.filter((group) => group.segment === segment)),
    })),
  };
}
