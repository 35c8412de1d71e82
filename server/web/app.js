// Rockhound web page: a small single-page app over /api/v1 (no framework, no external assets).
// Pages: / (fleet overview: root causes, next actions, filters; cards on small screens),
// /clusters/<id> (metric values with thresholds, banded charts, score history, folded alerts),
// /reports (list + filters), /reports/<id> (with the chart of the metric its evidence cites),
// /investigate (request form), /investigations/<task_id> (progress, live over Server-Sent
// Events, polled when the stream is not available), /issues (alert
// issues, open first, escalated highlighted) and /issues/<id> (alert timeline, history, linked
// reports, triage and disposition steps).
// Everything the server sends is inserted as text (never as HTML).
'use strict';

const TOKEN_KEY = 'rockhound-token';
const POLL_MS = 2000;
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
const CATEGORIES = ['disk_capacity', 'compaction_backlog', 'memory_pressure', 'cpu_saturation',
  'slow_queries', 'query_errors', 'node_failure', 'operation_induced', 'ingestion_failure',
  'known_bug', 'account_wide', 'alert_noise', 'insufficient_data', 'healthy'];

let pollTimer = null;
let renderGeneration = 0;

// ---- small DOM helpers ----------------------------------------------------------------------

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function svg(tag, attrs) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [key, value] of Object.entries(attrs || {})) el.setAttribute(key, String(value));
  return el;
}

function link(href, ...children) {
  return h('a', { href, 'data-nav': true }, ...children);
}

function badge(value, label) {
  const text = label || value || 'unscored';
  return h('span', { class: 'badge ' + (value || 'Unscored') }, text);
}

function fmtTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

function fmtAgo(iso) {
  if (!iso) return '';
  const seconds = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (seconds < 0) return '';
  if (seconds < 90) return seconds + 's ago';
  if (seconds < 5400) return Math.round(seconds / 60) + ' min ago';
  if (seconds < 172800) return Math.round(seconds / 3600) + ' h ago';
  return Math.round(seconds / 86400) + ' days ago';
}

function fmtScore(value) {
  return typeof value === 'number' ? value.toFixed(1) : '—';
}

function fmtDelta(value) {
  if (typeof value !== 'number') return h('span', { class: 'muted' }, '—');
  const text = (value > 0 ? '+' : '') + value.toFixed(1);
  const cls = value <= -5 ? 'delta-down' : value >= 5 ? 'delta-up' : 'muted';
  return h('span', { class: cls, title: 'change since the previous snapshot' }, text);
}

function sparkline(points, width, height) {
  const el = svg('svg', { class: 'spark', width, height, viewBox: `0 0 ${width} ${height}`,
    role: 'img', 'aria-label': 'health score history' });
  if (!points || points.length === 0) return el;
  const y = (score) => height - 2 - (Math.max(0, Math.min(100, score)) / 100) * (height - 4);
  if (points.length === 1) {
    el.append(svg('circle', { cx: width - 3, cy: y(points[0]), r: 2.5 }));
    return el;
  }
  el.append(svg('line', { x1: 0, x2: width, y1: y(50), y2: y(50) }));
  el.append(svg('line', { x1: 0, x2: width, y1: y(80), y2: y(80) }));
  const step = width / (points.length - 1);
  const coords = points.map((score, index) => `${(index * step).toFixed(1)},${y(score).toFixed(1)}`);
  el.append(svg('polyline', { points: coords.join(' ') }));
  return el;
}

function prettyJson(value) {
  if (typeof value === 'string') {
    try { return JSON.stringify(JSON.parse(value), null, 2); } catch (e) { return value; }
  }
  return JSON.stringify(value, null, 2);
}

// ---- charts (inline SVG, drawn here; no library) --------------------------------------------
// A chart is an <svg class="chart"> with a viewBox (it scales to its card), coloured bands
// (g.bands > rect.band.band-healthy|warning|critical, each with data-state), an x axis of time
// and a y axis of values (g.axis.x-axis / g.axis.y-axis, ticks with text), the series
// (polyline.series) and the newest point (circle.last). The thresholds come from the server
// (the metric catalogue and the scorer's risk bands), never from this file.

const DAY_MS = 86400000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function fmtValue(value, unit) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  let text;
  if (abs >= 1e6) text = (value / 1e6).toFixed(abs >= 1e7 ? 0 : 1) + 'M';
  else if (abs >= 1e4) text = (value / 1e3).toFixed(abs >= 1e5 ? 0 : 1) + 'k';
  else if (abs >= 100) text = value.toFixed(0);
  else if (abs >= 1) text = value.toFixed(1);
  else text = value.toPrecision(2);
  return unit ? `${text} ${unit}` : text;
}

// "warning ≥ 70 %, critical > 85 %" as the catalogue classifies (store/metric_catalog.cc).
function thresholdText(metric) {
  const unit = metric.unit;
  if (metric.kind === 'lower_is_worse') {
    return `warning < ${fmtValue(metric.warning, unit)}, critical < ${fmtValue(metric.critical, unit)}`;
  }
  if (metric.kind === 'baseline_ratio') {
    return `warning ≥ ${metric.warning}×, critical > ${metric.critical}× the value a week earlier`;
  }
  return `warning ≥ ${fmtValue(metric.warning, unit)}, critical > ${fmtValue(metric.critical, unit)}`;
}

// How the scorer's volume dimension also judges QPS, load rows/s and failed loads (from the
// server's running config); '' for other metrics.
function volumeRuleText(metric) {
  const rule = metric.volume;
  if (!rule) return '';
  const usual = `the median of the same hour over ${rule.baseline_days} days`;
  if (rule.judged === 'rise') {
    return `the scorer also flags a rise: warning ≥ ${rule.warning}×, critical > ${rule.critical}× ` +
      `${usual} (from ${fmtValue(rule.min_value, metric.unit)})`;
  }
  return `the scorer also flags a drop: warning below ${rule.warning}×, critical below ` +
    `${rule.critical}× ${usual} (not judged under ${fmtValue(rule.min_baseline, metric.unit)})`;
}

// "BE data disk used 94.6 % (warning ≥ 70 %, critical > 85 %)"
function metricSentence(metric) {
  const latest = metric.latest;
  if (!latest) return `${metric.label}: not reported (${thresholdText(metric)})`;
  let value = fmtValue(latest.value, metric.unit);
  if (metric.kind === 'baseline_ratio' && typeof latest.baseline === 'number' && latest.baseline > 0) {
    value += `, ${(latest.value / latest.baseline).toFixed(2)}× a week earlier`;
  }
  return `${metric.label} ${value} (${thresholdText(metric)})`;
}

function stateBadge(state) {
  const level = { healthy: 'Healthy', warning: 'Warning', critical: 'Critical' }[state] || '';
  return badge(level, level || 'no data');
}

function niceTicks(min, max, count) {
  const span = max - min || 1;
  const raw = span / count;
  const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => span / s <= count) ||
    10 * magnitude;
  const ticks = [];
  for (let tick = Math.ceil(min / step) * step; tick <= max + step * 1e-9; tick += step) {
    ticks.push(Number(tick.toFixed(10)));
  }
  return ticks;
}

// Ticks at midnight UTC (or every 6/12 h for short spans), at most `maxTicks` of them.
function timeTicks(start, end, maxTicks) {
  const span = end - start;
  const ticks = [];
  if (span <= 2 * DAY_MS) {
    const step = span <= DAY_MS ? 6 * 3600000 : 12 * 3600000;
    for (let t = Math.ceil(start / step) * step; t <= end; t += step) {
      ticks.push({ t, label: new Date(t).toISOString().slice(11, 16) });
    }
    return ticks;
  }
  const every = Math.max(1, Math.ceil(span / DAY_MS / Math.max(1, maxTicks)));
  for (let t = Math.ceil(start / DAY_MS) * DAY_MS, n = 0; t <= end; t += DAY_MS, n += 1) {
    if (n % every !== 0) continue;
    const date = new Date(t);
    ticks.push({ t, label: `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}` });
  }
  return ticks;
}

// options: points [{t (ms), value, bands? {warning, critical}}], start, end (ms), yMin, yMax,
// bands: 'higher' | 'lower' | 'perPoint' with warning/critical, unit, label, yTicks?, marker?
// (a time to mark with a vertical line, e.g. the report's).
function lineChart(options) {
  // The viewBox follows the room the page has, so that text stays readable on a phone.
  const room = Math.max(300, document.documentElement.clientWidth - 64);
  const W = Math.round(Math.min(options.wide ? 1100 : 640, room));
  const H = options.wide ? 240 : 220;
  const left = 56;
  const right = 12;
  const top = 10;
  const bottom = 28;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const { start, end, yMin, yMax } = options;
  const x = (t) => left + ((t - start) / Math.max(1, end - start)) * plotW;
  const y = (v) => top + plotH - ((Math.min(yMax, Math.max(yMin, v)) - yMin) / (yMax - yMin || 1)) * plotH;
  const el = svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img',
    preserveAspectRatio: 'none', 'aria-label': options.label });
  el.append(svg('title', {}));
  el.lastChild.textContent = options.label;

  const bands = svg('g', { class: 'bands' });
  const band = (state, x1, x2, v1, v2) => {
    const y1 = y(Math.max(v1, v2));
    const y2 = y(Math.min(v1, v2));
    if (y2 - y1 <= 0.01 || x2 - x1 <= 0) return;
    bands.append(svg('rect', { class: 'band band-' + state, 'data-state': state, x: x1.toFixed(1),
      y: y1.toFixed(1), width: (x2 - x1).toFixed(1), height: (y2 - y1).toFixed(1) }));
  };
  const fixed = (warning, critical, x1, x2) => {
    if (options.bands === 'lower') {
      band('critical', x1, x2, yMin, Math.max(yMin, critical));
      band('warning', x1, x2, Math.max(yMin, critical), Math.max(yMin, warning));
      band('healthy', x1, x2, Math.max(yMin, warning), yMax);
    } else {
      band('healthy', x1, x2, yMin, Math.min(yMax, warning));
      band('warning', x1, x2, Math.min(yMax, warning), Math.min(yMax, critical));
      band('critical', x1, x2, Math.min(yMax, critical), yMax);
    }
  };
  if (options.bands === 'perPoint') {
    // Baseline-ratio metrics: the bands follow the value a week earlier (ratio x baseline).
    const step = options.points.length > 1
      ? (x(options.points[1].t) - x(options.points[0].t)) : plotW;
    for (const point of options.points) {
      if (!point.bands) continue;
      const x1 = Math.max(left, x(point.t) - step / 2);
      const x2 = Math.min(left + plotW, x(point.t) + step / 2);
      fixed(point.bands.warning, point.bands.critical, x1, x2);
    }
  } else if (options.bands) {
    fixed(options.warning, options.critical, left, left + plotW);
  }
  el.append(bands);

  const yAxis = svg('g', { class: 'axis y-axis' });
  yAxis.append(svg('line', { x1: left, x2: left, y1: top, y2: top + plotH }));
  for (const tick of options.yTicks || niceTicks(yMin, yMax, 4)) {
    if (tick < yMin || tick > yMax) continue;
    yAxis.append(svg('line', { class: 'grid', x1: left, x2: left + plotW, y1: y(tick), y2: y(tick) }));
    const label = svg('text', { x: left - 6, y: y(tick) + 4, 'text-anchor': 'end' });
    label.textContent = fmtValue(tick, '');
    yAxis.append(label);
  }
  if (options.unit) {
    const unit = svg('text', { class: 'unit', x: 4, y: top + 8 });
    unit.textContent = options.unit;
    yAxis.append(unit);
  }
  const xAxis = svg('g', { class: 'axis x-axis' });
  xAxis.append(svg('line', { x1: left, x2: left + plotW, y1: top + plotH, y2: top + plotH }));
  for (const tick of timeTicks(start, end, Math.floor(plotW / 64))) {
    xAxis.append(svg('line', { x1: x(tick.t), x2: x(tick.t), y1: top + plotH, y2: top + plotH + 4 }));
    const label = svg('text', { x: x(tick.t), y: H - 8, 'text-anchor': 'middle' });
    label.textContent = tick.label;
    xAxis.append(label);
  }
  el.append(yAxis, xAxis);

  if (options.marker) {
    const mx = x(options.marker.t);
    if (mx >= left && mx <= left + plotW) {
      el.append(svg('line', { class: 'marker', x1: mx, x2: mx, y1: top, y2: top + plotH }));
      const label = svg('text', { class: 'marker-label', x: Math.min(mx + 4, W - 50), y: top + 12 });
      label.textContent = options.marker.label;
      el.append(label);
    }
  }
  const drawn = options.points.filter((point) => point.t >= start && point.t <= end);
  if (drawn.length > 1) {
    el.append(svg('polyline', { class: 'series', points: drawn.map((point) =>
      `${x(point.t).toFixed(1)},${y(point.value).toFixed(1)}`).join(' ') }));
  }
  if (drawn.length) {
    const last = drawn[drawn.length - 1];
    el.append(svg('circle', { class: 'last', cx: x(last.t), cy: y(last.value), r: 3.5 }));
  }
  return el;
}

// The chart of one catalogue metric over the window ending at `endIso`.
function metricChart(metric, endIso, days, marker) {
  const end = new Date(endIso).getTime();
  const start = end - days * DAY_MS;
  const points = metric.points.map((point) => ({
    t: new Date(point.t).getTime(),
    value: point.value,
    bands: metric.kind === 'baseline_ratio' && typeof point.baseline === 'number' && point.baseline > 0
      ? { warning: metric.warning * point.baseline, critical: metric.critical * point.baseline }
      : null,
  }));
  const values = points.map((point) => point.value);
  let yMin = Math.min(0, ...values);
  let yMax = Math.max(...values);
  if (metric.kind === 'higher_is_worse') {
    yMax = Math.max(yMax, metric.critical * 1.15);
  } else if (metric.kind === 'lower_is_worse') {
    yMin = Math.min(Math.min(...values), metric.critical) - 5;
    yMax = Math.max(Math.max(...values), metric.warning, 100);
    yMin = Math.max(0, yMin);
  } else {
    const warnLines = points.filter((p) => p.bands).map((p) => p.bands.warning);
    yMax = Math.max(yMax, ...warnLines) * 1.1;
  }
  if (yMax <= yMin) yMax = yMin + 1;
  // Up to the next round tick, so that the top of the axis is labelled (a percentage stops at 100).
  const ticks = niceTicks(yMin, yMax, 4);
  const tickStep = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
  yMax = Math.ceil(yMax / tickStep - 1e-9) * tickStep;
  if (metric.unit === '%' && yMax > 100 && Math.max(...values) <= 100) yMax = 100;
  return lineChart({
    label: `${metric.label} over the last ${days} days, with the Healthy/Warning/Critical bands`,
    points, start, end, yMin, yMax, unit: metric.unit,
    bands: metric.kind === 'baseline_ratio' ? 'perPoint'
      : metric.kind === 'lower_is_worse' ? 'lower' : 'higher',
    warning: metric.warning, critical: metric.critical, marker,
  });
}

function metricFigure(metric, endIso, days, marker) {
  return h('figure', { class: 'chart-card', id: 'chart-' + metric.short_name,
    'data-metric': metric.name, 'data-state': metric.latest ? metric.latest.state : '' },
    h('figcaption', {}, h('strong', {}, metric.label), ' ',
      metric.latest ? stateBadge(metric.latest.state) : null,
      h('div', { class: 'muted sub' }, metricSentence(metric)),
      metric.volume ? h('div', { class: 'muted sub volume-rule' }, volumeRuleText(metric)) : null),
    metricChart(metric, endIso, days, marker));
}

// The health score over the window, 0..100, with the scorer's risk bands.
function scoreChart(score, endIso) {
  const end = endIso ? new Date(endIso).getTime() : Date.now();
  const points = score.points.map((point) => ({ t: new Date(point.t).getTime(), value: point.score }));
  const last = points.length ? points[points.length - 1].t : end;
  return lineChart({
    label: `Health score over the last ${score.days} days (0–100) with the risk bands`,
    points, start: Math.max(last, end) - score.days * DAY_MS, end: Math.max(last, end),
    yMin: 0, yMax: 100, unit: 'score', bands: 'lower',
    warning: score.healthy_at_least, critical: score.critical_below,
    yTicks: [0, 25, score.critical_below, score.healthy_at_least, 100], wide: true,
  });
}

// ---- alerts folded: one row per alert (name + severity), counted, expandable -----------------

function foldAlerts(alerts) {
  const groups = new Map();
  for (const alert of alerts) {
    const key = `${alert.alert_name}\u0000${alert.severity || ''}`;
    if (!groups.has(key)) {
      groups.set(key, { name: alert.alert_name, severity: alert.severity, messages: [] });
    }
    groups.get(key).messages.push(alert);
  }
  const folded = [...groups.values()];
  for (const group of folded) {
    group.messages.sort((a, b) => a.alert_time.localeCompare(b.alert_time));
    group.first = group.messages[0].alert_time;
    group.last = group.messages[group.messages.length - 1].alert_time;
    group.latestStatus = group.messages[group.messages.length - 1].status;
    group.firing = group.messages.filter((m) => m.status === 'Firing').length;
  }
  folded.sort((a, b) => b.last.localeCompare(a.last));
  return folded;
}

function alertStrip(messages, start, end) {
  const W = 300;
  const H = 18;
  const el = svg('svg', { class: 'strip', viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none',
    role: 'img', 'aria-label': `${messages.length} messages over the window` });
  el.append(svg('line', { x1: 0, x2: W, y1: H / 2, y2: H / 2 }));
  for (const message of messages) {
    const t = new Date(message.alert_time).getTime();
    const cx = Math.max(3, Math.min(W - 3, ((t - start) / Math.max(1, end - start)) * W));
    el.append(svg('circle', { class: message.status === 'Firing' ? 'firing' : 'resolved', cx, cy: H / 2,
      r: 3 }));
  }
  return el;
}

function alertTimeline(alerts, start, end) {
  const groups = foldAlerts(alerts);
  if (groups.length === 0) return h('p', { class: 'muted' }, 'No alerts in this window.');
  return h('ol', { class: 'alert-groups', id: 'alert-groups' }, groups.map((group) =>
    h('li', { class: 'alert-group', 'data-count': group.messages.length },
      h('details', {},
        h('summary', {},
          h('span', { class: 'alert-name' }, group.name),
          group.severity ? h('span', { class: 'muted' }, ' · ' + group.severity) : null, ' ',
          h('span', { class: 'count', title: 'messages for this alert' }, '×' + group.messages.length),
          ' ', badge(group.latestStatus === 'Firing' ? 'Critical' : 'Healthy', group.latestStatus),
          h('div', { class: 'muted sub' }, group.messages.length === 1
            ? fmtTime(group.first)
            : `first ${fmtTime(group.first)} · last ${fmtTime(group.last)} · ${group.firing} firing, ` +
              `${group.messages.length - group.firing} resolved`),
          alertStrip(group.messages, start, end)),
        h('ol', { class: 'alert-messages' }, group.messages.slice().reverse().map((message) =>
          h('li', {}, h('span', { class: 'muted' }, fmtTime(message.alert_time)), ' ',
            message.status, message.detail
              ? h('div', { class: 'detail', title: message.detail }, message.detail) : null)))))));
}

// ---- API access, the token and errors -------------------------------------------------------

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(path, options) {
  const headers = Object.assign({ Accept: 'application/json' }, (options && options.headers) || {});
  const token = localStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = 'Bearer ' + token;
  const response = await fetch(path, Object.assign({}, options, { headers }));
  const type = response.headers.get('Content-Type') || '';
  const body = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) {
    const error = body && body.error ? body.error : { code: 'http_' + response.status,
      message: String(body).slice(0, 200) };
    if (response.status === 401) showTokenForm();
    throw new ApiError(response.status, error.code, error.message);
  }
  return body;
}

function showBanner(message) {
  const banner = document.getElementById('banner');
  banner.textContent = message;
  banner.hidden = !message;
}

function showTokenForm() {
  document.getElementById('token-form').hidden = false;
  document.getElementById('token-input').focus();
}

function setupToken() {
  const form = document.getElementById('token-form');
  const forget = document.getElementById('forget-token');
  forget.hidden = !localStorage.getItem(TOKEN_KEY);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    localStorage.setItem(TOKEN_KEY, document.getElementById('token-input').value.trim());
    form.hidden = true;
    forget.hidden = false;
    render();
  });
  forget.addEventListener('click', () => {
    localStorage.removeItem(TOKEN_KEY);
    forget.hidden = true;
    render();
  });
}

// ---- routing --------------------------------------------------------------------------------

function navigate(href) {
  history.pushState({}, '', href);
  render();
}

document.addEventListener('click', (event) => {
  const anchor = event.target.closest('a[data-nav]');
  if (!anchor || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  navigate(anchor.getAttribute('href'));
});
window.addEventListener('popstate', () => render());

function setView(section, ...children) {
  for (const tab of document.querySelectorAll('.tabs a')) {
    tab.classList.toggle('active', tab.dataset.section === section);
  }
  const view = document.getElementById('view');
  view.replaceChildren(...children.flat().filter((child) => child !== null && child !== undefined &&
    child !== false));
}

async function render() {
  const generation = ++renderGeneration;
  if (pollTimer) { clearTimeout(pollTimer); pollTimer = null; }
  if (!location.pathname.startsWith('/investigations/')) stopLive();
  showBanner('');
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const params = new URLSearchParams(location.search);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  try {
    if (path === '/') await renderFleet(generation, params);
    else if (parts[0] === 'clusters' && parts[1]) await renderCluster(generation, parts[1]);
    else if (path === '/reports') await renderReports(generation, params);
    else if (parts[0] === 'reports' && parts[1]) await renderReport(generation, parts[1]);
    else if (path === '/investigate') await renderInvestigate(generation, params);
    else if (parts[0] === 'investigations' && parts[1]) await renderProgress(generation, parts[1]);
    else if (path === '/issues') await renderIssues(generation, params);
    else if (parts[0] === 'issues' && parts[1]) await renderIssue(generation, parts[1]);
    else setView('', h('div', { class: 'empty' }, 'No such page. ', link('/', 'Back to the fleet')));
  } catch (error) {
    if (generation !== renderGeneration) return;
    const message = error instanceof ApiError ? `${error.code}: ${error.message}` : String(error);
    showBanner(message);
    setView('', h('div', { class: 'empty' }, 'Could not load this page.'));
  }
}

// ---- fleet overview -------------------------------------------------------------------------

const FLEET_PAGE = 100;
// Orders of the loaded rows the API does not offer; ties keep the API's worst-first order
// (Array.prototype.sort is stable).
const FLEET_LOCAL_SORTS = {
  drop: { label: 'biggest score drop first',
    compare: (a, b) => (a.score_delta ?? Infinity) - (b.score_delta ?? Infinity) },
  firing: { label: 'most firing alerts first',
    compare: (a, b) => (b.firing_alerts ?? -1) - (a.firing_alerts ?? -1) },
};
const LOW_CONFIDENCE = 0.5;

// Why a Warning or Critical cluster sits next to a report that does not explain it: the report
// is older than the score, found too little data, is unsure, or called the cluster healthy.
// Empty when the report and the score agree.
function reportMismatch(cluster, report) {
  if (!report || (cluster.risk_level !== 'Critical' && cluster.risk_level !== 'Warning')) return '';
  const reasons = [];
  if (cluster.snapshot_time && new Date(report.created_at) < new Date(cluster.snapshot_time)) {
    reasons.push(`the report (${fmtTime(report.created_at)}) is older than the score ` +
      `(${fmtTime(cluster.snapshot_time)})`);
  }
  if (report.category === 'insufficient_data') {
    reasons.push('the investigation found too little data to name a cause');
  } else if (report.category === 'healthy') {
    reasons.push('the investigation found nothing wrong at the time');
  }
  if (typeof report.confidence === 'number' && report.confidence < LOW_CONFIDENCE) {
    reasons.push(`its confidence is low (${Math.round(report.confidence * 100)}%)`);
  }
  if (!reasons.length) return '';
  return `${cluster.risk_level} now, but ${reasons.join('; ')}: investigate again.`;
}

function fleetRow(cluster) {
  const history = (cluster.history || []).map((point) => point.score);
  const report = cluster.latest_report;
  const task = cluster.active_task;
  const mismatch = reportMismatch(cluster, report);
  return h('tr', { class: 'cluster-row', 'data-cluster': cluster.cluster_id,
    'data-risk': cluster.risk_level || 'Unscored' },
    h('td', { class: 'cell-cluster', 'data-label': 'Cluster' },
      link('/clusters/' + encodeURIComponent(cluster.cluster_id), h('strong', {}, cluster.cluster_id)),
      h('div', { class: 'muted sub' }, cluster.cluster_name)),
    h('td', { class: 'cell-account', 'data-label': 'Account' }, cluster.account_name || cluster.account_id,
      h('div', { class: 'muted sub' }, (cluster.customer_tier ? 'tier ' + cluster.customer_tier : '') +
        ' · ' + cluster.region)),
    h('td', { class: 'cell-risk', 'data-label': 'Risk' }, badge(cluster.risk_level)),
    h('td', { class: 'num cell-score', 'data-label': 'Score' }, fmtScore(cluster.health_score), ' ',
      h('span', { class: 'sub' }, fmtDelta(cluster.score_delta))),
    h('td', { class: 'hide-narrow' }, sparkline(history, 120, 28)),
    h('td', { class: 'num cell-firing', 'data-label': 'Firing' },
      cluster.firing_alerts === null ? '—' : String(cluster.firing_alerts)),
    h('td', { class: 'cell-report', 'data-label': 'Latest report' }, report
      ? h('div', {},
        link('/reports/' + encodeURIComponent(report.report_id), badge(report.severity), ' ',
          report.category),
        h('span', { class: 'muted sub' }, ` · ${Math.round((report.confidence || 0) * 100)}% · ` +
          fmtTime(report.created_at)),
        h('div', { class: 'root-cause-line' }, report.root_cause || ''),
        report.next_action ? h('div', { class: 'next-action' }, h('strong', {}, 'Next: '),
          report.next_action) : null,
        mismatch ? h('div', { class: 'mismatch', role: 'note' }, mismatch) : null)
      : h('span', { class: 'muted' }, 'none')),
    h('td', { class: 'cell-task', 'data-label': 'Investigation' }, task
      ? link('/investigations/' + encodeURIComponent(task.task_id), badge(task.status))
      : link('/investigate?cluster=' + encodeURIComponent(cluster.cluster_id), 'Investigate')));
}

async function renderFleet(generation, params) {
  // ?limit=N shows N clusters a page (1..1000, default FLEET_PAGE); ?risk=, ?account=, ?sort=
  // (worst | name) are the API's own filters; ?q= narrows the shown rows by id, name or account.
  const pageSize = Math.min(1000, Math.max(1, parseInt(params.get('limit'), 10) || FLEET_PAGE));
  const filters = new URLSearchParams();
  for (const key of ['risk', 'account']) if (params.get(key)) filters.set(key, params.get(key));
  // name and worst are the API's orders (over every page); drop and firing reorder the loaded rows.
  const sort = params.get('sort') || '';
  if (sort === 'name') filters.set('sort', 'name');
  const localSort = FLEET_LOCAL_SORTS[sort] || null;
  const pageUrl = (cursor) => `/api/v1/clusters?history_hours=24&limit=${pageSize}` +
      (filters.toString() ? '&' + filters.toString() : '') +
      (cursor ? '&cursor=' + encodeURIComponent(cursor) : '');
  const fleet = await api(pageUrl(null));
  if (generation !== renderGeneration) return;
  document.getElementById('as-of').textContent =
      fleet.as_of ? 'scores as of ' + fmtTime(fleet.as_of) : 'not scored yet';
  const withParam = (key, value) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value); else next.delete(key);
    next.delete('limit');
    return '/' + (next.toString() ? '?' + next.toString() : '');
  };
  const tiles = h('div', { class: 'tiles' },
    ['Critical', 'Warning', 'Healthy', 'Unscored'].map((level) =>
      h(level === 'Unscored' ? 'div' : 'a', { class: 'tile ' + level + (params.get('risk') === level ? ' active' : ''),
        id: 'tile-' + level.toLowerCase(),
        href: level === 'Unscored' ? null : withParam('risk', params.get('risk') === level ? '' : level),
        'data-nav': level === 'Unscored' ? null : true,
        title: level === 'Unscored' ? null : `Show only ${level} clusters (click again for all)` },
        h('div', { class: 'count' }, String(fleet.counts[level] || 0)),
        h('div', { class: 'muted' }, level === 'Unscored' ? 'not scored' : level))));
  const search = h('input', { type: 'search', id: 'fleet-search', name: 'q', value: params.get('q') || '',
    placeholder: 'cluster, name or account', size: 22 });
  const form = h('form', { class: 'card filters', id: 'fleet-filters' },
    select('risk', 'Risk', [['', 'any'], ['Critical', 'Critical'], ['Warning', 'Warning'],
      ['Healthy', 'Healthy']], params.get('risk') || ''),
    h('label', {}, 'Account', h('input', { name: 'account', id: 'filter-account',
      value: params.get('account') || '', placeholder: 'any', size: 14 })),
    select('sort', 'Sort', [['', 'worst first'], ['name', 'by name'],
      ['drop', 'biggest score drop'], ['firing', 'most firing alerts']], sort),
    h('label', {}, 'Find', search),
    h('button', { type: 'submit', class: 'primary' }, 'Apply'),
    h('button', { type: 'button', onclick: () => navigate('/') }, 'Clear'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (value) next.set(key, String(value).trim());
    navigate('/' + (next.toString() ? '?' + next.toString() : ''));
  });
  const loaded = fleet.clusters.slice();
  const tbody = h('tbody', {});
  const fillRows = () => {
    const rows = localSort ? loaded.slice().sort(localSort.compare) : loaded;
    tbody.replaceChildren(...rows.map(fleetRow));
  };
  fillRows();
  const shown = h('div', { class: 'muted', id: 'fleet-shown' });
  const applySearch = () => {
    const needle = search.value.trim().toLowerCase();
    let hidden = 0;
    for (const row of tbody.rows) {
      const match = !needle || row.textContent.toLowerCase().includes(needle);
      row.hidden = !match;
      if (!match) hidden += 1;
    }
    return hidden;
  };
  search.addEventListener('input', () => update());
  let cursor = fleet.next_cursor;
  let count = fleet.clusters.length;
  const more = h('button', { type: 'button', id: 'fleet-more' }, `Show ${pageSize} more`);
  const order = sort === 'name' ? 'by name'
    : localSort ? localSort.label + (fleet.next_cursor ? ' among those loaded' : '') : 'worst first';
  const update = () => {
    const hidden = applySearch();
    shown.textContent = (count < fleet.total
      ? `${count} of ${fleet.total} clusters, ${order}`
      : `${fleet.total} clusters, ${order}`) + (hidden ? ` (${hidden} hidden by “find”)` : '');
    more.hidden = !cursor;
  };
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      const page = await api(pageUrl(cursor));
      loaded.push(...page.clusters);
      fillRows();
      count += page.clusters.length;
      cursor = page.next_cursor;
      update();
    } catch (error) {
      showBanner(error instanceof ApiError ? `${error.code}: ${error.message}` : String(error));
    } finally {
      more.disabled = false;
    }
  });
  update();
  setView('fleet',
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Fleet'), shown)),
    tiles,
    form,
    h('div', { class: 'card table-wrap fleet-wrap' },
      fleet.clusters.length === 0
        ? h('div', { class: 'empty' }, fleet.total === 0 && !filters.toString()
          ? ['No clusters yet. Generate a fleet with ', h('code', {}, 'rockhound fleet generate'), '.']
          : 'No cluster matches these filters.')
        : h('table', { id: 'fleet-table', class: 'cards-when-narrow' },
          h('thead', {}, h('tr', {},
            h('th', {}, 'Cluster'), h('th', {}, 'Account'), h('th', {}, 'Risk'),
            h('th', { class: 'num' }, 'Score'),
            h('th', { class: 'hide-narrow' }, 'Last 24 h'), h('th', { class: 'num' }, 'Firing'),
            h('th', {}, 'Latest report: root cause and next action'), h('th', {}, 'Investigation'))),
          tbody)),
    more);
}

// ---- one cluster ----------------------------------------------------------------------------

const STATE_ORDER = { critical: 0, warning: 1, healthy: 2 };

async function renderCluster(generation, clusterId) {
  const id = encodeURIComponent(clusterId);
  const [cluster, charts] = await Promise.all([
    api('/api/v1/clusters/' + id),
    api(`/api/v1/clusters/${id}/metrics?days=7&score_days=14`),
  ]);
  // The alerts of the same 7 days the metric charts show (ending at the newest telemetry).
  const windowEnd = charts.end || cluster.snapshot_time || new Date().toISOString();
  const windowStart = new Date(new Date(windowEnd).getTime() - 7 * DAY_MS);
  const alertPage = await api(`/api/v1/alerts?cluster=${id}&limit=1000&since=` +
    encodeURIComponent(windowStart.toISOString().replace(/\.\d{3}Z$/, 'Z')));
  if (generation !== renderGeneration) return;
  const measured = charts.metrics.filter((metric) => metric.latest);
  measured.sort((a, b) => (STATE_ORDER[a.latest.state] - STATE_ORDER[b.latest.state]));
  const missing = charts.metrics.filter((metric) => !metric.latest);
  const metricRows = measured.map((metric) =>
    h('tr', { class: 'metric-row', 'data-metric': metric.name, 'data-state': metric.latest.state },
      h('td', {}, stateBadge(metric.latest.state)),
      h('td', {}, h('strong', {}, metric.label), h('div', { class: 'muted sub mono' }, metric.short_name)),
      h('td', { class: 'num value' }, fmtValue(metric.latest.value, metric.unit),
        metric.kind === 'baseline_ratio' && metric.latest.baseline > 0
          ? h('div', { class: 'muted sub' }, `${(metric.latest.value / metric.latest.baseline).toFixed(2)}× a week earlier`)
          : null),
      h('td', { class: 'muted thresholds' }, thresholdText(metric),
        metric.volume ? h('div', { class: 'volume-rule sub' }, volumeRuleText(metric)) : null)));
  const windowEndMs = new Date(windowEnd).getTime();
  setView('fleet',
    h('div', { class: 'page-head' },
      h('div', {},
        h('h1', {}, cluster.cluster_id, ' ', badge(cluster.risk_level)),
        h('div', { class: 'muted' }, `${cluster.cluster_name} · ${cluster.account_name || cluster.account_id}` +
          (cluster.customer_tier ? ` · tier ${cluster.customer_tier}` : '') +
          ` · ${cluster.region} · StarRocks ${cluster.version} · ${cluster.run_mode}`)),
      h('button', { class: 'primary', type: 'button',
        onclick: () => navigate('/investigate?cluster=' + encodeURIComponent(cluster.cluster_id)) },
        'Investigate this cluster')),
    h('section', { class: 'card', id: 'health' },
      h('h2', {}, 'Health score, last 14 days'),
      h('p', { class: 'muted' }, 'Score ', h('strong', {}, fmtScore(cluster.health_score)), ' ',
        fmtDelta(cluster.score_delta),
        ` at ${fmtTime(cluster.snapshot_time)} · from metrics ${fmtScore(cluster.metric_score)}, ` +
        `alerts ${fmtScore(cluster.alert_score)}, tier ${fmtScore(cluster.tier_score)} · ` +
        `Healthy ≥ ${charts.score.healthy_at_least}, Critical < ${charts.score.critical_below}`),
      charts.score.points.length
        ? h('div', { id: 'score-chart' }, scoreChart(charts.score, cluster.snapshot_time))
        : h('p', { class: 'muted' }, 'Not scored yet.')),
    h('section', { class: 'card table-wrap', id: 'metrics-now' },
      h('h2', {}, 'Metrics now', charts.end ? h('span', { class: 'muted sub' }, ' · hour of ' + fmtTime(charts.end)) : null),
      measured.length
        ? h('table', { id: 'metric-table' }, h('tbody', {}, metricRows))
        : h('p', { class: 'muted' }, 'No telemetry for this cluster.'),
      missing.length ? h('p', { class: 'muted sub' }, 'Not reported: ' +
        missing.map((metric) => metric.short_name).join(', ')) : null),
    measured.length ? h('section', { class: 'card', id: 'metric-charts' },
      h('h2', {}, 'Each dimension, last 7 days'),
      h('p', { class: 'muted sub' }, 'Hourly averages. Bands: green Healthy, amber Warning, red Critical ' +
        '(the scorer\'s thresholds; for QPS and row rates they follow the value a week earlier).'),
      h('div', { class: 'chart-grid' }, measured.map((metric) => metricFigure(metric, charts.end, 7)))) : null,
    h('section', { class: 'card', id: 'alerts' },
      h('h2', {}, `Alerts, last 7 days (${alertPage.alerts.length} messages)`),
      alertPage.next_cursor ? h('p', { class: 'muted sub' }, 'Only the newest 1000 messages are shown.') : null,
      alertTimeline(alertPage.alerts, windowStart.getTime(), windowEndMs)),
    h('div', { class: 'grid grid-2' },
      h('section', { class: 'card' },
        h('h2', {}, 'Reports'),
        cluster.reports.length === 0 ? h('p', { class: 'muted' }, 'No reports yet.')
          : h('table', {}, h('tbody', {}, cluster.reports.map((report) =>
            h('tr', {}, h('td', {}, badge(report.severity)),
              h('td', {}, link('/reports/' + encodeURIComponent(report.report_id), report.category)),
              h('td', { class: 'muted' }, fmtTime(report.created_at)))))),
        h('h3', {}, 'Investigations'),
        cluster.investigations.length === 0 ? h('p', { class: 'muted' }, 'None requested.')
          : h('table', {}, h('tbody', {}, cluster.investigations.map((task) =>
            h('tr', {}, h('td', {}, badge(task.status)),
              h('td', {}, link('/investigations/' + encodeURIComponent(task.task_id), task.question || '(health check)')),
              h('td', { class: 'muted' }, task.source + ' · ' + fmtTime(task.created_at))))))),
      h('section', { class: 'card' },
        h('h2', {}, 'Node groups'),
        h('table', {}, h('tbody', {}, cluster.node_groups.map((group) =>
          h('tr', {}, h('td', {}, h('strong', {}, group.node_type)),
            h('td', {}, `${group.node_count} × ${group.cu} CU`),
            h('td', { class: 'muted' }, `${group.spec_type} · ${group.disk_size_gb} GB ${group.essd_level || ''}`))))),
        h('h3', {}, 'Recent operations'),
        cluster.recent_operations.length === 0 ? h('p', { class: 'muted' }, 'No operations.')
          : h('table', {}, h('tbody', {}, cluster.recent_operations.map((operation) =>
            h('tr', {}, h('td', {}, h('strong', {}, operation.operation_type)),
              h('td', {}, operation.result), h('td', {}, operation.actor || ''),
              h('td', { class: 'muted' }, fmtTime(operation.started_at)))))))));
}

// ---- report list ----------------------------------------------------------------------------

function select(name, label, options, value) {
  return h('label', {}, label,
    h('select', { name, id: 'filter-' + name },
      options.map(([optionValue, text]) =>
        h('option', { value: optionValue, selected: optionValue === value }, text))));
}

async function renderReports(generation, params) {
  const query = new URLSearchParams();
  for (const key of ['cluster', 'severity', 'category', 'since']) {
    if (params.get(key)) query.set(key, params.get(key));
  }
  query.set('limit', '25');
  const page = await api('/api/v1/reports?' + query.toString());
  if (generation !== renderGeneration) return;
  const form = h('form', { class: 'card filters', id: 'report-filters' },
    h('label', {}, 'Cluster', h('input', { name: 'cluster', id: 'filter-cluster',
      value: params.get('cluster') || '', placeholder: 'any', size: 18 })),
    select('severity', 'Severity at least', [['', 'any']].concat(SEVERITIES.map((s) => [s, s])),
      params.get('severity') || ''),
    select('category', 'Category', [['', 'any']].concat(CATEGORIES.map((c) => [c, c])),
      params.get('category') || ''),
    select('since', 'Since', [['', 'any time'], ['24h', 'last 24 h'], ['7d', 'last 7 days'],
      ['30d', 'last 30 days']], params.get('since') || ''),
    h('button', { type: 'submit', class: 'primary' }, 'Apply'),
    h('button', { type: 'button', onclick: () => navigate('/reports') }, 'Clear'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (value) next.set(key, String(value).trim());
    navigate('/reports' + (next.toString() ? '?' + next.toString() : ''));
  });
  const tbody = h('tbody', {});
  const appendRows = (reports) => {
    for (const report of reports) {
      const href = '/reports/' + encodeURIComponent(report.report_id);
      tbody.append(h('tr', { class: 'clickable report-row', onclick: (event) => {
        if (!event.target.closest('a')) navigate(href);
      } },
        h('td', { class: 'muted' }, fmtTime(report.created_at)),
        h('td', {}, link('/clusters/' + encodeURIComponent(report.cluster_id), report.cluster_id)),
        h('td', {}, badge(report.severity)),
        h('td', {}, report.category),
        h('td', { class: 'num' }, Math.round(report.confidence * 100) + '%'),
        h('td', {}, link(href, report.summary || report.root_cause || report.report_id))));
    }
  };
  appendRows(page.reports);
  let cursor = page.next_cursor;
  const more = h('div', { class: 'more' });
  const loadMore = h('button', { type: 'button', id: 'load-more', onclick: async () => {
    loadMore.disabled = true;
    query.set('cursor', cursor);
    try {
      const next = await api('/api/v1/reports?' + query.toString());
      appendRows(next.reports);
      cursor = next.next_cursor;
    } catch (error) {
      showBanner(`${error.code}: ${error.message}`);
    }
    loadMore.disabled = false;
    loadMore.hidden = !cursor;
  } }, 'Load more');
  loadMore.hidden = !cursor;
  more.append(loadMore);
  setView('reports',
    h('div', { class: 'page-head' }, h('h1', {}, 'Reports')),
    form,
    h('div', { class: 'card table-wrap' },
      page.reports.length === 0 ? h('div', { class: 'empty' }, 'No report matches these filters.')
        : h('table', { id: 'report-table' },
          h('thead', {}, h('tr', {}, h('th', {}, 'When'), h('th', {}, 'Cluster'),
            h('th', {}, 'Severity'), h('th', {}, 'Category'), h('th', { class: 'num' }, 'Confidence'),
            h('th', {}, 'Summary'))),
          tbody),
      more));
}

// ---- one report -----------------------------------------------------------------------------

function transcriptEntries(transcript) {
  if (!Array.isArray(transcript)) return [];
  return transcript.map((entry, index) => ({
    id: entry.id || entry.tool_call_id || entry.tool_use_id || `call_${index + 1}`,
    tool: entry.tool || entry.name || entry.tool_name || 'tool',
    input: entry.input !== undefined ? entry.input : entry.arguments,
    output: entry.output !== undefined ? entry.output : (entry.content !== undefined ? entry.content : entry.result),
    isError: Boolean(entry.is_error),
    durationMs: entry.duration_ms,
    step: entry.step,
  }));
}

function callAnchor(id) {
  return 'call-' + String(id).replace(/[^A-Za-z0-9_-]/g, '_');
}

// The catalogue metrics a report's evidence cites, in the order first cited (at most 3): a
// metric's full name in a finding (its own, or one for or against a hypothesis) or in the input
// or output of the tool call the evidence points at; else its short name given to a tool as an
// argument (e.g. {"metric": "disk"}). Only metrics with data are returned.
function citedMetrics(report, calls, metrics) {
  const byId = new Map(calls.map((call) => [call.id, call]));
  const items = [...(report.evidence || [])];
  for (const hyp of Array.isArray(report.hypotheses) ? report.hypotheses : []) {
    items.push(...(hyp.evidence_for || []), ...(hyp.evidence_against || []));
  }
  const found = [];
  const add = (metric) => {
    if (metric && metric.points.length && !found.includes(metric)) found.push(metric);
  };
  for (const item of items) {
    const call = byId.get(item.tool_call_id);
    const text = [item.finding || '', call ? JSON.stringify(call.input || '') : '',
      call ? String(typeof call.output === 'string' ? call.output : JSON.stringify(call.output || '')) : '']
      .join(' ');
    for (const metric of metrics) if (text.includes(metric.name)) add(metric);
    const args = call && call.input && typeof call.input === 'object' ? Object.values(call.input) : [];
    for (const arg of args.flat()) {
      for (const metric of metrics) if (arg === metric.short_name) add(metric);
    }
  }
  return found.slice(0, 3);
}

// A cited tool call: a link that unfolds and highlights the call in this page's transcript when
// it is there (`callIds`), else its name and id.
function toolCallRef(item, callIds) {
  return callIds.has(item.tool_call_id)
    ? h('a', { class: 'tool-ref', href: '#' + callAnchor(item.tool_call_id), onclick: (event) => {
      event.preventDefault();
      const target = document.getElementById(callAnchor(item.tool_call_id));
      if (!target) return;
      target.open = true;
      target.classList.add('highlight');
      target.scrollIntoView({ block: 'center' });
    } }, `${item.tool} · ${item.tool_call_id}`)
    : h('span', { class: 'tool-ref' }, `${item.tool} · ${item.tool_call_id}`);
}

// ---- follow-up questions on a report (the chat box) ---------------------------------------------

// The report's follow-up conversation and a box to ask the next question: GET and POST
// /api/v1/reports/{id}/messages. Each answer shows its citations (a link to the call when it is
// in this page's transcript) and the tool calls made to answer it.
function followUpChat(reportId, callIds) {
  const path = '/api/v1/reports/' + encodeURIComponent(reportId) + '/messages';
  const log = h('ol', { class: 'chat-log', id: 'chat-log' });
  const status = h('p', { class: 'muted sub', id: 'chat-status' }, 'Loading the conversation…');
  const question = h('textarea', { id: 'chat-question', rows: 2, maxlength: 2000,
    placeholder: 'Ask about this report, e.g. "evidence for finding 1" or "re-run query_cluster_metrics"' });
  const send = h('button', { type: 'submit', id: 'chat-send' }, 'Ask');
  const cite = (item) => h('li', {}, toolCallRef(item, callIds), ' ', item.finding);
  const show = (message) => {
    log.append(h('li', { class: 'chat-message', 'data-seq': message.seq },
      h('div', { class: 'chat-question' }, h('strong', {}, 'Q: '), message.question),
      h('pre', { class: 'chat-answer' }, message.answer),
      message.citations.length ? h('div', { class: 'cited' }, h('span', { class: 'muted' }, 'Cited: '),
        h('ul', { class: 'chat-citations' }, message.citations.map(cite))) : null,
      message.tool_calls.length ? h('details', { class: 'chat-calls' },
        h('summary', {}, `${message.tool_calls.length} tool call(s) made to answer`),
        message.tool_calls.map((call) => h('pre', {}, `${call.id} ${call.tool} ` +
          prettyJson(call.input) + '\n\n' + prettyJson(call.output)))) : null,
      h('div', { class: 'muted sub' }, `${message.engine}${message.model ? ' ' + message.model : ''}` +
        ` · ${fmtTime(message.created_at)} · ${message.input_tokens} in / ${message.output_tokens} ` +
        `out · $${(message.cost_usd || 0).toFixed(4)}` +
        (message.llm_error ? ` · without a model: ${message.llm_error}` : ''))));
  };
  api(path).then((conversation) => {
    conversation.messages.forEach(show);
    status.textContent = conversation.messages.length ? '' : 'No questions yet.';
  }).catch((error) => { status.textContent = `${error.code}: ${error.message}`; });
  const form = h('form', { id: 'chat-form', class: 'chat-form' }, question, send);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!question.value.trim()) {
      status.textContent = 'Type a question first.';
      return;
    }
    send.disabled = true;
    status.textContent = 'Answering…';
    try {
      const message = await api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ question: question.value, requester: 'web' }) });
      show(message);
      question.value = '';
      status.textContent = '';
    } catch (error) {
      status.textContent = `${error.code}: ${error.message}`;
    }
    send.disabled = false;
  });
  return h('section', { class: 'card', id: 'follow-up' }, h('h2', {}, 'Ask about this report'),
    h('p', { class: 'muted sub' }, 'Answers cite the tool calls that show them and are kept with ' +
      'the report. Without a model the playbook can run a tool again, show the evidence behind a ' +
      'finding, or list the tool calls.'),
    log, status, form);
}

async function renderReport(generation, reportId) {
  const detail = await api('/api/v1/reports/' + encodeURIComponent(reportId));
  // The cited metrics' series; the report still renders when they cannot be read.
  const charts = await api('/api/v1/clusters/' + encodeURIComponent(detail.cluster_id) +
    '/metrics?days=7&score_days=1').catch(() => null);
  if (generation !== renderGeneration) return;
  const report = detail.report || {};
  const calls = transcriptEntries(detail.transcript);
  const callIds = new Set(calls.map((call) => call.id));
  const evidence = (report.evidence || []).map((item) =>
    h('li', {}, toolCallRef(item, callIds), item.finding));
  const citeLink = (item) => toolCallRef(item, callIds);
  const citedList = (label, items) => (Array.isArray(items) && items.length
    ? h('div', { class: 'cited' }, h('span', { class: 'muted' }, label + ': '),
      h('ul', {}, items.map((item) => h('li', {}, citeLink(item), ' ', item.finding))))
    : null);
  const hypotheses = (Array.isArray(report.hypotheses) ? report.hypotheses : []).map((hyp) =>
    h('li', { class: 'hypothesis' },
      h('div', {}, h('strong', {}, hyp.category), ' ',
        h('span', { class: 'muted' }, Math.round((hyp.likelihood || 0) * 100) + '%'), ' · ',
        hyp.statement),
      citedList('For', hyp.evidence_for),
      citedList('Against', hyp.evidence_against)));
  const ruledOut = (Array.isArray(report.ruled_out) ? report.ruled_out : []).map((item) =>
    h('li', {}, h('strong', {}, item.category), ': ', item.why,
      (item.evidence || []).map((cited) => h('span', {}, ' ', citeLink(cited)))));
  const missing = (Array.isArray(report.missing_evidence) ? report.missing_evidence : []).map(
    (item) => h('li', {}, String(item)));
  const recommendations = (report.recommendations || []).map((rec) =>
    h('li', {},
      h('div', {}, h('strong', {}, rec.action)),
      rec.operation && rec.operation !== 'none'
        ? h('div', { class: 'op' }, rec.operation + ' ' + JSON.stringify(rec.parameters || {})) : null,
      rec.rationale ? h('div', { class: 'rationale' }, 'Why: ' + rec.rationale) : null,
      rec.risk ? h('div', { class: 'risk' }, 'Risk: ' + rec.risk) : null));
  const transcript = calls.map((call) =>
    h('details', { id: callAnchor(call.id), class: 'tool-call' },
      h('summary', {}, h('span', { class: 'tool-ref' }, call.id),
        typeof call.step === 'number' ? h('span', { class: 'muted' }, `step ${call.step} · `) : null,
        call.tool,
        call.isError ? h('span', { class: 'call-error' }, ' · error') : null,
        typeof call.durationMs === 'number' ? h('span', { class: 'muted' }, ` · ${call.durationMs} ms`) : null),
      h('pre', {}, 'input: ' + prettyJson(call.input === undefined ? {} : call.input) +
        '\n\noutput: ' + prettyJson(call.output === undefined ? '' : call.output))));
  const cited = charts ? citedMetrics(report, calls, charts.metrics) : [];
  const reportTime = { t: new Date(detail.created_at).getTime(), label: 'report' };
  const evidenceCharts = cited.length
    ? h('section', { class: 'card', id: 'evidence-charts' },
      h('h2', {}, cited.length === 1 ? 'The metric the evidence cites' : 'The metrics the evidence cites'),
      h('p', { class: 'muted sub' }, 'Last 7 days of the cluster\'s telemetry; the line marks when ' +
        'the report was written.'),
      h('div', { class: 'chart-grid' }, cited.map((metric) =>
        metricFigure(metric, charts.end, 7, reportTime))))
    : null;
  const confidence = Math.round((detail.confidence || 0) * 100);
  const meterFill = h('span', {});
  meterFill.style.width = confidence + '%';
  setView('reports',
    h('div', { class: 'page-head' },
      h('div', {},
        h('h1', { id: 'report-title' }, badge(detail.severity), ' ', detail.cluster_id, ' · ', detail.category),
        h('div', { class: 'muted' }, `${fmtTime(detail.created_at)} (${fmtAgo(detail.created_at)}) · ` +
          `${detail.engine}${detail.model ? ' ' + detail.model : ''} · ${calls.length} tool calls · ` +
          `${(detail.duration_ms / 1000).toFixed(1)} s`)),
      h('div', { class: 'row', id: 'report-links' },
        link('/clusters/' + encodeURIComponent(detail.cluster_id), 'Cluster'),
        link('/reports?cluster=' + encodeURIComponent(detail.cluster_id), 'Its other reports'),
        (detail.issues || []).map((issueId) =>
          link('/issues/' + encodeURIComponent(issueId), 'Issue ' + issueId)))),
    detail.llm_error ? h('div', { class: 'card' }, h('strong', {}, 'Playbook stood in for Claude: '),
      detail.llm_error) : null,
    h('section', { class: 'card', id: 'root-cause' },
      h('h2', {}, 'Root cause'),
      h('div', { class: 'confidence' }, 'Confidence ', h('div', { class: 'meter' }, meterFill),
        h('strong', { id: 'confidence' }, confidence + '%')),
      h('p', { class: 'root-cause' }, report.root_cause || detail.root_cause),
      report.summary ? h('p', { class: 'muted' }, report.summary) : null),
    evidenceCharts,
    h('div', { class: 'grid grid-2' },
      h('section', { class: 'card', id: 'evidence' }, h('h2', {}, 'Evidence'),
        evidence.length ? h('ol', { class: 'evidence' }, evidence) : h('p', { class: 'muted' }, 'None.')),
      h('section', { class: 'card', id: 'recommendations' }, h('h2', {}, 'Recommendations'),
        recommendations.length ? h('ol', { class: 'recommendations' }, recommendations)
          : h('p', { class: 'muted' }, 'None.'))),
    hypotheses.length || ruledOut.length || missing.length
      ? h('section', { class: 'card', id: 'reasoning' }, h('h2', {}, 'Reasoning'),
        hypotheses.length ? h('div', {}, h('h3', {}, 'Hypotheses'),
          h('ol', { class: 'hypotheses', id: 'hypotheses' }, hypotheses)) : null,
        ruledOut.length ? h('div', {}, h('h3', {}, 'Ruled out'),
          h('ul', { id: 'ruled-out' }, ruledOut)) : null,
        missing.length ? h('div', {}, h('h3', {}, 'Missing evidence'),
          h('ul', { id: 'missing-evidence' }, missing)) : null)
      : null,
    followUpChat(detail.report_id, callIds),
    h('section', { class: 'card', id: 'transcript' },
      h('h2', {}, `Tool transcript (${calls.length})`),
      transcript.length ? transcript : h('p', { class: 'muted' }, 'No tool calls recorded.'),
      h('details', { id: 'markdown' }, h('summary', {}, 'Report as Markdown'),
        h('pre', {}, detail.markdown || ''))),
    h('div', { class: 'muted' }, `Tokens: ${detail.input_tokens} in / ${detail.output_tokens} out · ` +
      `cost $${(detail.cost_usd || 0).toFixed(4)} · report ${detail.report_id}` +
      (detail.task_id ? ` · task ${detail.task_id}` : '')));
}

// ---- request an investigation ---------------------------------------------------------------

async function renderInvestigate(generation, params) {
  const [fleet, recent] = await Promise.all([
    api('/api/v1/clusters?sort=name&limit=1000'),
    api('/api/v1/investigations?limit=15'),
  ]);
  if (generation !== renderGeneration) return;
  const chosen = params.get('cluster') || '';
  const clusterSelect = h('select', { name: 'cluster_id', id: 'investigate-cluster', required: true },
    h('option', { value: '' }, 'Choose a cluster…'),
    fleet.clusters.map((cluster) => h('option', { value: cluster.cluster_id,
      selected: cluster.cluster_id === chosen },
      `${cluster.cluster_id} — ${cluster.risk_level || 'unscored'} ${fmtScore(cluster.health_score)}`)));
  const question = h('textarea', { name: 'question', id: 'investigate-question', maxlength: 2000,
    placeholder: 'Optional: what should the investigation look at? e.g. "Why did query latency jump at 02:00?"' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'investigate-submit' },
    'Start investigation');
  const form = h('form', { class: 'card', id: 'investigate-form' },
    h('h2', {}, 'Request an investigation'),
    h('p', { class: 'muted' }, 'Runs the 8-step protocol on the cluster now (no cooldown). ' +
      'Asking again while one is in flight for the same question returns that one.'),
    h('div', { class: 'grid' }, h('label', {}, 'Cluster', clusterSelect),
      h('label', {}, 'Question', question)),
    h('div', { class: 'row more' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const task = await api('/api/v1/investigations', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ cluster_id: clusterSelect.value, question: question.value.trim(),
          requester: 'web' }),
      });
      navigate('/investigations/' + encodeURIComponent(task.task_id));
    } catch (error) {
      showBanner(`${error.code}: ${error.message}`);
      submit.disabled = false;
    }
  });
  const rows = recent.investigations.map((task) =>
    h('tr', {}, h('td', {}, badge(task.status)),
      h('td', {}, link('/investigations/' + encodeURIComponent(task.task_id), task.cluster_id)),
      h('td', {}, task.question || h('span', { class: 'muted' }, '(health check)')),
      h('td', { class: 'muted' }, task.source),
      h('td', { class: 'muted' }, fmtTime(task.created_at))));
  setView('investigate', form,
    h('section', { class: 'card table-wrap' }, h('h2', {}, 'Recent investigations'),
      rows.length ? h('table', {}, h('tbody', {}, rows)) : h('p', { class: 'muted' }, 'None yet.')));
}

// ---- investigation progress (polled) --------------------------------------------------------

async function renderProgress(generation, taskId) {
  const task = await api('/api/v1/investigations/' + encodeURIComponent(taskId));
  if (generation !== renderGeneration) return;
  const order = ['queued', 'running', 'done'];
  const failed = task.status === 'failed' || task.status === 'cancelled';
  const reachedIndex = failed ? 1 : order.indexOf(task.status);
  const steps = h('div', { class: 'steps', id: 'progress-steps' },
    order.map((step, index) => {
      let cls = 'step';
      if (index <= reachedIndex) cls += ' reached';
      if (index === reachedIndex && !failed && step !== 'done') cls += ' pulse';
      return h('div', { class: cls }, step);
    }),
    failed ? h('div', { class: 'step failed' }, task.status) : null);
  const report = task.report;
  const result = report
    ? h('section', { class: 'card', id: 'progress-result' },
      h('h2', {}, badge(report.severity), ' ', report.category),
      h('p', { class: 'root-cause' }, report.root_cause),
      h('p', {}, link('/reports/' + encodeURIComponent(report.report_id), 'Open the full report →')))
    : failed
      ? h('section', { class: 'card', id: 'progress-result' }, h('h2', {}, 'The investigation ' + task.status),
        h('p', {}, task.last_error || 'No error recorded.'))
      : h('p', { class: 'muted', id: 'progress-wait' },
        task.status === 'queued' ? 'Waiting for a worker… this page refreshes by itself.'
          : 'A worker is investigating… this page refreshes by itself.');
  setView('investigate',
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Investigation of ', link('/clusters/' + encodeURIComponent(task.cluster_id), task.cluster_id)),
        h('div', { class: 'muted' }, `${task.task_id} · ${task.source} · requested ${fmtTime(task.created_at)}` +
          ` (${fmtAgo(task.created_at)}) · attempt ${task.attempts} of ${task.max_attempts}`))),
    task.question ? h('p', {}, h('strong', {}, 'Question: '), task.question) : null,
    h('div', { id: 'progress-status', 'data-status': task.status }, badge(task.status)),
    steps, result, liveProgress(generation, taskId, !report && !failed));
}

// ---- live progress --------------------------------------------------------------------------
// A running investigation's events as they happen (EventSource on
// /api/v1/investigations/{id}/events): steps, model turns, tool calls, the model's streamed
// text, tokens; at the final event the page renders the result and keeps the list. Without the
// stream (a server that needs a token: EventSource cannot send one) the page polls instead.

let live = null;  // { taskId, panel, source }

function stopLive() {
  if (live && live.source) { live.source.close(); live.source = null; }
}

function liveEventText(name, data) {
  switch (name) {
    case 'started': return 'A worker started the investigation';
    case 'step': return `Step ${data.step}: ${data.what}`;
    case 'model_turn': return `Model turn ${data.step}` + (data.detail ? ` (${data.detail})` : '');
    case 'tool_started': return `${data.tool} (${data.call_id}) started`;
    case 'tool_finished': return `${data.tool} (${data.call_id}) ${data.ok ? 'ok' : 'failed'} in ${data.duration_ms} ms`;
    case 'text': return data.text;
    case 'tokens': return `${data.tokens} tokens so far ($${Number(data.cost_usd).toFixed(4)})`;
    case 'compacted': return `Compacted ${data.detail}`;
    case 'report': return `Report written: ${data.category}`;
    case 'retrying': return 'The attempt failed; the task is queued again';
    case 'missed': return `${data.count} earlier events are no longer kept`;
    case 'final': return `Done: ${data.severity} ${data.category}`;
    case 'failed': return `Failed: ${data.error}`;
    default: return name;
  }
}

function liveProgress(generation, taskId, running) {
  if (live && live.taskId !== taskId) { stopLive(); live = null; }
  if (!running) return live ? live.panel : null;  // the finished run's list stays on the page
  if (live && live.source) return live.panel;
  const list = h('ol', { class: 'live-events', id: 'live-events' });
  const state = h('p', { class: 'muted', id: 'live-state', 'data-state': 'connecting' },
    'Connecting to the live progress…');
  const panel = h('section', { class: 'card', id: 'live-panel' }, h('h2', {}, 'Live progress'), state, list);
  const source = new EventSource('/api/v1/investigations/' + encodeURIComponent(taskId) + '/events');
  live = { taskId, panel, source };
  let received = 0;
  const names = ['started', 'step', 'model_turn', 'tool_started', 'tool_finished', 'text', 'tokens',
    'compacted', 'report', 'retrying', 'missed', 'final', 'failed'];
  for (const name of names) {
    source.addEventListener(name, (event) => {
      received += 1;
      const data = JSON.parse(event.data);
      const item = h('li', { class: 'live-' + name, 'data-event': name, 'data-id': event.lastEventId },
        liveEventText(name, data));
      if (name === 'final' && data.report_id) {
        item.append(' · ', link('/reports/' + encodeURIComponent(data.report_id), 'Open the report →'));
      }
      list.append(item);
      const status = document.getElementById('progress-status');
      if (name === 'started' && status && status.dataset.status === 'queued') {
        status.dataset.status = 'running';
        status.replaceChildren(badge('running'));
      }
      state.dataset.state = 'live';
      state.textContent = 'Live: events appear as the investigation runs.';
      if (name === 'final' || name === 'failed') {
        source.close();
        live.source = null;
        state.dataset.state = 'ended';
        state.textContent = 'The investigation ended.';
        if (generation === renderGeneration) render();
      }
    });
  }
  source.onerror = () => {
    if (received > 0 || !live || live.source !== source) return;  // EventSource reconnects
    source.close();
    live.source = null;
    state.dataset.state = 'polling';
    state.textContent = 'Live progress is not available here; this page refreshes by itself.';
    pollTimer = setTimeout(() => {
      if (generation === renderGeneration) render();
    }, POLL_MS);
  };
  return panel;
}

// ---- start ------------------------------------------------------------------------------------

document.addEventListener('DOMContentLoaded', () => {
  setupToken();
  render();
});

// ---- alert issues ---------------------------------------------------------------------------

const TRIAGE = ['New', 'Acknowledged', 'Investigating', 'Mitigating', 'Closed'];

function issueRow(issue) {
  const href = '/issues/' + encodeURIComponent(issue.issue_id);
  const classes = ['clickable', 'issue-row'];
  if (issue.escalated) classes.push('escalated');
  if (issue.issue_status !== 'Ongoing') classes.push('resolved');
  return h('tr', { class: classes.join(' '), 'data-issue': issue.issue_id,
    onclick: (event) => { if (!event.target.closest('a')) navigate(href); } },
    h('td', {}, badge(issue.issue_status === 'Ongoing' ? 'Critical' : 'Healthy',
      issue.issue_status)),
    h('td', {}, link('/clusters/' + encodeURIComponent(issue.cluster_id), issue.cluster_id)),
    h('td', {}, issue.kind.toUpperCase(),
      issue.escalated ? h('span', { class: 'escalated-tag', title: 'a FAILURE landed on this ' +
        'open ANOMALY' }, 'ESCALATED') : null),
    h('td', {}, link(href, issue.title)),
    h('td', {}, issue.triage_status),
    h('td', {}, issue.disposition_status + (issue.ticket_ref ? ' (' + issue.ticket_ref + ')' : '')),
    h('td', { class: 'num' }, String(issue.alert_count)),
    h('td', { class: 'muted' }, fmtTime(issue.last_alert_at)));
}

async function renderIssues(generation, params) {
  const query = new URLSearchParams();
  for (const key of ['cluster', 'status', 'triage', 'kind', 'escalated']) {
    if (params.get(key)) query.set(key, params.get(key));
  }
  query.set('limit', '50');
  const page = await api('/api/v1/issues?' + query.toString());
  if (generation !== renderGeneration) return;
  const form = h('form', { class: 'card filters', id: 'issue-filters' },
    h('label', {}, 'Cluster', h('input', { name: 'cluster', value: params.get('cluster') || '',
      placeholder: 'any', size: 18 })),
    select('status', 'Status', [['', 'any'], ['open', 'open'], ['resolved', 'resolved']],
      params.get('status') || ''),
    select('triage', 'Triage', [['', 'any']].concat(TRIAGE.map((t) => [t, t])),
      params.get('triage') || ''),
    select('kind', 'Kind', [['', 'any'], ['anomaly', 'ANOMALY'], ['failure', 'FAILURE']],
      params.get('kind') || ''),
    select('escalated', 'Escalated', [['', 'any'], ['true', 'only escalated']],
      params.get('escalated') || ''),
    h('button', { type: 'submit', class: 'primary' }, 'Apply'),
    h('button', { type: 'button', onclick: () => navigate('/issues') }, 'Clear'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (value) next.set(key, String(value).trim());
    navigate('/issues' + (next.toString() ? '?' + next.toString() : ''));
  });
  const tbody = h('tbody', {});
  for (const issue of page.issues) tbody.append(issueRow(issue));
  let cursor = page.next_cursor;
  const loadMore = h('button', { type: 'button', id: 'load-more-issues', onclick: async () => {
    loadMore.disabled = true;
    query.set('cursor', cursor);
    try {
      const next = await api('/api/v1/issues?' + query.toString());
      for (const issue of next.issues) tbody.append(issueRow(issue));
      cursor = next.next_cursor;
    } catch (error) {
      showBanner(`${error.code}: ${error.message}`);
    }
    loadMore.disabled = false;
    loadMore.hidden = !cursor;
  } }, 'Load more');
  loadMore.hidden = !cursor;
  setView('issues',
    h('div', { class: 'page-head' }, h('h1', {}, 'Issues'),
      h('span', { class: 'muted' }, 'alerts grouped per cluster; open issues first')),
    form,
    h('div', { class: 'card table-wrap' },
      page.issues.length === 0 ? h('div', { class: 'empty' }, 'No issue matches these filters.')
        : h('table', { id: 'issue-table' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Status'), h('th', {}, 'Cluster'),
            h('th', {}, 'Kind'), h('th', {}, 'Issue'), h('th', {}, 'Triage'),
            h('th', {}, 'Disposition'), h('th', { class: 'num' }, 'Alerts'),
            h('th', {}, 'Last alert'))),
          tbody),
      h('div', { class: 'more' }, loadMore)));
}

async function renderIssue(generation, issueId) {
  const issue = await api('/api/v1/issues/' + encodeURIComponent(issueId));
  if (generation !== renderGeneration) return;
  const step = async (path, body) => {
    try {
      await api('/api/v1/issues/' + encodeURIComponent(issueId) + path, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(Object.assign({ actor: 'web' }, body)) });
      render();
    } catch (error) {
      showBanner(`${error.code}: ${error.message}`);
    }
  };
  const triageButtons = issue.allowed_triage.map((status) => h('button', { type: 'button',
    class: 'triage-step', 'data-status': status,
    onclick: () => step('/triage', { status }) }, status));
  const ticket = h('input', { id: 'ticket-ref', placeholder: 'JIRA ticket, e.g. OPS-1234',
    size: 20 });
  const dispositionButtons = issue.allowed_disposition.map((status) => h('button', {
    type: 'button', class: 'disposition-step', 'data-status': status,
    onclick: () => step('/disposition', { status, ticket_ref: ticket.value.trim() }) }, status));
  const timeline = h('ol', { class: 'timeline', id: 'alert-timeline' },
    issue.alerts.map((alert) => h('li', { class: 'alert-' + alert.status.toLowerCase() },
      h('span', { class: 'muted' }, fmtTime(alert.alert_time)), ' ',
      h('strong', {}, alert.alert_name), ' ', badge(alert.status === 'Firing' ? 'Critical' :
        'Healthy', alert.status), alert.severity ? ' ' + alert.severity : '',
      alert.detail ? h('div', { class: 'sub muted' }, alert.detail) : null)));
  const history = h('ul', { class: 'history', id: 'issue-history' },
    issue.events.map((event) => h('li', {}, h('span', { class: 'muted' }, fmtTime(event.at)), ' ',
      event.actor + ': ' + event.field + ' ' + (event.from ? event.from + ' → ' : '') +
      (event.to || '') + (event.note ? ' (' + event.note + ')' : ''))));
  const reports = h('ul', { id: 'issue-reports' }, issue.investigations.length === 0
    ? h('li', { class: 'muted' }, 'No investigation yet.')
    : issue.investigations.map((inv) => h('li', {}, inv.report_id
      ? link('/reports/' + encodeURIComponent(inv.report_id), 'Report ' + inv.report_id)
      : link('/investigations/' + encodeURIComponent(inv.task_id), 'Investigation ' +
        inv.task_id + ' (running)'), h('span', { class: 'muted' }, ' · ' + inv.reason))));
  setView('issues',
    h('div', { class: 'page-head' + (issue.escalated ? ' escalated' : '') },
      h('h1', {}, issue.title),
      issue.escalated ? h('span', { class: 'escalated-tag' }, 'ESCALATED') : null,
      h('span', { class: 'muted' }, issue.kind.toUpperCase() + ' on ',
        link('/clusters/' + encodeURIComponent(issue.cluster_id), issue.cluster_id))),
    h('div', { class: 'card', id: 'issue-state' },
      h('p', {}, 'Status: ', h('strong', { id: 'issue-status' }, issue.issue_status),
        ' · triage: ', h('strong', { id: 'issue-triage' }, issue.triage_status),
        ' · disposition: ', h('strong', { id: 'issue-disposition' }, issue.disposition_status +
          (issue.ticket_ref ? ' (' + issue.ticket_ref + ')' : ''))),
      h('p', { class: 'muted' }, 'First alert ' + fmtTime(issue.first_alert_at) + ', last ' +
        fmtTime(issue.last_alert_at) + (issue.resolved_at ? ', resolved ' +
          fmtTime(issue.resolved_at) : '') + ' · ' + issue.alert_count + ' messages, ' +
        issue.open_alerts + ' still firing'),
      triageButtons.length ? h('div', { class: 'row' }, 'Triage: ', triageButtons) : null,
      dispositionButtons.length ? h('div', { class: 'row' }, 'Disposition: ', ticket,
        dispositionButtons) : null),
    h('div', { class: 'card' }, h('h2', {}, 'Investigations'), reports),
    h('div', { class: 'card' }, h('h2', {}, 'Alert timeline'), timeline),
    h('div', { class: 'card' }, h('h2', {}, 'History'), history));
}
