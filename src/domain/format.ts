import { roundTo } from "./health";

/** How figures read in the sentences of risk factors, recommendations and the rule-based insights. */

/** 0.183 → "18%". */
export function formatPercent(ratio: number): string {
  return `${roundTo(ratio * 100, 0)}%`;
}

// One formatter, made once: `toLocaleString` builds a new one on every call, which a page of figures feels.
const WHOLE_NUMBER = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** 12500 → "12,500". */
export function formatCount(value: number): string {
  return WHOLE_NUMBER.format(value);
}

/** 1250000 → "$1,250,000"; negative amounts keep their sign in front. */
export function formatMoney(amount: number): string {
  const rounded = Math.round(Math.abs(amount));
  return `${amount < 0 && rounded > 0 ? "-" : ""}$${WHOLE_NUMBER.format(rounded)}`;
}

/** 3.25 → "+3.3", -8 → "-8.0", 0 → "0.0". */
export function formatSigned(value: number, decimals = 1): string {
  const rounded = roundTo(value, decimals);
  return `${rounded > 0 ? "+" : ""}${rounded.toFixed(decimals)}`;
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
