/**
 * The key two spellings of one name share: case, spaces, hyphens and underscores ignored, so "Mid-Market",
 * "mid market" and "MID_MARKET" match, as do "at_risk" and "At-Risk".
 */
export function matchKey(value: string): string {
  return value.toLowerCase().replace(/[\s_-]/g, "");
}
