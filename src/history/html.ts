import { formatDuration, formatUsd } from '../runs/summary.js';
import type { Aggregates } from './aggregate.js';

/**
 * The dashboard: one self-contained HTML file. Charts are inline SVG drawn here (no charting
 * library, no CDN); the drill-down is a few lines of inline JS over embedded JSON. A
 * Content-Security-Policy of `default-src 'none'` makes the browser refuse any request the
 * page might try, so opening it from a file never touches the network.
 */
const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
const num = (value: number) => value.toLocaleString('en-US');

/** A safe href: only http(s) links to where the run lives. */
const safeUrl = (url: string | undefined): string | undefined => (url && /^https?:\/\//.test(url) ? url : undefined);

function barChart(
  id: string,
  title: string,
  bars: Array<{ label: string; value: number; text: string }>,
  color: string,
): string {
  const width = 560;
  const rowHeight = 22;
  const max = Math.max(1e-12, ...bars.map((bar) => bar.value));
  const rows = bars
    .map((bar, index) => {
      const y = index * rowHeight;
      const barWidth = Math.max(1, (bar.value / max) * 300);
      return `<g data-label="${escapeHtml(bar.label)}" data-value="${bar.value}"><text x="0" y="${y + 15}" class="label">${escapeHtml(bar.label.slice(0, 28))}</text><rect x="180" y="${y + 4}" width="${barWidth.toFixed(1)}" height="14" fill="${color}"><title>${escapeHtml(bar.label)}: ${escapeHtml(bar.text)}</title></rect><text x="${(186 + barWidth).toFixed(1)}" y="${y + 15}" class="value">${escapeHtml(bar.text)}</text></g>`;
    })
    .join('');
  return `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption><svg id="${id}" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} ${Math.max(rowHeight, bars.length * rowHeight)}" width="${width}" height="${Math.max(rowHeight, bars.length * rowHeight)}">${rows}</svg></figure>`;
}

function hourChart(data: Aggregates): string {
  const width = 1000;
  const height = 160;
  const max = Math.max(1, ...data.perHour.map((hour) => hour.runs));
  const step = width / Math.max(1, data.perHour.length);
  const bars = data.perHour
    .map((hour, index) => {
      const h = (hour.runs / max) * (height - 20);
      const f = (hour.failures / max) * (height - 20);
      const x = (index * step).toFixed(2);
      return `<g data-hour="${hour.hour}" data-runs="${hour.runs}" data-failures="${hour.failures}"><rect x="${x}" y="${(height - h).toFixed(1)}" width="${Math.max(1, step - 1).toFixed(2)}" height="${h.toFixed(1)}" fill="#4c78a8"><title>${hour.hour}:00 UTC — ${hour.runs} runs, ${hour.failures} failed</title></rect>${hour.failures > 0 ? `<rect x="${x}" y="${(height - f).toFixed(1)}" width="${Math.max(1, step - 1).toFixed(2)}" height="${f.toFixed(1)}" fill="#e45756"/>` : ''}</g>`;
    })
    .join('');
  const first = data.perHour[0]?.hour ?? '';
  const last = data.perHour.at(-1)?.hour ?? '';
  return `<figure class="chart wide"><figcaption>Runs per hour (UTC, ${escapeHtml(first)}:00 → ${escapeHtml(last)}:00; red = failed; peak ${max})</figcaption><svg id="chart-runs-per-hour" role="img" aria-label="Runs per hour" viewBox="0 0 ${width} ${height}" width="100%" height="${height}" preserveAspectRatio="none">${bars}</svg></figure>`;
}

function tile(id: string, label: string, value: string): string {
  return `<div class="tile"><div class="tile-label">${escapeHtml(label)}</div><div class="tile-value" data-testid="${id}">${escapeHtml(value)}</div></div>`;
}

/** One row per automation for the Automations table. */
function automationRows(data: Aggregates): string {
  return data.automations
    .map(
      (a) =>
        `<tr data-automation="${escapeHtml(a.name)}"><td>${escapeHtml(a.name)}</td><td class="n">${num(a.runs)}</td><td class="n" data-col="error-rate">${pct(a.errorRate)}</td><td class="n" data-col="p50">${escapeHtml(formatDuration(a.p50Ms))}</td><td class="n" data-col="p95">${escapeHtml(formatDuration(a.p95Ms))}</td><td class="n" data-col="cost">${escapeHtml(formatUsd(a.costUsd))}</td><td class="n">${num(a.inputTokens)} / ${num(a.outputTokens)}</td><td class="n" data-col="human">${num(a.humanRuns)}</td></tr>`,
    )
    .join('');
}

/** One row per model for the Models table. */
function modelRows(data: Aggregates): string {
  return data.models
    .map(
      (m) =>
        `<tr data-model="${escapeHtml(m.model)}"><td>${escapeHtml(m.model)}</td><td class="n">${num(m.calls)}</td><td class="n" data-col="cost">${escapeHtml(formatUsd(m.costUsd))}</td><td class="n">${num(m.inputTokens)}</td><td class="n">${num(m.outputTokens)}</td><td class="n">${num(m.cacheReadTokens)}</td></tr>`,
    )
    .join('');
}

/** One row per recent failure; the run id links to GitHub only when the URL is safe. */
function failureRows(data: Aggregates): string {
  return data.recentFailures
    .map((run) => {
      const href = safeUrl(run.url);
      const id = href
        ? `<a href="${escapeHtml(href)}" rel="noreferrer">${escapeHtml(run.runId)}</a>`
        : escapeHtml(run.runId);
      return `<tr data-failure="${escapeHtml(run.runId)}"><td>${escapeHtml(run.startedAt.replace('T', ' ').slice(0, 16))}</td><td>${escapeHtml(run.name)}</td><td>${id}</td><td class="err">${escapeHtml(run.error ?? run.status)}</td></tr>`;
    })
    .join('');
}

/** The summary tiles, in page order. */
function tiles(data: Aggregates): string {
  const errorRate = data.runs > 0 ? data.failures / data.runs : 0;
  return `${tile('total-runs', 'Runs', num(data.runs))}${tile('error-rate', 'Error rate', pct(errorRate))}${tile('p50', 'p50 duration', formatDuration(data.p50Ms))}${tile('p95', 'p95 duration', formatDuration(data.p95Ms))}${tile('cost', 'Cost', formatUsd(data.costUsd))}${tile('tokens', 'Tokens in / out', `${num(data.inputTokens)} / ${num(data.outputTokens)}`)}${tile('human-runs', 'Needed a human', num(data.humanRuns))}`;
}

type AutomationFigures = Aggregates['automations'][number];
type AutomationChart = [
  id: string,
  title: string,
  color: string,
  value: (a: AutomationFigures) => number,
  text: (a: AutomationFigures) => string,
];

const errorRateText = (a: AutomationFigures): string => `${pct(a.errorRate)} of ${num(a.runs)}`;

/** The per-automation charts before the per-model one, and the human-runs chart after it. */
const AUTOMATION_CHARTS: AutomationChart[] = [
  ['chart-error-rate', 'Error rate by automation', '#e45756', (a) => a.errorRate, errorRateText],
  ['chart-p95', 'p95 duration by automation', '#72b7b2', (a) => a.p95Ms, (a) => formatDuration(a.p95Ms)],
  ['chart-cost-automation', 'Cost by automation', '#f58518', (a) => a.costUsd, (a) => formatUsd(a.costUsd)],
];
const HUMAN_CHART: AutomationChart = [
  'chart-human',
  'Runs that needed a human',
  '#b279a2',
  (a) => a.humanRuns,
  (a) => num(a.humanRuns),
];

/** The per-automation and per-model bar charts, one per line. */
function barCharts(data: Aggregates): string {
  const perAutomation = ([id, title, color, value, text]: AutomationChart): string =>
    barChart(
      id,
      title,
      data.automations.map((a) => ({ label: a.name, value: value(a), text: text(a) })),
      color,
    );
  const costByModel = data.models.map((m) => ({ label: m.model, value: m.costUsd, text: formatUsd(m.costUsd) }));
  return [
    ...AUTOMATION_CHARTS.map(perAutomation),
    barChart('chart-cost-model', 'Cost by model', costByModel, '#54a24b'),
    perAutomation(HUMAN_CHART),
  ].join('\n');
}

export function renderDashboardHtml(data: Aggregates, title = 'autostack runs'): string {
  // JSON inside <script>: `<` escaped so no text of a record can close the element.
  const embedded = JSON.stringify({ recent: data.recent })
    .replace(/</g, '\\u003c')
    .replace(/\u2028|\u2029/g, '');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#1f2328;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}.sub{color:#59636e;margin-bottom:16px}
.tiles{display:flex;flex-wrap:wrap;gap:12px}.tile{border:1px solid #d1d9e0;border-radius:8px;padding:10px 14px;min-width:130px}
.tile-label{color:#59636e;font-size:12px}.tile-value{font-size:22px;font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:24px}.chart{margin:0}.chart.wide{width:100%}figcaption{font-weight:600;margin-bottom:6px}
svg .label{font-size:12px;fill:#1f2328}svg .value{font-size:11px;fill:#59636e}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d1d9e0;padding:4px 8px;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.err{color:#b42318;max-width:600px;word-break:break-word}
#drill select{font:inherit;padding:4px;max-width:100%}#timeline text{font-size:11px}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<div class="sub">${num(data.runs)} runs${data.firstAt ? `, ${escapeHtml(data.firstAt.slice(0, 10))} → ${escapeHtml((data.lastAt ?? '').slice(0, 10))}` : ''}; generated ${escapeHtml(data.generatedAt.replace('T', ' ').slice(0, 16))} UTC${data.unreadable ? `; ${data.unreadable} unreadable record file(s) skipped` : ''}</div>
<div class="tiles">
${tiles(data)}
</div>
${hourChart(data)}
<div class="charts">
${barCharts(data)}
</div>
<h2>Automations</h2>
<table id="automations"><thead><tr><th>Automation</th><th class="n">Runs</th><th class="n">Error rate</th><th class="n">p50</th><th class="n">p95</th><th class="n">Cost</th><th class="n">Tokens in / out</th><th class="n">Needed a human</th></tr></thead><tbody>${automationRows(data)}</tbody></table>
<h2>Models</h2>
<table id="models"><thead><tr><th>Model</th><th class="n">Calls</th><th class="n">Cost</th><th class="n">Input tokens</th><th class="n">Output tokens</th><th class="n">Cache read</th></tr></thead><tbody>${modelRows(data)}</tbody></table>
<h2>Recent failures</h2>
<table id="failures"><thead><tr><th>Started (UTC)</th><th>Automation</th><th>Run</th><th>Error</th></tr></thead><tbody>${failureRows(data) || '<tr><td colspan="4">No failures.</td></tr>'}</tbody></table>
<h2>Run drill-down (newest ${data.recent.length})</h2>
<div id="drill"><select id="run-select" aria-label="Run"></select><div id="run-detail"></div><svg id="timeline" width="1000" height="40"></svg></div>
<script id="data" type="application/json">${embedded}</script>
<script>${DRILL_DOWN_SCRIPT}</script>
</body></html>
`;
}

/** Runs in the page: fills the run picker and draws the chosen run's step timeline. */
const DRILL_DOWN_SCRIPT = `
(function(){
  var data = JSON.parse(document.getElementById('data').textContent);
  var select = document.getElementById('run-select');
  var detail = document.getElementById('run-detail');
  var svg = document.getElementById('timeline');
  var NS = 'http://www.w3.org/2000/svg';
  var colors = {success:'#54a24b',failure:'#e45756',cancelled:'#9d9d9d',interrupted:'#f58518',skipped:'#bab0ac',running:'#4c78a8'};
  function fmt(ms){ return ms < 1000 ? Math.round(ms) + ' ms' : ms < 60000 ? (ms/1000).toFixed(1) + ' s' : Math.floor(ms/60000) + ' min ' + Math.round((ms%60000)/1000) + ' s'; }
  data.recent.forEach(function(run, i){
    var option = document.createElement('option');
    option.value = String(i);
    option.textContent = run.startedAt.replace('T',' ').slice(0,16) + '  ' + run.name + '  ' + run.status + '  ' + run.runId;
    select.appendChild(option);
  });
  function show(i){
    var run = data.recent[i];
    if (!run) { detail.textContent = 'No runs.'; return; }
    detail.textContent = '';
    var line = document.createElement('p');
    line.textContent = run.name + ' — ' + run.status + ', ' + fmt(run.durationMs) + ', $' + run.costUsd.toFixed(4) + (run.interventions.length ? '; human: ' + run.interventions.join('; ') : '') + (run.error ? '; error: ' + run.error : '');
    detail.appendChild(line);
    if (run.url && /^https?:\\/\\//.test(run.url)) { var a = document.createElement('a'); a.href = run.url; a.rel = 'noreferrer'; a.textContent = 'open on GitHub'; detail.appendChild(a); }
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var total = Math.max(1, run.durationMs, Math.max.apply(null, run.steps.map(function(s){ return s.offsetMs + s.durationMs; }).concat([1])));
    svg.setAttribute('height', String(Math.max(24, run.steps.length * 22)));
    run.steps.forEach(function(step, j){
      var g = document.createElementNS(NS, 'g');
      g.setAttribute('data-step', step.name); g.setAttribute('data-status', step.status);
      var label = document.createElementNS(NS, 'text'); label.setAttribute('x','0'); label.setAttribute('y', String(j*22+15)); label.textContent = step.name; g.appendChild(label);
      var rect = document.createElementNS(NS, 'rect');
      rect.setAttribute('x', String(200 + step.offsetMs / total * 700)); rect.setAttribute('y', String(j*22+4));
      rect.setAttribute('width', String(Math.max(2, step.durationMs / total * 700))); rect.setAttribute('height','14');
      rect.setAttribute('fill', colors[step.status] || '#4c78a8');
      var title = document.createElementNS(NS, 'title'); title.textContent = step.name + ': ' + step.status + ', ' + fmt(step.durationMs) + (step.error ? ' — ' + step.error : ''); rect.appendChild(title);
      g.appendChild(rect); svg.appendChild(g);
    });
  }
  select.addEventListener('change', function(){ show(Number(select.value)); });
  show(0);
})();
`;
