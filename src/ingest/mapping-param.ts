import type { HeaderMapping } from "./csv-header";

/**
 * The `mapping` parameter: a JSON object {"<header in the file>": "<column>"}; the reason when it is not one. Its
 * columns and headers are checked against the file's header line (resolveHeader).
 */
export function parseMapping(text: string, maxEntries: number): { mapping: HeaderMapping } | { reason: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { reason: `mapping is not valid JSON: send an object such as {"Company": "account_name"}.` };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { reason: `mapping must be a JSON object such as {"Company": "account_name"}.` };
  }
  const entries = Object.entries(parsed);
  if (entries.length > maxEntries) return { reason: `mapping has ${entries.length} entries; at most ${maxEntries} are accepted.` };
  const mapping: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (typeof value !== "string") {
      return { reason: `mapping['${key}'] must be a column name (a string), such as "account_name".` };
    }
    mapping[key] = value;
  }
  return { mapping };
}
