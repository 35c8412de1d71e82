// Rockhound web page: a small single-page app over /api/v1 (no framework, no external assets).
// Pages: / (fleet overview), /clusters/<id>, /reports (list + filters), /reports/<id>,
// /investigate (request form), /investigations/<task_id> (progress, polled), /issues (alert
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

function fleetRow(cluster) {
  const history = (cluster.history || []).map((point) => point.score);
  const report = cluster.latest_report;
  const task = cluster.active_task;
  return h('tr', { class: 'cluster-row', 'data-cluster': cluster.cluster_id },
    h('td', {}, link('/clusters/' + encodeURIComponent(cluster.cluster_id),
      h('strong', {}, cluster.cluster_id)),
      h('div', { class: 'muted sub' }, cluster.cluster_name)),
    h('td', {}, cluster.account_name || cluster.account_id,
      h('div', { class: 'muted sub' }, (cluster.customer_tier ? 'tier ' + cluster.customer_tier : '') +
        ' · ' + cluster.region)),
    h('td', {}, badge(cluster.risk_level)),
    h('td', { class: 'num' }, fmtScore(cluster.health_score)),
    h('td', { class: 'num' }, fmtDelta(cluster.score_delta)),
    h('td', { class: 'hide-narrow' }, sparkline(history, 120, 28)),
    h('td', { class: 'num' }, cluster.firing_alerts === null ? '—' : String(cluster.firing_alerts)),
    h('td', {}, report
      ? link('/reports/' + encodeURIComponent(report.report_id), badge(report.severity),
        h('div', { class: 'sub' }, report.category))
      : h('span', { class: 'muted' }, 'none')),
    h('td', {}, task
      ? link('/investigations/' + encodeURIComponent(task.task_id), badge(task.status))
      : link('/investigate?cluster=' + encodeURIComponent(cluster.cluster_id), 'Investigate')));
}

async function renderFleet(generation, params) {
  // ?limit=N shows N clusters a page (1..1000, default FLEET_PAGE).
  const pageSize = Math.min(1000, Math.max(1, parseInt(params.get('limit'), 10) || FLEET_PAGE));
  const pageUrl = (cursor) => `/api/v1/clusters?history_hours=24&limit=${pageSize}` +
      (cursor ? '&cursor=' + encodeURIComponent(cursor) : '');
  const fleet = await api(pageUrl(null));
  if (generation !== renderGeneration) return;
  document.getElementById('as-of').textContent =
      fleet.as_of ? 'scores as of ' + fmtTime(fleet.as_of) : 'not scored yet';
  const tiles = h('div', { class: 'tiles' },
    ['Critical', 'Warning', 'Healthy', 'Unscored'].map((level) =>
      h('div', { class: 'tile ' + level, id: 'tile-' + level.toLowerCase() },
        h('div', { class: 'count' }, String(fleet.counts[level] || 0)),
        h('div', { class: 'muted' }, level === 'Unscored' ? 'not scored' : level))));
  const tbody = h('tbody', {}, fleet.clusters.map(fleetRow));
  const shown = h('div', { class: 'muted', id: 'fleet-shown' });
  let cursor = fleet.next_cursor;
  let count = fleet.clusters.length;
  const more = h('button', { type: 'button', id: 'fleet-more' }, `Show ${pageSize} more`);
  const update = () => {
    shown.textContent = count < fleet.total
      ? `${count} of ${fleet.total} clusters, worst first`
      : `${fleet.total} clusters, worst first`;
    more.hidden = !cursor;
  };
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      const page = await api(pageUrl(cursor));
      for (const cluster of page.clusters) tbody.appendChild(fleetRow(cluster));
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
    h('div', { class: 'card table-wrap' },
      fleet.clusters.length === 0
        ? h('div', { class: 'empty' }, 'No clusters yet. Generate a fleet with ',
          h('code', {}, 'rockhound fleet generate'), '.')
        : h('table', { id: 'fleet-table' },
          h('thead', {}, h('tr', {},
            h('th', {}, 'Cluster'), h('th', {}, 'Account'), h('th', {}, 'Risk'),
            h('th', { class: 'num' }, 'Score'), h('th', { class: 'num' }, 'Change'),
            h('th', { class: 'hide-narrow' }, 'Last 24 h'), h('th', { class: 'num' }, 'Firing'),
            h('th', {}, 'Latest report'), h('th', {}, 'Investigation'))),
          tbody)),
    more);
}

// ---- one cluster ----------------------------------------------------------------------------

async function renderCluster(generation, clusterId) {
  const cluster = await api('/api/v1/clusters/' + encodeURIComponent(clusterId));
  if (generation !== renderGeneration) return;
  const dims = Object.entries(cluster.dimension_scores || {}).sort((a, b) => a[1] - b[1]);
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
    h('div', { class: 'grid grid-2' },
      h('section', { class: 'card' },
        h('h2', {}, 'Health'),
        h('dl', { class: 'kv' },
          h('dt', {}, 'Score'), h('dd', {}, fmtScore(cluster.health_score), ' ', fmtDelta(cluster.score_delta)),
          h('dt', {}, 'Metrics / alerts / tier'), h('dd', {},
            `${fmtScore(cluster.metric_score)} / ${fmtScore(cluster.alert_score)} / ${fmtScore(cluster.tier_score)}`),
          h('dt', {}, 'Firing alerts'), h('dd', {}, cluster.firing_alerts === null ? '—' : String(cluster.firing_alerts)),
          h('dt', {}, 'Snapshot'), h('dd', {}, fmtTime(cluster.snapshot_time))),
        h('h3', {}, 'Score, last 72 h'),
        cluster.history.length >= 2
          ? sparkline(cluster.history.map((point) => point.health_score), 420, 60)
          : h('p', { class: 'muted' }, cluster.history.length === 1
            ? 'One scored snapshot so far; the line appears from the second cycle on.'
            : 'Not scored yet.'),
        dims.length ? h('h3', {}, 'Dimensions (worst first)') : null,
        dims.length ? h('table', {}, h('tbody', {}, dims.map(([name, score]) =>
          h('tr', {}, h('td', { class: 'mono' }, name), h('td', { class: 'num' }, fmtScore(score)))))) : null),
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
              h('td', { class: 'muted' }, task.source + ' · ' + fmtTime(task.created_at)))))),
        h('h3', {}, 'Node groups'),
        h('table', {}, h('tbody', {}, cluster.node_groups.map((group) =>
          h('tr', {}, h('td', {}, h('strong', {}, group.node_type)),
            h('td', {}, `${group.node_count} × ${group.cu} CU`),
            h('td', { class: 'muted' }, `${group.spec_type} · ${group.disk_size_gb} GB ${group.essd_level || ''}`))))))),
    h('section', { class: 'card table-wrap' },
      h('h2', {}, 'Recent alerts'),
      cluster.recent_alerts.length === 0 ? h('p', { class: 'muted' }, 'No alerts.')
        : h('table', {}, h('tbody', {}, cluster.recent_alerts.map((alert) =>
          h('tr', {}, h('td', {}, badge(alert.status === 'Firing' ? 'critical' : 'low', alert.status)),
            h('td', {}, h('strong', {}, alert.alert_name), alert.severity ? h('span', { class: 'muted' }, ' · ' + alert.severity) : null),
            h('td', {}, alert.detail || ''),
            h('td', { class: 'muted' }, fmtTime(alert.alert_time))))))),
    h('section', { class: 'card table-wrap' },
      h('h2', {}, 'Recent operations'),
      cluster.recent_operations.length === 0 ? h('p', { class: 'muted' }, 'No operations.')
        : h('table', {}, h('tbody', {}, cluster.recent_operations.map((operation) =>
          h('tr', {}, h('td', {}, h('strong', {}, operation.operation_type)),
            h('td', {}, operation.result), h('td', {}, operation.actor || ''),
            h('td', { class: 'muted' }, fmtTime(operation.started_at))))))));
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

async function renderReport(generation, reportId) {
  const detail = await api('/api/v1/reports/' + encodeURIComponent(reportId));
  if (generation !== renderGeneration) return;
  const report = detail.report || {};
  const calls = transcriptEntries(detail.transcript);
  const callIds = new Set(calls.map((call) => call.id));
  const evidence = (report.evidence || []).map((item) =>
    h('li', {},
      callIds.has(item.tool_call_id)
        ? h('a', { class: 'tool-ref', href: '#' + callAnchor(item.tool_call_id), onclick: (event) => {
          event.preventDefault();
          const target = document.getElementById(callAnchor(item.tool_call_id));
          if (!target) return;
          target.open = true;
          target.classList.add('highlight');
          target.scrollIntoView({ block: 'center' });
        } }, `${item.tool} · ${item.tool_call_id}`)
        : h('span', { class: 'tool-ref' }, `${item.tool} · ${item.tool_call_id}`),
      item.finding));
  const citeLink = (item) => (callIds.has(item.tool_call_id)
    ? h('a', { class: 'tool-ref', href: '#' + callAnchor(item.tool_call_id), onclick: (event) => {
      event.preventDefault();
      const target = document.getElementById(callAnchor(item.tool_call_id));
      if (!target) return;
      target.open = true;
      target.classList.add('highlight');
      target.scrollIntoView({ block: 'center' });
    } }, `${item.tool} · ${item.tool_call_id}`)
    : h('span', { class: 'tool-ref' }, `${item.tool} · ${item.tool_call_id}`));
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
    steps, result);
  if (!report && !failed) {
    pollTimer = setTimeout(() => {
      if (generation === renderGeneration) render();
    }, POLL_MS);
  }
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
