/**
 * The console's one stylesheet, served from /app/assets/ under a name that changes with its content (cached for a
 * year). System fonts only: no web font from another host. Readable from 375 px; the print rules drop the navigation.
 */
export const CONSOLE_CSS = `
:root { --ink: #1d2430; --muted: #5b6576; --line: #d9dee7; --bg: #f6f7f9; --card: #fff; --accent: #1f5fbf;
  --healthy: #1f7a4d; --at-risk: #a86400; --critical: #b3261e; --none: #7a8291; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 8px; top: 8px; background: var(--card); padding: 6px 10px; z-index: 1; }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 12px 24px; padding: 12px 20px; background: var(--ink); color: #fff; }
header.top a { color: #fff; text-decoration: none; }
header.top nav { display: flex; gap: 16px; flex-wrap: wrap; }
header.top .who { margin-left: auto; display: flex; align-items: center; gap: 10px; font-size: 14px; }
header.top button { font: inherit; background: none; border: 1px solid #fff8; color: #fff; border-radius: 4px; padding: 2px 10px; cursor: pointer; }
main { max-width: 1200px; margin: 0 auto; padding: 20px; }
h1 { font-size: 24px; margin: 0 0 4px; }
.as-of { color: var(--muted); margin: 0 0 16px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 12px; margin-bottom: 20px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card dt { color: var(--muted); font-size: 13px; }
.card dd { margin: 4px 0 0; font-size: 22px; font-weight: 600; }
.panels { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 16px; }
section.panel { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px; }
section.panel h2 { font-size: 16px; margin: 0 0 10px; }
svg.chart { width: 100%; height: auto; display: block; }
.chart-label, .chart-value { font-size: 13px; fill: var(--ink); }
.bar { fill: var(--accent); }
.bar.healthy { fill: var(--healthy); } .bar.at-risk { fill: var(--at-risk); } .bar.critical { fill: var(--critical); }
.zero-line { stroke: var(--muted); }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
.bucket { font-weight: 600; } .bucket.healthy { color: var(--healthy); } .bucket.at-risk { color: var(--at-risk); } .bucket.critical { color: var(--critical); }
.empty { color: var(--muted); }
form.login { max-width: 420px; margin: 40px auto; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 20px; }
form.login label { display: block; font-weight: 600; margin-bottom: 6px; }
form.login input { width: 100%; font: inherit; padding: 8px; border: 1px solid var(--muted); border-radius: 4px; }
form.login button { margin-top: 14px; font: inherit; padding: 8px 16px; background: var(--accent); color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
.error { color: var(--critical); font-weight: 600; }
form.filters { display: flex; flex-wrap: wrap; gap: 10px 14px; align-items: flex-end; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px; margin-bottom: 14px; }
form.filters label { display: flex; flex-direction: column; font-size: 13px; color: var(--muted); gap: 3px; }
form.filters input, form.filters select { font: inherit; color: var(--ink); padding: 5px 6px; border: 1px solid var(--muted); border-radius: 4px; min-width: 0; }
form.filters button { font: inherit; padding: 6px 14px; background: var(--accent); color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
.table-scroll { overflow-x: auto; position: relative; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.actions { display: flex; flex-wrap: wrap; gap: 6px 8px; align-items: center; }
.actions form { margin: 0; }
button.action { font: inherit; font-size: 14px; padding: 4px 10px; background: var(--card); color: var(--accent); border: 1px solid var(--accent); border-radius: 4px; cursor: pointer; }
button.action.danger { color: var(--critical); border-color: var(--critical); }
.state { font-weight: 600; } .state.good { color: var(--healthy); } .state.waiting { color: var(--at-risk); } .state.bad { color: var(--critical); }
td.url, dd.url { overflow-wrap: anywhere; } td.url { min-width: 14em; }
form.webhook { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px; margin: 14px 0; display: grid; gap: 12px; max-width: 640px; }
form.webhook h2 { font-size: 16px; margin: 0; }
form.webhook label.field { display: grid; gap: 3px; font-weight: 600; }
form.webhook input[type=text], form.webhook input[type=url] { font: inherit; padding: 6px 8px; border: 1px solid var(--muted); border-radius: 4px; width: 100%; }
form.webhook fieldset { border: 1px solid var(--line); border-radius: 4px; margin: 0; padding: 8px 12px; }
form.webhook legend { font-weight: 600; }
form.webhook .choice { display: flex; gap: 8px; align-items: center; padding: 2px 0; }
form.webhook .hint { color: var(--muted); font-size: 13px; margin: 0; font-weight: 400; }
form.webhook button[type=submit] { justify-self: start; font: inherit; padding: 8px 16px; background: var(--accent); color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
input[type=checkbox]:focus-visible, select:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.error-summary { border: 3px solid var(--critical); border-radius: 6px; padding: 10px 14px; background: var(--card); margin: 12px 0; }
.error-summary h2 { font-size: 16px; margin: 0 0 6px; color: var(--critical); }
.secret-box { border: 3px solid var(--at-risk); border-radius: 8px; background: var(--card); padding: 14px; margin: 14px 0; }
.secret-box h2 { font-size: 16px; margin: 0 0 6px; }
.secret-box code { display: block; font-size: 15px; padding: 8px; background: var(--bg); border: 1px solid var(--line); border-radius: 4px; word-break: break-all; }
dl.settings { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 0 0 14px; }
dl.settings dt { color: var(--muted); } dl.settings dd { margin: 0; }
@media (max-width: 480px) { dl.settings { grid-template-columns: 1fr; } dl.settings dd { margin-bottom: 6px; } }
caption { text-align: left; font-weight: 600; padding: 6px 0; }
button.primary { font: inherit; padding: 8px 18px; background: var(--accent); color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
button:disabled { opacity: 0.6; cursor: default; }
#report > * + *, #loading > * + * { margin-top: 14px; }
p.progress { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 12px; }
p.progress label { min-width: 80px; }
p.progress progress { flex: 1 1 200px; max-width: 100%; height: 14px; }
input[type="file"] { max-width: 100%; }
nav.pager { display: flex; gap: 16px; margin: 14px 0; }
section.panel.wide { grid-column: 1 / -1; }
section.panel h3, h2.section { font-size: 15px; margin: 18px 0 8px; }
section.panel h3 { margin-top: 0; }
.crumbs { margin: 0 0 6px; font-size: 14px; }
.notice { background: var(--card); border: 1px solid var(--healthy); border-left-width: 6px; border-radius: 4px; padding: 10px 12px; }
.notice.stale { border-color: var(--at-risk); }
.axis { stroke: var(--line); }
.layer { opacity: .85; }
.c0 { fill: #3a6fb0; background: #3a6fb0; } .c1 { fill: #5aa469; background: #5aa469; } .c2 { fill: #d08c2f; background: #d08c2f; }
.c3 { fill: #8c5ab0; background: #8c5ab0; } .c4 { fill: #3aa0a8; background: #3aa0a8; } .c5 { fill: #b05a7a; background: #b05a7a; }
.c6 { fill: #7a8a3a; background: #7a8a3a; } .c7 { fill: #5a6ab0; background: #5a6ab0; } .c8 { fill: #b0805a; background: #b0805a; }
.c9 { fill: #4a8a6a; background: #4a8a6a; } .c10 { fill: #9a4a4a; background: #9a4a4a; } .c11 { fill: #6a6a6a; background: #6a6a6a; }
.score-line, .metric-line { fill: none; stroke: var(--ink); stroke-width: 2; }
.metric-line { stroke: var(--accent); }
.score-point { fill: var(--ink); }
.marker { stroke: var(--critical); stroke-width: 2; stroke-dasharray: 5 4; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; list-style: none; padding: 0; margin: 8px 0 0; font-size: 13px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.bar-swatch.healthy { background: var(--healthy); } .bar-swatch.at-risk { background: var(--at-risk); } .bar-swatch.critical { background: var(--critical); }
.marker-swatch { border-top: 2px dashed var(--critical); height: 0; border-radius: 0; }
svg.sparkline { width: 96px; height: 24px; display: block; }
dl.basis { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 0; font-size: 14px; }
dl.basis dt { color: var(--muted); } dl.basis dd { margin: 0; }
main > section.panel { margin-bottom: 16px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 0 0 12px; }
dl.facts div { display: contents; } dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
td.stay { color: var(--muted); }
table.components td.number, table.moves td { white-space: nowrap; }
.hint { display: block; color: var(--muted); font-size: 13px; font-weight: normal; }
.error-summary a { color: var(--critical); font-weight: 600; }
.field-error { display: block; color: var(--critical); font-weight: 600; font-size: 13px; }
ul.warnings { color: var(--at-risk); }
form.draft .fields { display: flex; flex-wrap: wrap; gap: 10px 16px; }
form.draft .field { display: flex; flex-direction: column; gap: 3px; font-size: 14px; }
form.draft input[type="text"] { font: inherit; color: var(--ink); padding: 5px 6px; border: 1px solid var(--muted); border-radius: 4px; width: 7em; }
form.draft input[name="name"] { width: 16em; max-width: 100%; }
form.draft input[aria-invalid="true"] { border: 2px solid var(--critical); }
form.draft button, form.confirm button, a.button { display: inline-block; font: inherit; margin-top: 14px; padding: 8px 16px; background: var(--accent); color: #fff; border: 0; border-radius: 4px; cursor: pointer; text-decoration: none; }
form.confirm { display: flex; flex-wrap: wrap; align-items: baseline; gap: 16px; }
.table-scroll:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
@media (max-width: 480px) { main { padding: 12px; } .card dd { font-size: 19px; } }
@media print { header.top, .skip { display: none; } body { background: #fff; } .card, section.panel { break-inside: avoid; border-color: #999; } }
`;

/** A 53-bit FNV-style hash of an asset (the stylesheet, a page's script), so its URL changes with its content and it can be cached for a year. */
export function contentTag(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (let index = 0; index < text.length; index++) {
    hash = BigInt.asUintN(64, (hash ^ BigInt(text.charCodeAt(index))) * 0x100000001b3n);
  }
  return hash.toString(16).slice(0, 12);
}

export const CONSOLE_STYLESHEET = `/app/assets/console-${contentTag(CONSOLE_CSS)}.css`;
