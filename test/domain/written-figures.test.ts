import { describe, expect, it } from "vitest";
import { extractFigures, supportOf, type KnownFigure } from "../../src/domain/written-figures";

/** The kind, value and tolerance of each figure of a sentence. */
function figures(text: string) {
  return extractFigures(text).map(({ kind, value, tolerance, text: written }) => ({ written, kind, value, tolerance }));
}

describe("the figures a sentence states", () => {
  it("reads money as models write it: with separators, scale words and signs", () => {
    expect(figures("ARR is $1,200,000, was $1.2M, then -$300 and $950k.")).toEqual([
      { written: "$1,200,000", kind: "money", value: 1_200_000, tolerance: 0.5 },
      { written: "$1.2M", kind: "money", value: 1_200_000, tolerance: 50_000 },
      { written: "-$300", kind: "money", value: -300, tolerance: 0.5 },
      { written: "$950k", kind: "money", value: 950_000, tolerance: 500 },
    ]);
  });

  it("reads percentages, points, plain numbers and number words", () => {
    expect(figures("Adoption is 12% (12.5 percent), the score fell −6.4 points to 52.3 over thirty days; twelve accounts.")).toEqual([
      { written: "12%", kind: "percent", value: 12, tolerance: 0.5 },
      { written: "12.5 percent", kind: "percent", value: 12.5, tolerance: 0.05 },
      { written: "−6.4 points", kind: "points", value: -6.4, tolerance: 0.05 },
      { written: "52.3", kind: "number", value: 52.3, tolerance: 0.05 },
      { written: "thirty", kind: "number", value: 30, tolerance: 0 },
      { written: "twelve", kind: "number", value: 12, tolerance: 0 },
    ]);
  });

  it("reads ISO and month-name dates as days, and nothing from within words or dates", () => {
    const day = Date.UTC(2026, 11, 15) / 86_400_000;
    expect(figures("Renews 2026-12-15, i.e. December 15, 2026 or 15 December 2026.")).toEqual([
      { written: "2026-12-15", kind: "date", value: day, tolerance: 0 },
      { written: "December 15, 2026", kind: "date", value: day, tolerance: 0 },
      { written: "15 December 2026", kind: "date", value: day, tolerance: 0 },
    ]);
    expect(figures("Q3 playbook v2 for At-Risk accounts")).toEqual([]);
    expect(figures("2026-02-30")).toEqual([]);
    expect(figures("a 30-day trend")).toEqual([{ written: "30", kind: "number", value: 30, tolerance: 0.5 }]);
  });
});

describe("whether the data supports a written figure", () => {
  const known: KnownFigure[] = [
    { label: "arr", value: 1_187_500, kind: "money" },
    { label: "arr 30 days ago", value: 1_250_000, kind: "money" },
    { label: "health_score", value: 52.34, kind: "points" },
    { label: "health_score_change_30d", value: -6.4, kind: "points" },
    { label: "feature_adoption_rate", value: 0.318, kind: "ratio" },
    { label: "renewal_date", value: Date.UTC(2026, 11, 15) / 86_400_000, kind: "date" },
    { label: "trend days", value: 30, kind: "number" },
  ];
  const support = (text: string) => extractFigures(text).map((figure) => supportOf(figure, known)?.label ?? null);

  it("matches a figure within the rounding the text shows, whatever the sign", () => {
    expect(support("ARR $1.2M ($1,187,500), score 52.3, down 6.4 points, adoption 32%, renews 2026-12-15")).toEqual([
      "arr", "arr", "health_score", "health_score_change_30d", "feature_adoption_rate", "renewal_date",
    ]);
  });

  it("matches a difference or a ratio of two figures", () => {
    // 1,250,000 − 1,187,500 = 62,500; a 5% fall.
    expect(support("ARR fell $62,500 (5%) over 30 days")).toEqual(["arr − arr 30 days ago", "arr vs arr 30 days ago", "trend days"]);
  });

  it("finds no support for a figure the data does not give, or one rounded wrongly", () => {
    expect(support("ARR grew 40% to $2.1M; the score is 58; adoption 38%; renews 2026-12-16")).toEqual([null, null, null, null, null]);
    // 52.34 is not "52.4".
    expect(support("score 52.4")).toEqual([null]);
  });
});
