import { formatCount, formatMoney } from "../domain/format";

/** Wording shared by the rule-based account and portfolio insights. */

/** "A", "A and B", "A, B and C". */
export function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** "1 account", "3 accounts", "2 healthy accounts". */
export function accountCount(count: number, noun = "account"): string {
  return `${formatCount(count)} ${noun}${count === 1 ? "" : "s"}`;
}

/** "+$1,200", "-$300", "$0". */
export function signedMoney(amount: number): string {
  const rounded = Math.round(amount);
  if (rounded === 0) return "$0";
  return `${rounded > 0 ? "+" : "-"}${formatMoney(Math.abs(rounded))}`;
}
