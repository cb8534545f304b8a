/**
 * The header line of the CSV contract (DESIGN §3): which columns there are, which may be left out, and where each
 * one stands in a given file.
 */

/** The header in the documented order, for messages. */
export const CSV_HEADER_ORDER = [
  "account_name",
  "segment",
  "region",
  "arr",
  "date",
  "daily_active_users",
  "feature_adoption_rate",
  "support_tickets_open",
  "nps_score",
  "login_frequency",
] as const;

export type CsvColumn = (typeof CSV_HEADER_ORDER)[number];

/** Optional: a file without an `nps_score` column stores every NPS as null. */
export const OPTIONAL_COLUMNS: readonly CsvColumn[] = ["nps_score"];

export const REQUIRED_COLUMNS: readonly CsvColumn[] = CSV_HEADER_ORDER.filter((column) => !OPTIONAL_COLUMNS.includes(column));

/** Position of each known column in a data line; -1 for an absent optional column. */
export interface ResolvedHeader {
  positions: Record<CsvColumn, number>;
  fieldCount: number;
}

export type HeaderResolution =
  | { ok: true; header: ResolvedHeader }
  | { ok: false; missing: CsvColumn[]; duplicates: CsvColumn[]; looksSemicolonSeparated: boolean };

const KNOWN_COLUMNS = new Set<string>(CSV_HEADER_ORDER);

function normaliseHeaderName(name: string): string {
  return name.replace(/^\uFEFF/, "").trim().toLowerCase();
}

/** Names are matched case-insensitively, ignoring surrounding spaces; order is free and extra columns are ignored. */
export function resolveHeader(fields: readonly string[]): HeaderResolution {
  const positions = Object.fromEntries(CSV_HEADER_ORDER.map((column) => [column, -1])) as Record<CsvColumn, number>;
  const duplicates = new Set<CsvColumn>();
  fields.forEach((field, index) => {
    const name = normaliseHeaderName(field);
    if (!KNOWN_COLUMNS.has(name)) return;
    const column = name as CsvColumn;
    if (positions[column] === -1) positions[column] = index;
    else duplicates.add(column);
  });
  const missing = REQUIRED_COLUMNS.filter((column) => positions[column] === -1);
  if (missing.length > 0 || duplicates.size > 0) {
    const looksSemicolonSeparated = fields.length === 1 && (fields[0] ?? "").includes(";");
    return { ok: false, missing, duplicates: [...duplicates], looksSemicolonSeparated };
  }
  return { ok: true, header: { positions, fieldCount: fields.length } };
}
