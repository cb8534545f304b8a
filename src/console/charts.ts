/**
 * Charts as SVG markup, drawn on the server from the data: pure functions over plain numbers, so a page needs no
 * chart library and no script, and the tests check the geometry. Text is escaped; sizes are in SVG user units.
 */

export interface Bar {
  label: string;
  value: number;
  /** A CSS class of the bar (its colour comes from the stylesheet: the CSP allows no inline style). */
  tone?: string;
  /** The value as shown beside the bar. */
  shown: string;
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeText(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

/** Where `value` falls on a scale from `min` to `max` mapped onto 0 … `length`; a degenerate scale maps to 0. */
export function scale(value: number, min: number, max: number, length: number): number {
  if (!Number.isFinite(value) || max === min) return 0;
  return ((value - min) / (max - min)) * length;
}

const LABEL_WIDTH = 120;
const VALUE_WIDTH = 110;
const ROW_HEIGHT = 28;
const BAR_HEIGHT = 18;

/**
 * Horizontal bars, one per row: the label, the bar and the shown value. Bars start at zero, so a negative value draws
 * to the left of the zero line (the scale spans the smallest and largest of 0 and the values).
 */
export function barChart(bars: readonly Bar[], title: string, width = 560): string {
  const plot = width - LABEL_WIDTH - VALUE_WIDTH;
  const height = Math.max(1, bars.length) * ROW_HEIGHT;
  const low = Math.min(0, ...bars.map((bar) => bar.value));
  const high = Math.max(0, ...bars.map((bar) => bar.value));
  const zero = LABEL_WIDTH + scale(0, low, high, plot);
  const rows = bars.map((bar, index) => {
    const y = index * ROW_HEIGHT;
    const end = LABEL_WIDTH + scale(bar.value, low, high, plot);
    const [x, length] = end >= zero ? [zero, end - zero] : [end, zero - end];
    return (
      `<text x="${LABEL_WIDTH - 8}" y="${y + ROW_HEIGHT / 2}" class="chart-label" text-anchor="end" dominant-baseline="middle">${escapeText(bar.label)}</text>` +
      `<rect x="${round(x)}" y="${y + (ROW_HEIGHT - BAR_HEIGHT) / 2}" width="${round(length)}" height="${BAR_HEIGHT}" class="bar ${escapeText(bar.tone ?? "")}"><title>${escapeText(`${bar.label}: ${bar.shown}`)}</title></rect>` +
      `<text x="${width - VALUE_WIDTH + 8}" y="${y + ROW_HEIGHT / 2}" class="chart-value" dominant-baseline="middle">${escapeText(bar.shown)}</text>`
    );
  });
  const empty = bars.length === 0 ? `<text x="${width / 2}" y="${ROW_HEIGHT / 2}" text-anchor="middle" class="chart-label">No data yet</text>` : "";
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeText(title)}" class="chart">` +
    `<title>${escapeText(title)}</title>${rows.join("")}${empty}` +
    (bars.length > 0 && low < 0 ? `<line x1="${round(zero)}" x2="${round(zero)}" y1="0" y2="${height}" class="zero-line"/>` : "") +
    `</svg>`
  );
}

/** Coordinates are whole user units: a pixel's precision is enough, and writing a fraction costs a page several times more. */
function round(value: number): number {
  return Math.round(value);
}

/** Days from 1970-01-01 of an ISO date (YYYY-MM-DD), to place dates on a time axis. */
export function dayNumber(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
}

/** A point of a time series: null where the series has no value that day (the line breaks there). */
export interface DatedValue {
  date: string;
  value: number | null;
}

/** A layer of a stacked chart: its values by the chart's dates. */
export interface StackedLayer {
  label: string;
  /** A CSS class of the layer's fill. */
  tone: string;
  values: readonly (number | null)[];
}

export interface ScoreHistory {
  /** The scored dates, ascending. */
  dates: readonly string[];
  scores: readonly number[];
  /** The score's components by date; each date's layers are scaled so they stack up to that date's score. */
  layers: readonly StackedLayer[];
  /** Dates to mark with a vertical line (a health model activated). */
  markers: readonly { date: string; label: string }[];
}

const PLOT_LEFT = 40;
const PLOT_TOP = 10;
const PLOT_BOTTOM = 24;

/** The path through `points`, broken where a value is missing. */
function brokenPath(points: readonly ({ x: number; y: number } | null)[]): string {
  let path = "";
  let drawing = false;
  for (const point of points) {
    if (point === null) {
      drawing = false;
      continue;
    }
    path += `${drawing ? "L" : "M"}${round(point.x)} ${round(point.y)}`;
    drawing = true;
  }
  return path;
}

/** The frame of a time chart: its y labels at the bottom and top of the scale, its first and last dates. */
function timeFrame(width: number, height: number, yLabels: [string, string], dates: [string, string]): string {
  const bottom = height - PLOT_BOTTOM;
  return (
    `<line x1="${PLOT_LEFT}" x2="${width}" y1="${bottom}" y2="${bottom}" class="axis"/>` +
    `<text x="${PLOT_LEFT - 6}" y="${bottom}" text-anchor="end" class="chart-label">${escapeText(yLabels[0])}</text>` +
    `<text x="${PLOT_LEFT - 6}" y="${PLOT_TOP + 10}" text-anchor="end" class="chart-label">${escapeText(yLabels[1])}</text>` +
    `<text x="${PLOT_LEFT}" y="${height - 6}" class="chart-label">${escapeText(dates[0])}</text>` +
    `<text x="${width}" y="${height - 6}" text-anchor="end" class="chart-label">${escapeText(dates[1])}</text>`
  );
}

function svgOpen(width: number, height: number, title: string, className = "chart"): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeText(title)}" class="${className}">` +
    `<title>${escapeText(title)}</title>`
  );
}

function noData(width: number, height: number, title: string): string {
  return `${svgOpen(width, height, title)}<text x="${width / 2}" y="${height / 2}" text-anchor="middle" class="chart-label">No data yet</text></svg>`;
}

/**
 * An account's score history on a 0-100 scale: its components stacked as areas (each date's components scaled so they
 * add up to that date's score, as a score is scaled when a component has no data), the score as a line with one point
 * per scored date, and a dashed line at each marker within the dates.
 */
export function scoreHistoryChart(history: ScoreHistory, title: string, width = 720, height = 240): string {
  const { dates, scores } = history;
  if (dates.length === 0) return noData(width, height, title);
  const first = dayNumber(dates[0]!);
  const last = dayNumber(dates.at(-1)!);
  const plotWidth = width - PLOT_LEFT;
  const plotHeight = height - PLOT_TOP - PLOT_BOTTOM;
  // One date alone sits in the middle of the plot.
  const x = (date: string) => PLOT_LEFT + (first === last ? plotWidth / 2 : scale(dayNumber(date), first, last, plotWidth));
  const y = (value: number) => PLOT_TOP + plotHeight - scale(Math.min(100, Math.max(0, value)), 0, 100, plotHeight);

  // Each date's x once: the areas, the line and the points all place the same dates.
  const xs = dates.map((date) => round(x(date)));
  const totals = dates.map((_, index) => history.layers.reduce((sum, layer) => sum + (layer.values[index] ?? 0), 0));
  const below = dates.map(() => 0);
  const areas = history.layers.map((layer) => {
    const lower = below.map((value, index) => `${xs[index]} ${round(y(value))}`).reverse();
    const upper = dates.map((_, index) => {
      const factor = totals[index]! > 0 ? scores[index]! / totals[index]! : 0;
      below[index] = below[index]! + (layer.values[index] ?? 0) * factor;
      return `${xs[index]} ${round(y(below[index]!))}`;
    });
    return `<path d="M${upper.join("L")}L${lower.join("L")}Z" class="layer ${escapeText(layer.tone)}"><title>${escapeText(layer.label)}</title></path>`;
  });
  const ys = scores.map((score) => round(y(score)));
  const line = `<path d="${dates.map((_, index) => `${index === 0 ? "M" : "L"}${xs[index]} ${ys[index]}`).join("")}" class="score-line"/>`;
  const points = dates.map(
    (date, index) =>
      `<circle cx="${xs[index]}" cy="${ys[index]}" r="2.5" class="score-point"><title>${date}: ${scores[index]!.toFixed(1)}</title></circle>`,
  );
  const markers = history.markers
    .filter((marker) => dayNumber(marker.date) >= first && dayNumber(marker.date) <= last)
    .map(
      (marker) =>
        `<line x1="${round(x(marker.date))}" x2="${round(x(marker.date))}" y1="${PLOT_TOP}" y2="${height - PLOT_BOTTOM}" class="marker"><title>${escapeText(`${marker.date}: ${marker.label}`)}</title></line>`,
    );
  return (
    svgOpen(width, height, title) +
    timeFrame(width, height, ["0", "100"], [dates[0]!, dates.at(-1)!]) +
    areas.join("") +
    line +
    points.join("") +
    markers.join("") +
    `</svg>`
  );
}

/** The smallest and largest values of a series, widened to a unit when they are equal, so a flat line sits mid-plot. */
function valueRange(values: readonly number[], fixed?: { min: number; max: number }): { min: number; max: number } {
  if (fixed) return fixed;
  const min = Math.min(...values);
  const max = Math.max(...values);
  return min === max ? { min: min - 1, max: max + 1 } : { min, max };
}

/**
 * A time series as a line, broken where a day has no value, on its own range (or `range` when given, e.g. 0-1 for a
 * rate); `format` writes the range's ends beside the axis.
 */
export function lineChart(
  series: readonly DatedValue[],
  title: string,
  options: { range?: { min: number; max: number }; format?: (value: number) => string; width?: number; height?: number } = {},
): string {
  const width = options.width ?? 360;
  const height = options.height ?? 140;
  const known = series.filter((point): point is { date: string; value: number } => point.value !== null);
  if (known.length === 0) return noData(width, height, title);
  const format = options.format ?? ((value: number) => String(value));
  const { min, max } = valueRange(
    known.map((point) => point.value),
    options.range,
  );
  const first = dayNumber(series[0]!.date);
  const last = dayNumber(series.at(-1)!.date);
  const plotWidth = width - PLOT_LEFT;
  const plotHeight = height - PLOT_TOP - PLOT_BOTTOM;
  const x = (date: string) => PLOT_LEFT + (first === last ? plotWidth / 2 : scale(dayNumber(date), first, last, plotWidth));
  const y = (value: number) => PLOT_TOP + plotHeight - scale(value, min, max, plotHeight);
  const path = brokenPath(series.map((point) => (point.value === null ? null : { x: x(point.date), y: y(point.value) })));
  // A lone value (no neighbour to draw a line to) still shows, as a dot.
  const dots = series
    .filter((point, index) => point.value !== null && series[index - 1]?.value == null && series[index + 1]?.value == null)
    .map((point) => `<circle cx="${round(x(point.date))}" cy="${round(y(point.value!))}" r="2.5" class="score-point"/>`);
  return (
    svgOpen(width, height, title) +
    timeFrame(width, height, [format(min), format(max)], [series[0]!.date, series.at(-1)!.date]) +
    `<path d="${path}" class="metric-line"/>` +
    dots.join("") +
    `</svg>`
  );
}

/** A score's recent course as a small line on 0-100, without axes: for a row of a table. */
export function sparkline(values: readonly (number | null)[], title: string, width = 96, height = 24): string {
  if (values.every((value) => value === null)) return "";
  const x = (index: number) => (values.length === 1 ? width / 2 : scale(index, 0, values.length - 1, width - 4) + 2);
  const y = (value: number) => height - 2 - scale(value, 0, 100, height - 4);
  const path = brokenPath(values.map((value, index) => (value === null ? null : { x: x(index), y: y(value) })));
  const lastIndex = values.findLastIndex((value) => value !== null);
  return (
    svgOpen(width, height, title, "sparkline") +
    `<path d="${path}" class="metric-line"/>` +
    `<circle cx="${round(x(lastIndex))}" cy="${round(y(values[lastIndex]!))}" r="2" class="score-point"/></svg>`
  );
}

/** A column of a stacked column chart: its parts bottom up. */
export interface StackedColumn {
  label: string;
  parts: readonly { label: string; tone: string; value: number; shown: string }[];
}

/**
 * Columns of stacked parts (e.g. accounts per bucket per week) on a scale from 0 to the tallest column; `format` writes
 * the scale's top beside the axis. Negative parts count as 0.
 */
export function stackedColumnChart(columns: readonly StackedColumn[], title: string, format: (value: number) => string, width = 720, height = 220): string {
  const totals = columns.map((column) => column.parts.reduce((sum, part) => sum + Math.max(0, part.value), 0));
  const top = Math.max(0, ...totals);
  if (columns.length === 0 || top === 0) return noData(width, height, title);
  const plotWidth = width - PLOT_LEFT;
  const plotHeight = height - PLOT_TOP - PLOT_BOTTOM;
  const slot = plotWidth / columns.length;
  const barWidth = Math.max(1, slot * 0.7);
  const rects = columns.flatMap((column, index) => {
    let base = 0;
    const x = PLOT_LEFT + index * slot + (slot - barWidth) / 2;
    return column.parts.map((part) => {
      const value = Math.max(0, part.value);
      const y0 = PLOT_TOP + plotHeight - scale(base + value, 0, top, plotHeight);
      const length = scale(value, 0, top, plotHeight);
      base += value;
      return `<rect x="${round(x)}" y="${round(y0)}" width="${round(barWidth)}" height="${round(length)}" class="bar ${escapeText(part.tone)}"><title>${escapeText(`${column.label} · ${part.label}: ${part.shown}`)}</title></rect>`;
    });
  });
  return (
    svgOpen(width, height, title) +
    timeFrame(width, height, ["0", format(top)], [columns[0]!.label, columns.at(-1)!.label]) +
    rects.join("") +
    `</svg>`
  );
}
