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
    { label: "account.arr", value: 1_187_500, kind: "money" },
    { label: "trends.30d.arr_change", value: -62_500, kind: "money" },
    { label: "account.health_score", value: 52.34, kind: "points" },
    { label: "trends.30d.health_score_change", value: -6.4, kind: "points" },
    { label: "latest_metrics.feature_adoption_rate", value: 0.318, kind: "ratio" },
    { label: "account.renewal_date", value: Date.UTC(2026, 11, 15) / 86_400_000, kind: "date" },
    { label: "trends.30d (key)", value: 30, kind: "number" },
  ];
  const support = (text: string) => extractFigures(text).map((figure) => supportOf(figure, known)?.label ?? null);

  it("matches a figure within the rounding the text shows, whatever the sign", () => {
    expect(support("ARR $1.2M ($1,187,500), score 52.3, down 6.4 points, adoption 32%, renews 2026-12-15")).toEqual([
      "account.arr", "account.arr", "account.health_score", "trends.30d.health_score_change", "latest_metrics.feature_adoption_rate", "account.renewal_date",
    ]);
  });

  it("matches a difference or a ratio of two related figures: a figure and its change", () => {
    // 62,500 of 1,187,500 is 5.3%; 52.34 − (−6.4) = 58.74, the score 30 days before.
    expect(support("ARR fell $62,500 (5%) over 30 days")).toEqual(["trends.30d.arr_change", "trends.30d.arr_change of account.arr", "trends.30d (key)"]);
    expect(support("up from 58.7")).toEqual(["account.health_score − trends.30d.health_score_change"]);
  });

  it("does not combine unrelated figures: two components' points are no pair", () => {
    const scores: KnownFigure[] = [
      { label: "health_components.daily_active_users.points", value: 18.2, kind: "points" },
      { label: "health_components.daily_active_users.max_points", value: 25, kind: "points" },
      { label: "health_components.feature_adoption.points", value: 7.1, kind: "points" },
    ];
    const supported = (text: string) => extractFigures(text).map((figure) => supportOf(figure, scores)?.label ?? null);
    // 18.2 − 7.1 = 11.1 and 7.1 of 18.2 = 39% relate nothing; 18.2 of 25 is 73%, 6.8 points short of it.
    expect(supported("11.1 points, 39%")).toEqual([null, null]);
    expect(supported("73%, 6.8 points")).toEqual([
      "health_components.daily_active_users.points of health_components.daily_active_users.max_points",
      "health_components.daily_active_users.points − health_components.daily_active_users.max_points",
    ]);
  });

  it("finds no support for a figure the data does not give, or one rounded wrongly", () => {
    expect(support("ARR grew 40% to $2.1M; the score is 58; adoption 38%; renews 2026-12-16")).toEqual([null, null, null, null, null]);
    // 52.34 is not "52.4".
    expect(support("score 52.4")).toEqual([null]);
  });

  it("holds a signed figure to its sign: -6.4 points is the change, +6.4 points is not", () => {
    expect(support("moved -6.4 points")).toEqual(["trends.30d.health_score_change"]);
    expect(support("moved +6.4 points")).toEqual([null]);
    expect(support("ARR moved -$62,500")).toEqual(["trends.30d.arr_change"]);
    expect(support("ARR moved +$62,500")).toEqual([null]);
  });

  it("reads a dash between numbers or before a spaced number as no sign", () => {
    expect(extractFigures("30-60 days - 5 accounts").map((figure) => [figure.text, figure.signed])).toEqual([
      ["30", false],
      ["60", false],
      ["5", false],
    ]);
  });
});
