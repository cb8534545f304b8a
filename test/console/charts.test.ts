import { describe, expect, it } from "vitest";
import { barChart, escapeText, lineChart, scale, scoreHistoryChart, sparkline, stackedColumnChart } from "../../src/console/charts";

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

/** The numbers of an SVG path's commands, as [command, x, y]. */
function pathPoints(path: string): [string, number, number][] {
  return [...path.matchAll(/([ML])([\d.-]+) ([\d.-]+)/g)].map((match) => [match[1]!, Number(match[2]), Number(match[3])]);
}

describe("time charts (score history, metrics, sparklines)", () => {
  const history = {
    dates: ["2026-10-01", "2026-10-02", "2026-10-04"],
    scores: [80, 50, 20],
    layers: [
      { label: "DAU", tone: "c0", values: [40, 25, 10] },
      // No NPS on the last date: the others are scaled up to the score.
      { label: "NPS", tone: "c1", values: [40, 25, null] },
    ],
    markers: [
      { date: "2026-10-02", label: "model 1 → 2" },
      { date: "2026-09-01", label: "before the chart" },
    ],
  };

  it("draws one point per scored date, placed by date on a 0-100 scale", () => {
    const svg = scoreHistoryChart(history, "Score", 440, 234);
    const points = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((match) => [Number(match[1]), Number(match[2])]);
    expect(points).toHaveLength(3);
    // Plot: x from 40 to 440 over 3 days; y from 210 (0) up to 10 (100).
    expect(points.map(([x]) => x)).toEqual([40, 173, 440]);
    expect(points.map(([, y]) => y)).toEqual([50, 110, 170]);
    expect(svg).toContain("2026-10-04: 20.0");
  });

  it("stacks the components up to each date's score, and marks only the model changes within its dates", () => {
    const svg = scoreHistoryChart(history, "Score", 440, 234);
    const layers = [...svg.matchAll(/<path d="([^"]+)" class="layer/g)].map((match) => pathPoints(match[1]!));
    expect(layers).toHaveLength(2);
    // The top layer's upper edge is the score line.
    const scoreLine = pathPoints(/<path d="([^"]+)" class="score-line"/.exec(svg)![1]!);
    expect(layers[1]!.slice(0, 3).map(([, x, y]) => [x, y])).toEqual(scoreLine.map(([, x, y]) => [x, y]));
    // The first layer is half of each score while both have data, the whole score when NPS is missing.
    expect(layers[0]!.slice(0, 3).map(([, , y]) => y)).toEqual([130, 160, 170]);
    expect([...svg.matchAll(/class="marker"/g)]).toHaveLength(1);
    expect(svg).toContain("2026-10-02: model 1 → 2");
  });

  it("says there is no data on an empty history, and puts a single date in the middle", () => {
    expect(scoreHistoryChart({ dates: [], scores: [], layers: [], markers: [] }, "Score")).toContain("No data yet");
    const one = scoreHistoryChart({ dates: ["2026-10-01"], scores: [60], layers: [], markers: [] }, "Score", 440, 234);
    expect(one).toContain('<circle cx="240" cy="90"');
  });

  it("breaks a metric's line where a day has no value, and shows a lone value as a dot", () => {
    const series = [
      { date: "2026-10-01", value: -20 },
      { date: "2026-10-02", value: 40 },
      { date: "2026-10-03", value: null },
      { date: "2026-10-04", value: 10 },
    ];
    const svg = lineChart(series, "NPS", { range: { min: -100, max: 100 }, width: 340, height: 134 });
    const commands = pathPoints(/<path d="([^"]+)" class="metric-line"/.exec(svg)![1]!);
    expect(commands.map(([command]) => command)).toEqual(["M", "L", "M"]);
    // Negative values sit below the middle of a -100..100 scale: y 10 (100) … 110 (-100).
    expect(commands[0]![2]).toBe(70);
    expect([...svg.matchAll(/<circle/g)]).toHaveLength(1);
    expect(svg).toContain(">-100<");
    expect(lineChart([{ date: "2026-10-01", value: null }], "NPS")).toContain("No data yet");
  });

  it("draws a flat series mid-plot, and a sparkline of the known scores ending on a dot", () => {
    const flat = lineChart(
      [
        { date: "2026-10-01", value: 5 },
        { date: "2026-10-02", value: 5 },
      ],
      "Tickets",
      { width: 340, height: 134 },
    );
    expect(pathPoints(/<path d="([^"]+)" class="metric-line"/.exec(flat)![1]!).map(([, , y]) => y)).toEqual([60, 60]);
    const spark = sparkline([null, 50, 100], "Recent", 96, 24);
    expect(pathPoints(/<path d="([^"]+)"/.exec(spark)![1]!)).toEqual([
      ["M", 48, 12],
      ["L", 94, 2],
    ]);
    expect(sparkline([null, null], "Nothing")).toBe("");
  });
});

describe("stacked columns (the book's weekly health)", () => {
  const part = (label: string, value: number) => ({ label, tone: label.toLowerCase(), value, shown: String(value) });

  it("stacks each column's parts bottom up on a scale to the tallest column", () => {
    const svg = stackedColumnChart(
      [
        { label: "2026-10-01", parts: [part("Critical", 1), part("Healthy", 3)] },
        { label: "2026-10-08", parts: [part("Critical", 2), part("Healthy", 6)] },
      ],
      "Accounts",
      String,
      440,
      234,
    );
    const rects = [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)].map((match) => match.slice(1).map(Number));
    // Plot 200 high from y 10; the tallest column (8) fills it; columns 200 wide slots, bars 70 % of a slot.
    expect(rects).toEqual([
      [70, 185, 140, 25],
      [70, 110, 140, 75],
      [270, 160, 140, 50],
      [270, 10, 140, 150],
    ]);
    expect(svg).toContain(">8<");
  });

  it("says there is no data when every column is empty or there are none", () => {
    expect(stackedColumnChart([], "Accounts", String)).toContain("No data yet");
    expect(stackedColumnChart([{ label: "2026-10-01", parts: [part("Healthy", 0)] }], "Accounts", String)).toContain("No data yet");
  });
});
