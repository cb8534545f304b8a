import type { FieldError } from "../contract/problems";
import { matchKey } from "../domain/match-key";
import {
  COLUMNS,
  CSV_HEADER_ORDER,
  OPTIONAL_COLUMNS,
  REQUIRED_COLUMNS,
  type CsvColumn,
  type MeasureRange,
  type RowWarning,
} from "./columns";
import { decimal, orNull, type ValueRule } from "./values";

export { CSV_HEADER_ORDER, type CsvColumn } from "./columns";

/**
 * The header line: which column each header names, and where each column stands in the file. A header matches a
 * column by its name (exactly, or ignoring case, spaces, hyphens and underscores), by an alias of the column table, or
 * by the upload's explicit `mapping` ({"<header in the file>": "<column>"}), which overrides the other two. A header
 * that matches no column but a declared measure's name (in the same way), or that the mapping maps to it, is that
 * measure's column.
 */

export type MatchedBy = "exact" | "normalised" | "alias" | "mapping";

export interface ColumnMatch {
  /** The header as written in the file (trimmed). */
  header: string;
  /** A column of the table, or a declared measure's name. */
  column: string;
  matchedBy: MatchedBy;
}

/** A declared measure the file has a column of: where its cells are and how they are read. */
export interface MeasureColumn {
  name: string;
  position: number;
  /** A number within the measure's range; an empty cell is no value. */
  rule: ValueRule<number | null>;
}

/** Position of each known column in a data line; -1 for an absent optional column. */
export interface ResolvedHeader {
  positions: Record<CsvColumn, number>;
  /** The same positions in the column table's order (COLUMNS), as the row validator reads them. */
  positionByColumn: readonly number[];
  fieldCount: number;
  /** The declared measures the file has a column of, by name (so a row's JSON object lists them in one order). */
  measures: readonly MeasureColumn[];
  /** How each matched header was matched, in file order. */
  columns: ColumnMatch[];
  /** Headers that name no column (extra columns, and alias matches a better match outranked), in file order. */
  ignoredHeaders: string[];
  /** Headers that matched a column another header took. */
  warnings: RowWarning[];
}

/** The upload's explicit mapping, as given: header in the file ► column name. */
export type HeaderMapping = Readonly<Record<string, string>>;

export interface HeaderRefusal {
  missing: CsvColumn[];
  /** Columns (or measures) that several headers match equally well, with those headers. */
  duplicates: { column: string; headers: string[] }[];
  /** What is wrong with the mapping, one sentence each. */
  mappingProblems: string[];
  /** Headers that matched nothing: candidates for a mapping. */
  unmatched: string[];
  looksSemicolonSeparated: boolean;
}

export type HeaderResolution = { ok: true; header: ResolvedHeader } | ({ ok: false } & HeaderRefusal);

type Rank = 0 | 1 | 2;
const RANK_OF: Record<MatchedBy, Rank> = { mapping: 0, exact: 1, normalised: 1, alias: 2 };

const COLUMN_BY_KEY = new Map<string, CsvColumn>(COLUMNS.map((entry) => [matchKey(entry.name), entry.name]));
const ALIAS_BY_KEY = new Map<string, CsvColumn>(
  COLUMNS.flatMap((entry) => entry.aliases.map((alias) => [matchKey(alias), entry.name] as const)),
);
const COLUMN_NAMES = new Set<string>(COLUMNS.map((entry) => entry.name));

export function cleanHeaderName(name: string): string {
  return name.replace(/^\uFEFF/, "").normalize("NFC").trim();
}

/** The column of the table a header of this name matches without a mapping, and how; null: none. */
export function automaticMatch(name: string): { column: CsvColumn; matchedBy: MatchedBy } | null {
  if (COLUMN_NAMES.has(name)) return { column: name as CsvColumn, matchedBy: "exact" };
  const key = matchKey(name);
  const byName = COLUMN_BY_KEY.get(key);
  if (byName) return { column: byName, matchedBy: "normalised" };
  const byAlias = ALIAS_BY_KEY.get(key);
  return byAlias ? { column: byAlias, matchedBy: "alias" } : null;
}

/** The column a mapping value names: its exact name, or the name written another way (`Account Name`). */
function mappedColumn(target: string): CsvColumn | undefined {
  return COLUMN_NAMES.has(target) ? (target as CsvColumn) : COLUMN_BY_KEY.get(matchKey(target));
}

/** The header positions a mapping key names: the header written exactly so, else the ones that match it normalised. */
function headerPositions(names: readonly string[], key: string): number[] {
  const wanted = cleanHeaderName(key);
  const exact = names.indexOf(wanted);
  if (exact !== -1) return [exact];
  const wantedKey = matchKey(wanted);
  return names.flatMap((name, index) => (matchKey(name) === wantedKey ? [index] : []));
}

const listed = (values: readonly string[]) => values.map((value) => `'${value}'`).join(", ");

interface Candidate {
  position: number;
  matchedBy: MatchedBy;
}

/** The declared measure a header of this name matches (by its name, exactly or written another way), and how. */
function measureMatch(name: string, measureByKey: ReadonlyMap<string, string>): { column: string; matchedBy: MatchedBy } | null {
  const measure = measureByKey.get(matchKey(name));
  if (measure === undefined) return null;
  return { column: measure, matchedBy: measure === name ? "exact" : "normalised" };
}

/** The file's measure columns, by name: `positions` holds where each declared measure the file has stands. */
function measureColumns(measures: readonly MeasureRange[], positions: ReadonlyMap<string, number>): MeasureColumn[] {
  return measures
    .filter((measure) => positions.has(measure.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((measure) => ({
      name: measure.name,
      position: positions.get(measure.name) ?? -1,
      rule: orNull(decimal(measure.min, measure.max)),
    }));
}

/**
 * Applies the mapping: which header each mapped column (or declared measure, by its name in `measureByKey`) takes, or
 * what is wrong with it.
 */
function applyMapping(
  names: readonly string[],
  mapping: HeaderMapping,
  candidates: Map<string, Candidate[]>,
  measureByKey: ReadonlyMap<string, string>,
): string[] {
  const problems: string[] = [];
  const mappedHeaders = new Map<number, string>();
  const mappedColumns = new Map<string, string>();
  for (const [key, target] of Object.entries(mapping)) {
    const column = mappedColumn(target) ?? measureByKey.get(matchKey(target));
    if (!column) {
      const measures = measureByKey.size > 0 ? `; the declared measures are ${[...measureByKey.values()].join(", ")}` : "";
      problems.push(`'${target}' (mapped from '${key}') is not a column; the columns are ${COLUMNS.map((entry) => entry.name).join(", ")}${measures}.`);
      continue;
    }
    const positions = headerPositions(names, key);
    if (positions.length === 0) {
      problems.push(`The mapped header '${key}' is not in the file, whose headers are ${listed(names)}.`);
      continue;
    }
    if (positions.length > 1) {
      problems.push(`The mapped header '${key}' matches several headers of the file (${listed(positions.map((at) => names[at] ?? ""))}): write it exactly as in the file.`);
      continue;
    }
    const position = positions[0] ?? -1;
    const earlierKey = mappedColumns.get(column);
    if (earlierKey !== undefined) {
      problems.push(`'${earlierKey}' and '${key}' are both mapped to ${column}: map one header to each column.`);
      continue;
    }
    const sameHeader = mappedHeaders.get(position);
    if (sameHeader !== undefined) {
      problems.push(`The header '${names[position]}' is mapped twice (as '${sameHeader}' and '${key}').`);
      continue;
    }
    mappedColumns.set(column, key);
    mappedHeaders.set(position, key);
    candidates.set(column, [{ position, matchedBy: "mapping" }]);
  }
  return problems;
}

/**
 * Matches the header line's fields to the columns and to the declared `measures`; order is free and headers that match
 * nothing are ignored. Refused when a required column is missing, when several headers match one column (or measure)
 * equally well, or when the mapping is wrong.
 */
export function resolveHeader(
  fields: readonly string[],
  mapping: HeaderMapping = {},
  line = 1,
  measures: readonly MeasureRange[] = [],
): HeaderResolution {
  const names = fields.map(cleanHeaderName);
  // A declared measure's name never matches a column of the table (POST /measures refuses one that would).
  const measureByKey = new Map(measures.map((measure) => [matchKey(measure.name), measure.name]));
  const candidates = new Map<string, Candidate[]>();
  const mappingProblems = applyMapping(names, mapping, candidates, measureByKey);
  const mappedPositions = new Set([...candidates.values()].flat().map((candidate) => candidate.position));
  // Automatic matches of headers the mapping did not take; a mapped column keeps only its mapped header.
  const outranked: { position: number; column: string; by: number }[] = [];
  names.forEach((name, position) => {
    if (mappedPositions.has(position)) return;
    const match = automaticMatch(name) ?? measureMatch(name, measureByKey);
    if (!match) return;
    const existing = candidates.get(match.column);
    if (!existing) candidates.set(match.column, [{ position, matchedBy: match.matchedBy }]);
    else existing.push({ position, matchedBy: match.matchedBy });
  });

  const positions = Object.fromEntries(COLUMNS.map((entry) => [entry.name, -1])) as Record<CsvColumn, number>;
  const measurePositions = new Map<string, number>();
  const matchedBy = new Map<number, { column: string; matchedBy: MatchedBy }>();
  const duplicates: HeaderRefusal["duplicates"] = [];
  for (const [column, found] of candidates) {
    const best = Math.min(...found.map((candidate) => RANK_OF[candidate.matchedBy]));
    const winners = found.filter((candidate) => RANK_OF[candidate.matchedBy] === best);
    if (winners.length > 1) {
      duplicates.push({ column, headers: winners.map((candidate) => names[candidate.position] ?? "") });
      continue;
    }
    const winner = winners[0];
    if (!winner) continue;
    if (COLUMN_NAMES.has(column)) positions[column as CsvColumn] = winner.position;
    else measurePositions.set(column, winner.position);
    matchedBy.set(winner.position, { column, matchedBy: winner.matchedBy });
    for (const candidate of found) {
      if (candidate !== winner) outranked.push({ position: candidate.position, column, by: winner.position });
    }
  }

  const missing = REQUIRED_COLUMNS.filter((column) => positions[column] === -1 && !duplicates.some((d) => d.column === column));
  const unmatched = names.filter((name, position) => !matchedBy.has(position) && name !== "");
  if (missing.length > 0 || duplicates.length > 0 || mappingProblems.length > 0) {
    const looksSemicolonSeparated = fields.length === 1 && (fields[0] ?? "").includes(";");
    return { ok: false, missing, duplicates, mappingProblems, unmatched, looksSemicolonSeparated };
  }

  const columns: ColumnMatch[] = [];
  const ignoredHeaders: string[] = [];
  names.forEach((name, position) => {
    const match = matchedBy.get(position);
    if (match) columns.push({ header: name, ...match });
    else ignoredHeaders.push(name);
  });
  const warnings: RowWarning[] = outranked
    .sort((a, b) => a.position - b.position)
    .map(({ position, column, by }) => ({
      line,
      column,
      code: "header_ignored",
      message: `The header '${names[position]}' also matches ${column}, which '${names[by]}' matches ${
        matchedBy.get(by)?.matchedBy === "mapping" ? "through the mapping" : "by its name"
      }; '${names[position]}' is ignored.`,
    }));
  const positionByColumn = COLUMNS.map((entry) => positions[entry.name]);
  return {
    ok: true,
    header: {
      positions,
      positionByColumn,
      fieldCount: fields.length,
      measures: measureColumns(measures, measurePositions),
      columns,
      ignoredHeaders,
      warnings,
    },
  };
}

/** The header problems as field errors: the columns at fault, and the mapping. */
export function headerFieldErrors(refusal: HeaderRefusal): FieldError[] {
  return [
    ...refusal.missing.map((column) => ({ field: column, message: "Required column is missing from the header" })),
    ...refusal.duplicates.map(({ column }) => ({ field: column, message: "Column appears more than once in the header" })),
    ...refusal.mappingProblems.map((message) => ({ field: "mapping", message })),
  ];
}

/** The sentence a refused header answers with. */
export function describeHeaderRefusal(refusal: HeaderRefusal): string {
  const problems: string[] = [...refusal.mappingProblems];
  if (refusal.missing.length > 0) problems.push(`The CSV header is missing the required column(s): ${refusal.missing.join(", ")}.`);
  if (refusal.duplicates.length > 0) {
    const repeated = refusal.duplicates.map(({ column, headers }) => `${column} (${listed(headers)})`).join(", ");
    problems.push(`The CSV header repeats the column(s): ${repeated}; each may appear once (or say which header to use with mapping).`);
  }
  if (refusal.looksSemicolonSeparated) problems.push("The header looks ';'-separated: use ',' as the separator.");
  if (refusal.missing.length > 0 && refusal.unmatched.length > 0) {
    const example = refusal.unmatched[0] ?? "";
    problems.push(
      `Headers that match no column: ${listed(refusal.unmatched.slice(0, 10))}${refusal.unmatched.length > 10 ? ", …" : ""}; ` +
        `map one with mapping={"${example}": "${refusal.missing[0]}"}.`,
    );
  }
  problems.push(
    `Expected the columns ${CSV_HEADER_ORDER.join(",")} (any order; case, spaces, hyphens and underscores ignored; ` +
      `${OPTIONAL_COLUMNS.join(", ")} optional; aliases such as dau, nps and company accepted).`,
  );
  return problems.join(" ");
}
