import { checkFigures, type KnownFigure } from "../domain/written-figures";
import { bucketClaims, directionClaims, type Direction, type TrendSubject } from "../domain/written-verdicts";
import type { Bucket } from "../domain/types";

/**
 * What the checks between a model and the user share: an answer is read part by part (a summary, a finding, an
 * action), each part's prose against the data it was written from (its figures, the bucket it gives, the directions it
 * gives the trends), and a part that fails is replaced by the rules' version of it.
 */

/** One part of an answer and what is wrong with it (nothing when it passed). */
export interface PartReview {
  /** Where it is in the answer: "summary", "recommended_actions[1]", "key_findings[0]". */
  part: string;
  problems: string[];
}

export interface AnswerReview {
  figures_checked: number;
  figures_unsupported: number;
  parts: PartReview[];
}

/** What the prose of a part may state. */
export interface ProseRules<Subject extends string = string> {
  /** The figures it may quote (and those derivable from two of them). */
  known: readonly KnownFigure[];
  /** Masks the phrases of the data it may quote word for word (names, labels, titles) before verdicts are read. */
  mask: (text: string) => string;
  /** The bucket of the account it is about; undefined when the part states no bucket of its own. */
  bucket?: Bucket | null;
  /** The trends it may give a direction, and whether the data moved that way. */
  trends?: { subjects: readonly TrendSubject<Subject>[]; goes: (subject: Subject, direction: Direction) => boolean };
}

/** The review of one part's prose. */
export interface ProseReview {
  checked: number;
  unsupported: number;
  problems: string[];
}

/** Reads a part's text against what it may state; every figure, verdict and direction it gets wrong is a problem. */
export function reviewProse<Subject extends string>(text: string, rules: ProseRules<Subject>): ProseReview {
  const figures = checkFigures(text, rules.known);
  const problems = figures.unsupported.map((figure) => `"${figure.text}" is not a figure of the data`);
  const masked = rules.mask(text);
  if (rules.bucket !== undefined) {
    for (const claim of bucketClaims(masked)) {
      if (rules.bucket === null || !claim.buckets.includes(rules.bucket)) {
        problems.push(`calls the account "${claim.text}" but it is ${rules.bucket ?? "not scored"}`);
      }
    }
  }
  if (rules.trends) {
    for (const claim of directionClaims(masked, rules.trends.subjects)) {
      if (!rules.trends.goes(claim.subject, claim.direction)) {
        problems.push(`says ${claim.subject} went ${claim.direction} ("${claim.clause.replace(/\s+/g, " ").slice(0, 80)}"), which the data does not show`);
      }
    }
  }
  return { checked: figures.checked, unsupported: figures.unsupported.length, problems };
}

/** Adds a part's prose review to an answer's. */
export function addPart(review: AnswerReview, part: string, prose: ProseReview, extraProblems: readonly string[] = []): void {
  review.figures_checked += prose.checked;
  review.figures_unsupported += prose.unsupported;
  review.parts.push({ part, problems: [...prose.problems, ...extraProblems] });
}

export function emptyReview(): AnswerReview {
  return { figures_checked: 0, figures_unsupported: 0, parts: [] };
}

export function failedParts(review: AnswerReview): PartReview[] {
  return review.parts.filter((part) => part.problems.length > 0);
}

/** More than half of the parts failed: the whole answer is the rules'. */
export function mostlyFailed(review: AnswerReview): boolean {
  return failedParts(review).length * 2 > review.parts.length;
}

/** One line naming the failed parts and their first problems, for `fallback_reason` and the log. */
export function describeFailures(review: AnswerReview): string {
  const failed = failedParts(review);
  return `${failed.length} of ${review.parts.length} parts failed the checks: ${failed
    .slice(0, 3)
    .map((part) => `${part.part}: ${part.problems[0]}`)
    .join("; ")}${failed.length > 3 ? "; …" : ""}`;
}

/**
 * A list of the answer (findings, risks) with each failed item replaced by the first of the rules' items not already
 * in it; a failed item with no rules' item left is dropped.
 */
export function repairList(items: readonly string[], path: string, failed: ReadonlySet<string>, rules: readonly string[]): string[] {
  const kept = items.filter((_, index) => !failed.has(`${path}[${index}]`));
  const spare = rules.filter((item) => !kept.includes(item));
  return items.flatMap((item, index) => {
    if (!failed.has(`${path}[${index}]`)) return [item];
    const replacement = spare.shift();
    return replacement === undefined ? [] : [replacement];
  });
}
