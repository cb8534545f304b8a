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

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
