import type { Bucket } from "./types";

/**
 * The verdicts a sentence states: the health bucket it gives ("is Critical", "a healthy account") and the direction it
 * gives a trend ("the score fell", "ARR grew", "engagement is improving"), read so that the insight checks can hold
 * them against the data. Pure functions. Phrases that merely quote the data (a name, a risk factor's label such as
 * "Renewal at risk", a playbook's title) are masked first: they are the data's words, not a verdict.
 */

/** Which buckets a written word is true of: "at risk" is said of At-Risk and of Critical accounts alike. */
const BUCKET_WORDS: readonly { pattern: RegExp; buckets: readonly Bucket[] }[] = [
  { pattern: /\bhealthy\b/gi, buckets: ["Healthy"] },
  { pattern: /\bat[-\s]risk\b/gi, buckets: ["At-Risk", "Critical"] },
  { pattern: /\bcritical(?:ly)?\b/gi, buckets: ["Critical"] },
];

/** Words before a bucket that do not claim it now: "not healthy", "no longer at risk", "back to Healthy", "from Healthy". */
const NOT_A_CLAIM = /\b(?:not|no longer|never|isn't|is not|from|back to|return(?:s|ing)? to|toward|towards|become|becoming|to keep it|before it turns?)\s+(?:an?\s+|the\s+)?$/i;

export interface BucketClaim {
  /** The words as written. */
  text: string;
  index: number;
  /** The buckets it is true of. */
  buckets: readonly Bucket[];
}

/** A regular expression matching any of `phrases` (longest first, so a name wins over a shorter one inside it); null for none. */
export function anyOf(phrases: readonly string[], flags: string): RegExp | null {
  const sorted = [...new Set(phrases.map((phrase) => phrase.trim()).filter((phrase) => phrase.length > 1))].sort(
    (a, b) => b.length - a.length,
  );
  if (sorted.length === 0) return null;
  return new RegExp(sorted.map((phrase) => phrase.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), flags);
}

/**
 * A function that replaces each occurrence of the quoted phrases (any case) with spaces of the same length, so what
 * remains keeps its positions. Built once per answer: one pattern for every phrase.
 */
export function phraseMasker(phrases: readonly string[]): (text: string) => string {
  const pattern = anyOf(phrases, "gi");
  return (text) => (pattern ? text.replace(pattern, (found) => " ".repeat(found.length)) : text);
}

/** `text` with the quoted phrases masked (phraseMasker, for one text). */
export function maskPhrases(text: string, phrases: readonly string[]): string {
  return phraseMasker(phrases)(text);
}

/** The buckets a text (already masked) claims, in order. */
export function bucketClaims(text: string): BucketClaim[] {
  const claims: BucketClaim[] = [];
  for (const { pattern, buckets } of BUCKET_WORDS) {
    for (const match of text.matchAll(pattern)) {
      const index = match.index ?? 0;
      if (NOT_A_CLAIM.test(text.slice(Math.max(0, index - 30), index))) continue;
      claims.push({ text: match[0], index, buckets });
    }
  }
  return claims.sort((a, b) => a.index - b.index);
}

export type Direction = "up" | "down" | "flat";

const DIRECTION_WORDS: readonly { pattern: RegExp; direction: Direction }[] = [
  {
    pattern: /\b(?:rose|risen|rising|rises|increas(?:ed|ing|es)|improv(?:ed|ing|es)|gr(?:ew|own|owing|ows)|gain(?:ed|ing|s)|climb(?:ed|ing|s)|upward)\b/gi,
    direction: "up",
  },
  {
    pattern: /\b(?:fell|fallen|falling|falls|dropp(?:ed|ing)|drops|declin(?:ed|ing|es)|decreas(?:ed|ing|es)|slipp(?:ed|ing)|slips|worsen(?:ed|ing|s)|shr(?:ank|unk|inking|inks)|downward|deteriorat(?:ed|ing|es))\b/gi,
    direction: "down",
  },
  { pattern: /\b(?:stable|flat|unchanged|steady)\b/gi, direction: "flat" },
];

/** A measure whose direction a text may state, found by the words that name it. */
export interface TrendSubject<Key extends string> {
  key: Key;
  pattern: RegExp;
}

export interface DirectionClaim<Key extends string> {
  subject: Key;
  direction: Direction;
  /** The clause it is stated in, for the report. */
  clause: string;
}

/**
 * The directions a text (already masked) gives its subjects: in each clause, a direction word applies to the subject
 * named last before it, or the first named after it when none comes before.
 */
export function directionClaims<Key extends string>(text: string, subjects: readonly TrendSubject<Key>[]): DirectionClaim<Key>[] {
  const claims: DirectionClaim<Key>[] = [];
  for (const clause of text.split(/(?<=[.!?])\s+|;\s*|,\s+(?:and|but|while|whereas)\s+/)) {
    const mentions = subjects
      .flatMap((subject) => [...clause.matchAll(new RegExp(subject.pattern.source, "gi"))].map((match) => ({ key: subject.key, index: match.index ?? 0 })))
      .sort((a, b) => a.index - b.index);
    if (mentions.length === 0) continue;
    const words = DIRECTION_WORDS.flatMap(({ pattern, direction }) =>
      [...clause.matchAll(pattern)].map((match) => ({ direction, index: match.index ?? 0 })),
    ).sort((a, b) => a.index - b.index);
    for (const { direction, index } of words) {
      const subject = mentions.filter((mention) => mention.index < index).at(-1) ?? mentions[0]!;
      claims.push({ subject: subject.key, direction, clause: clause.trim() });
    }
  }
  return claims;
}

/** Whether a change of `value` (beyond `flatWithin` either way) goes in `direction`. */
export function changeGoes(value: number, direction: Direction, flatWithin: number): boolean {
  if (direction === "flat") return Math.abs(value) <= flatWithin;
  return direction === "up" ? value > 0 : value < 0;
}
