/**
 * The figures a sentence states, as models write them ("$1.2M", "$1,200,000", "-6.4 points", "12%", "twelve",
 * "2026-12-15"), and whether the data supports each: a figure matches a known one, or one derived from two known ones
 * (their difference, or one as a percentage of the other), within the rounding the text shows. Pure functions: the
 * insight checks run them on every model answer.
 */

export type FigureKind = "money" | "percent" | "points" | "date" | "number";

export interface WrittenFigure {
  /** The figure as written, e.g. "$1.2M". */
  text: string;
  /** Where it starts in the sentence. */
  index: number;
  kind: FigureKind;
  /** The value it states: dollars, percent (12 for "12%"), points, days since 1970-01-01 for a date, or the number. */
  value: number;
  /** How far the true value may be from `value` for the text to be a fair rounding of it (half its last digit). */
  tolerance: number;
  /** Written with a sign ("-6.4 points", "+$1,200"): the sign is part of what it states. */
  signed: boolean;
}

const SMALL_NUMBERS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11,
  twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
  twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90, hundred: 100,
};

const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

const SCALE_WORDS: Record<string, number> = {
  k: 1e3, thousand: 1e3, m: 1e6, mm: 1e6, million: 1e6, b: 1e9, bn: 1e9, billion: 1e9,
};

// One pattern, tried left to right: an ISO date; a month-name date; a number (sign, currency, digits with thousands
// separators and decimals, a scale word, a unit); a number word. Words are whole words only. A sign counts only
// against the number and not after a word ("30-60" is two numbers, "- 5" a dash).
const FIGURE = new RegExp(
  [
    String.raw`(?<iso>\b\d{4}-\d{2}-\d{2}\b)`,
    String.raw`(?<named>\b(?:${MONTHS.join("|")})\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b|\b\d{1,2}\s+(?:${MONTHS.join("|")}),?\s+\d{4}\b)`,
    String.raw`(?<sign>(?<![\w.])[-+−])?(?<currency>\$\s?)?(?<digits>(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])\d+(?:\.\d+)?)(?:\s?(?<scale>k|mm|m|bn|b|thousand|million|billion)\b)?(?<unit>\s?%|\s?percent\b|\s?(?:percentage\s)?points?\b|\s?pts?\b)?`,
    String.raw`(?<word>\b(?:${Object.keys(SMALL_NUMBERS).join("|")})\b)`,
  ].join("|"),
  "gi",
);

/** Days since 1970-01-01 of a calendar date; NaN when it is not one. */
function dayOf(year: number, month: number, day: number): number {
  const time = Date.UTC(year, month - 1, day);
  const date = new Date(time);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? time / 86_400_000 : Number.NaN;
}

function namedDay(text: string): number {
  const words = text.toLowerCase().replace(/,/g, " ").split(/\s+/).filter(Boolean);
  const month = words.findIndex((word) => MONTHS.includes(word));
  const numbers = words.filter((_, index) => index !== month).map((word) => Number.parseInt(word, 10));
  const [day, year] = numbers.length === 2 && numbers[0]! > 31 ? [numbers[1]!, numbers[0]!] : [numbers[0]!, numbers[1]!];
  return dayOf(year, MONTHS.indexOf(words[month]!) + 1, day);
}

/** Half a unit of the last digit written: "52.3" → 0.05, "1,200" → 0.5. */
function halfLastDigit(digits: string): number {
  const decimals = digits.includes(".") ? digits.length - digits.indexOf(".") - 1 : 0;
  return 0.5 * 10 ** -decimals;
}

/** Every figure of `text`, in order. */
export function extractFigures(text: string): WrittenFigure[] {
  const figures: WrittenFigure[] = [];
  for (const match of text.matchAll(FIGURE)) {
    const groups = match.groups ?? {};
    const index = match.index ?? 0;
    const written = match[0].trim();
    if (groups.iso) {
      const [year, month, day] = groups.iso.split("-").map(Number) as [number, number, number];
      const value = dayOf(year, month, day);
      if (!Number.isNaN(value)) figures.push({ text: written, index, kind: "date", value, tolerance: 0, signed: false });
    } else if (groups.named) {
      const value = namedDay(groups.named);
      if (!Number.isNaN(value)) figures.push({ text: written, index, kind: "date", value, tolerance: 0, signed: false });
    } else if (groups.word) {
      figures.push({ text: written, index, kind: "number", value: SMALL_NUMBERS[groups.word.toLowerCase()]!, tolerance: 0, signed: false });
    } else if (groups.digits) {
      const negative = /[-−]/.test(groups.sign ?? "");
      const multiplier = groups.scale ? SCALE_WORDS[groups.scale.toLowerCase()]! : 1;
      const magnitude = Number(groups.digits.replaceAll(",", "")) * multiplier;
      const unit = (groups.unit ?? "").trim().toLowerCase();
      const kind: FigureKind = groups.currency ? "money" : unit === "%" || unit === "percent" ? "percent" : unit === "" ? "number" : "points";
      figures.push({
        text: written,
        index,
        kind,
        value: negative ? -magnitude : magnitude,
        tolerance: halfLastDigit(groups.digits) * multiplier,
        signed: groups.sign !== undefined,
      });
    }
  }
  return figures;
}

/** A figure the data holds, with what it is (for the check's report). */
export interface KnownFigure {
  label: string;
  value: number;
  /** Which written kinds may state it: money as money, a ratio (0.12) as a percent (12%), a count as a number. */
  kind: "money" | "ratio" | "percent" | "points" | "date" | "number";
}

/** How a written figure is supported: by a known figure, or by two (their difference or ratio); null when unsupported. */
export type FigureSupport = { label: string } | null;

/** The values a known figure can be written as, for a written figure of `kind`. */
function writtenValues(known: KnownFigure, kind: FigureKind): number[] {
  switch (known.kind) {
    case "ratio":
      return kind === "percent" ? [known.value * 100] : kind === "number" ? [known.value] : [];
    case "money":
      // "$1.2M" and "1.2M ARR" both state money.
      return kind === "money" || kind === "number" ? [known.value] : [];
    case "percent":
      return kind === "percent" || kind === "points" ? [known.value] : [];
    case "points":
      return kind === "points" || kind === "number" ? [known.value] : [];
    case "date":
      return kind === "date" ? [known.value] : [];
    case "number":
      return kind === "number" || kind === "points" ? [known.value] : [];
  }
}

/**
 * Within the text's rounding. A signed figure ("-6.4 points") must have the sign of the data; an unsigned one is a
 * magnitude ("fell 6.4 points"), whose direction is the verdict check's to judge.
 */
function close(written: WrittenFigure, value: number): boolean {
  const distance = written.signed ? Math.abs(written.value - value) : Math.abs(Math.abs(written.value) - Math.abs(value));
  // A little slack over half the last digit, for a model that rounds a rounded figure again.
  return distance <= written.tolerance * 1.0001 + 1e-9;
}

/** The path of the data a known figure comes from: its label without the quoted text or "(key)" after it. */
function pathOf(figure: KnownFigure): string {
  return figure.label.replace(/ \(.*$/, "");
}

/** "trends.30d.arr_change" → "trends.30d"; "risk_factors[0]" → "risk_factors". */
function parentOf(path: string): string {
  return path.replace(/(?:\.[^.[\]]+|\[\d+\])$/, "");
}

/** "trends.30d.arr_change" → "arr_change". */
function lastKey(path: string): string {
  return /([^.[\]]+)\]?$/.exec(path)?.[1] ?? path;
}

/** Keys that name two sides of one measure, side by side in the data: a component's points and its maximum, a risk factor's value and threshold. */
const PAIRED_KEYS: readonly (readonly [string, string])[] = [
  ["points", "max_points"],
  ["value", "threshold"],
];

/**
 * Whether a writer may combine two known figures (subtract one from the other, or state one as a percentage of the
 * other): both of a kind, and about one thing: two figures of one text, a figure and its change ("arr" and
 * "arr_change": the ARR before), two sides of one measure (PAIRED_KEYS), or two amounts of money side by side (the
 * ARR at risk of the total). Any two figures of a book combine to some value, so only the pairs a writer means are
 * tried: two components' changes, say, are no pair.
 */
function related(first: KnownFigure, second: KnownFigure): boolean {
  if (first.kind !== second.kind) return false;
  const [a, b] = [pathOf(first), pathOf(second)];
  const [keyA, keyB] = [lastKey(a), lastKey(b)];
  if (a === b || `${keyA}_change` === keyB || `${keyB}_change` === keyA) return true;
  if (parentOf(a) !== parentOf(b)) return false;
  return first.kind === "money" || PAIRED_KEYS.some(([x, y]) => (keyA === x && keyB === y) || (keyA === y && keyB === x));
}

/**
 * Whether the data supports a written figure: it equals a known figure, or the difference of two related ones, or one
 * as a percentage change of or a share of a related one (money, counts and points), within the rounding the text shows.
 */
export function supportOf(written: WrittenFigure, known: readonly KnownFigure[]): FigureSupport {
  for (const figure of known) {
    if (writtenValues(figure, written.kind).some((value) => close(written, value))) return { label: figure.label };
  }
  if (written.kind === "date") return null;
  const amounts = known.filter((figure) => figure.kind === "money" || figure.kind === "number" || figure.kind === "points");
  for (const first of amounts) {
    for (const second of amounts) {
      if (first === second || !related(first, second)) continue;
      if (written.kind !== "percent" && close(written, first.value - second.value)) {
        return { label: `${first.label} − ${second.label}` };
      }
      if (written.kind === "percent" && second.value !== 0) {
        if (close(written, ((first.value - second.value) / second.value) * 100)) return { label: `${first.label} vs ${second.label}` };
        if (close(written, (first.value / second.value) * 100)) return { label: `${first.label} of ${second.label}` };
      }
    }
  }
  return null;
}

/** What a number of the data is, from its name (or, for a risk factor's evidence, the metric it measures). */
function kindOfName(name: string, value: number): KnownFigure["kind"] {
  const key = name.toLowerCase();
  if (/arr|amount|revenue|mrr/.test(key)) return "money";
  if (/percent|pct/.test(key)) return "percent";
  if (/rate|frequency|ratio|share|nrr|grr/.test(key) && Math.abs(value) <= 1) return "ratio";
  if (/score|points|change|health/.test(key)) return "points";
  return "number";
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Every figure of the data a model was given, named by its path: each number (its kind from its name), each ISO date,
 * each figure written inside a text of the data (a risk factor's detail, a playbook's expected outcome), as written,
 * and each in a key (a trend's window, "30d").
 */
export function knownFiguresOf(data: unknown): KnownFigure[] {
  const figures: KnownFigure[] = [];
  const visit = (value: unknown, path: string, name: string): void => {
    if (typeof value === "number" && Number.isFinite(value)) {
      figures.push({ label: path, value, kind: kindOfName(name, value) });
    } else if (typeof value === "string") {
      if (ISO_DATE.test(value)) {
        for (const figure of extractFigures(value)) figures.push({ label: path, value: figure.value, kind: "date" });
      } else {
        for (const figure of extractFigures(value)) {
          figures.push({ label: `${path} ("${figure.text}")`, value: figure.value, kind: figure.kind });
        }
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, `${path}[${index}]`, name));
    } else if (value !== null && typeof value === "object") {
      const record = value as Record<string, unknown>;
      // A risk factor's evidence names the metric its value and threshold measure.
      const metric = typeof record.metric === "string" ? record.metric : null;
      for (const [key, item] of Object.entries(record)) {
        // A key can hold a figure too: the trends' windows are keyed "30d", "60d", "90d".
        for (const figure of extractFigures(key)) figures.push({ label: `${path === "" ? key : `${path}.${key}`} (key)`, value: figure.value, kind: "number" });
        visit(item, path === "" ? key : `${path}.${key}`, metric !== null && (key === "value" || key === "threshold") ? metric : key);
      }
    }
  };
  visit(data, "", "");
  return figures;
}

/** The figures of `text` and those the data does not support. */
export function checkFigures(text: string, known: readonly KnownFigure[]): { checked: number; unsupported: WrittenFigure[] } {
  const figures = extractFigures(text);
  return { checked: figures.length, unsupported: figures.filter((figure) => supportOf(figure, known) === null) };
}
