import { describe, expect, it } from "vitest";
import { barChart, escapeText, scale } from "../../src/console/charts";

/** The x and width of each bar of a chart's markup. */
function bars(svg: string): { x: number; width: number }[] {
  return [...svg.matchAll(/<rect x="([\d.-]+)" y="[\d.]+" width="([\d.]+)"/g)].map((match) => ({ x: Number(match[1]), width: Number(match[2]) }));
}

describe("console charts (pure SVG)", () => {
  it("scales a value linearly onto a length, and a degenerate scale to 0", () => {
    expect(scale(5, 0, 10, 200)).toBe(100);
    expect(scale(-5, -10, 10, 200)).toBe(50);
    expect(scale(3, 3, 3, 200)).toBe(0);
    expect(scale(Number.NaN, 0, 10, 200)).toBe(0);
  });

  it("draws bars proportional to their values from a common zero", () => {
    const svg = barChart(
      [
        { label: "Healthy", value: 300, shown: "$300" },
        { label: "At-Risk", value: 150, shown: "$150" },
        { label: "Critical", value: 0, shown: "$0" },
      ],
      "ARR by health",
    );
    const [healthy, atRisk, critical] = bars(svg);
    expect(healthy!.x).toBe(atRisk!.x);
    expect(healthy!.width).toBeCloseTo(atRisk!.width * 2, 0);
    expect(critical!.width).toBe(0);
    expect(svg).toContain('aria-label="ARR by health"');
    expect(svg).not.toContain("zero-line");
  });

  it("draws a negative value to the left of the zero line", () => {
    const svg = barChart(
      [
        { label: "Up", value: 100, shown: "+100" },
        { label: "Down", value: -50, shown: "-50" },
      ],
      "Changes",
    );
    const [up, down] = bars(svg);
    expect(down!.x + down!.width).toBeCloseTo(up!.x, 5);
    expect(up!.width).toBeCloseTo(down!.width * 2, 0);
    expect(svg).toContain("zero-line");
  });

  it("says there is no data on an empty chart, and draws one bar across the plot", () => {
    expect(barChart([], "Nothing")).toContain("No data yet");
    const [only] = bars(barChart([{ label: "One", value: 7, shown: "7" }], "One", 560));
    expect(only!.width).toBeCloseTo(560 - 120 - 110, 5);
  });

  it("escapes labels, so a name cannot inject markup", () => {
    const svg = barChart([{ label: '<script>"x"</script>', value: 1, shown: "1" }], "A & B");
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&lt;script&gt;&quot;x&quot;&lt;/script&gt;");
    expect(escapeText("A & B")).toBe("A &amp; B");
  });
});
