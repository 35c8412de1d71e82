// The web page end to end in headless Debian Chromium (playwright-core, executablePath
// /usr/bin/chromium): a `rockhound serve` on port 0 over a 12-cluster simulated fleet scored by
// `rockhound cycle`, clicked through fleet overview -> report list (with a filter) -> report
// detail (evidence linked to the folded tool transcript) -> the request form, whose progress page
// polls until a worker (rh_e2e_fixture) completes the task -> the Issues page (open first, an
// escalated issue highlighted, its timeline, a triage step); then the token prompt of a server that
// requires a token; then a server with its own (playbook) workers, whose investigation the
// progress page follows live over EventSource, every event in order. Screenshots of each page land in artifacts/; the overview's must have the
// viewport's size and not be blank. Exit 0 = pass, 1 = fail, 77 = skipped (never under CI=true).
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  artifactsDir, check, failureCount, importOrSkip, prepareFleet, removeDir, requireEnv,
  runFixture, skipOrFail, startServer,
} from './lib.mjs';
import { decodePng, imageStats } from './png.mjs';

const CHROMIUM = process.env.RH_CHROMIUM || '/usr/bin/chromium';
const VIEWPORT = { width: 1280, height: 800 };
const TOKEN = 'e2e-token-0123456789abcdef';

const bin = requireEnv('ROCKHOUND_BIN');
const fixture = requireEnv('RH_E2E_FIXTURE');
if (!existsSync(CHROMIUM)) skipOrFail(`${CHROMIUM} is missing (apt-get install chromium)`);
const { chromium } = await importOrSkip('playwright-core');

const artifacts = artifactsDir();
const { dataDir, reports } = prepareFleet(bin, fixture);
console.log(`fleet ready in ${dataDir}: ${reports.length} reports stored`);
let server = null;
let browser = null;
const pageErrors = [];

async function shot(page, name) {
  const file = path.join(artifacts, `${name}.png`);
  const png = await page.screenshot({ path: file, type: 'png' });
  return png;
}

try {
  server = await startServer(bin, dataDir);
  console.log(`rockhound serve at ${server.url}`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'dark' });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
  });
  page.setDefaultTimeout(15000);

  // 1. Fleet overview.
  const fleetApi = await (await page.request.get(`${server.url}/api/v1/clusters`)).json();
  await page.goto(server.url + '/');
  await page.waitForSelector('#fleet-table tbody tr');
  const rows = await page.locator('#fleet-table tbody tr').count();
  check(rows === 12, `overview lists the 12 clusters (got ${rows})`);
  const critical = (await page.locator('#tile-critical .count').textContent()).trim();
  check(critical === String(fleetApi.counts.Critical),
    `Critical tile shows ${fleetApi.counts.Critical} (got ${critical})`);
  const firstRisk = (await page.locator('#fleet-table tbody tr').first().locator('.badge').first().textContent()).trim();
  check(firstRisk === (fleetApi.clusters[0].risk_level || 'unscored'),
    `worst cluster first (${firstRisk})`);
  check(await page.locator('#fleet-table svg.spark :is(polyline, circle)').count() === 12,
    'a score sparkline (or point) per cluster');
  check((await page.locator('#as-of').textContent()).includes('2026-11-21 10:00 UTC'),
    'header shows the scoring hour');
  const png = await shot(page, 'overview');
  const image = decodePng(png);
  check(image.width === VIEWPORT.width && image.height === VIEWPORT.height,
    `screenshot is ${VIEWPORT.width}x${VIEWPORT.height} (got ${image.width}x${image.height})`);
  const stats = imageStats(image);
  check(stats.colours >= 20 && stats.nonBackgroundFraction > 0.05,
    `screenshot is not blank (${stats.colours} colours, ${(stats.nonBackgroundFraction * 100).toFixed(1)}% non-background)`);

  // Paging: 5 a page, then "Show 5 more" twice reaches all 12 in the API's order, once each.
  await page.goto(server.url + '/?limit=5');
  await page.waitForSelector('#fleet-table tbody tr');
  check(await page.locator('#fleet-table tbody tr').count() === 5, 'first page of 5');
  check((await page.locator('#fleet-shown').textContent()).includes('5 of 12'), 'says 5 of 12');
  for (const expected of [10, 12]) {
    await page.locator('#fleet-more').click();
    await page.waitForFunction((n) => document.querySelectorAll('#fleet-table tbody tr').length === n,
      expected);
  }
  check(await page.locator('#fleet-more').isHidden(), 'no more pages after the last');
  const paged = await page.locator('#fleet-table tbody tr').evaluateAll(
    (rows) => rows.map((row) => row.dataset.cluster));
  check(JSON.stringify(paged) === JSON.stringify(fleetApi.clusters.map((c) => c.cluster_id)),
    'paged rows are the whole fleet in order');

  // A cluster page from the overview.
  await page.locator('#fleet-table tbody tr').first().locator('a').first().click();
  await page.waitForSelector('h1 .badge');
  check(page.url().includes('/clusters/'), `cluster page opened (${new URL(page.url()).pathname})`);
  check(await page.locator('text=Node groups').count() === 1, 'cluster page shows node groups');
  await shot(page, 'cluster');

  // 2. Report list, then a filter.
  await page.locator('nav a[data-section="reports"]').click();
  await page.waitForSelector('#report-table tbody tr');
  const listed = await page.locator('#report-table tbody tr').count();
  check(listed === reports.length, `report list shows the ${reports.length} stored reports (got ${listed})`);
  await page.selectOption('#filter-severity', 'critical');
  await page.locator('#report-filters button[type=submit]').click();
  await page.waitForURL(/severity=critical/);
  await page.waitForSelector('#report-table tbody tr, .empty');
  const criticalRows = await page.locator('#report-table tbody tr').count();
  const expectedCritical = reports.filter((r) => r.severity === 'critical').length;
  check(criticalRows === expectedCritical, `severity filter keeps ${expectedCritical} critical reports (got ${criticalRows})`);
  await shot(page, 'reports');

  // 3. Report detail: severity, confidence, root cause, evidence linked to the folded transcript.
  await page.locator('#report-table tbody tr').first().locator('td').nth(3).click();
  await page.waitForSelector('#root-cause');
  check(/\/reports\/rpt_/.test(page.url()), 'report detail opened');
  check((await page.locator('#report-title .badge').textContent()).trim() === 'critical', 'severity badge shown');
  check((await page.locator('#confidence').textContent()).trim() === '82%', 'confidence shown');
  check((await page.locator('#root-cause .root-cause').textContent()).includes('BE data disks'), 'root cause shown');
  check(await page.locator('#evidence li').count() === 3, 'three evidence items');
  check(await page.locator('#recommendations li').count() === 2, 'two recommendations');
  check(await page.locator('#hypotheses > li').count() === 2, 'two ranked hypotheses');
  check((await page.locator('#hypotheses > li').first().textContent()).includes('82%'),
    'the top hypothesis shows its likelihood');
  check(await page.locator('#hypotheses a.tool-ref, #hypotheses span.tool-ref').count() === 2,
    'hypothesis evidence cites its tool calls');
  check(await page.locator('#ruled-out li').count() === 1, 'one cause ruled out');
  check((await page.locator('#missing-evidence li').textContent()).includes('query_similar_clusters'),
    'missing evidence shown');
  check((await page.locator('#recommendations .op').first().textContent()).includes('expand_disk'),
    'the concrete operation is shown');
  const calls = page.locator('details.tool-call');
  check(await calls.count() === 3, 'three tool calls in the transcript');
  check(!(await calls.first().evaluate((el) => el.open)), 'transcript folded by default');
  await page.locator('#evidence a.tool-ref').nth(1).click();
  check(await page.locator('#call-call_2').evaluate((el) => el.open), 'evidence link unfolds its tool call');
  check((await page.locator('#call-call_2 pre').textContent()).includes('disk_used_pct'),
    'tool call shows its output');
  await shot(page, 'report');

  // 3b. A follow-up question in the report's chat box: answered (the playbook, no model key),
  // shown with its citation, and kept with the report (a reload shows it again).
  await page.waitForSelector('#chat-form');
  check((await page.locator('#chat-status').textContent()).includes('No questions yet'),
    'the chat box starts empty');
  await page.fill('#chat-question', 'What is the evidence for finding 2?');
  await page.locator('#chat-send').click();
  await page.waitForSelector('#chat-log .chat-message');
  check((await page.locator('#chat-log .chat-question').first().textContent())
    .includes('evidence for finding 2'), 'the question is shown');
  check((await page.locator('#chat-log .chat-answer').first().textContent()).includes('Finding 2'),
    'the answer shows the evidence behind finding 2');
  check((await page.locator('#chat-log .chat-citations li').first().textContent()).includes('call_2'),
    'the answer cites call_2');
  check(await page.locator('details.tool-call').count() === 3, 'the transcript still has three calls');
  await page.reload();
  await page.waitForSelector('#chat-log .chat-message');
  check(await page.locator('#chat-log .chat-message').count() === 1,
    'the conversation is stored with the report');
  await page.fill('#chat-question', '   ');
  await page.locator('#chat-send').click();
  check((await page.locator('#chat-status').textContent()).includes('Type a question'),
    'an empty question is not sent');

  // 4. Request an investigation; its page polls until a worker completes it.
  const target = fleetApi.clusters[0].cluster_id;
  await page.locator('nav a[data-section="investigate"]').click();
  await page.waitForSelector('#investigate-form');
  await page.selectOption('#investigate-cluster', target);
  await page.fill('#investigate-question', 'Why did the health score drop overnight?');
  await page.locator('#investigate-submit').click();
  await page.waitForURL(/\/investigations\/tsk_/);
  await page.waitForSelector('#progress-status');
  const taskId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
  const status = await page.locator('#progress-status').getAttribute('data-status');
  check(status === 'queued', `new investigation ${taskId} is queued (got ${status})`);
  await shot(page, 'progress-queued');
  const completed = runFixture(fixture, dataDir, ['complete', taskId]);
  await page.waitForSelector('#progress-result', { timeout: 20000 });
  check((await page.locator('#progress-status').getAttribute('data-status')) === 'done',
    'progress page noticed the finished investigation by itself');
  await shot(page, 'progress-done');
  await page.locator('#progress-result a').click();
  await page.waitForSelector('#root-cause');
  check(page.url().endsWith('/reports/' + completed.report_id), 'progress page links to the new report');

  // Asking again while in flight returns the same task (checked through the API).
  const again = await page.request.post(`${server.url}/api/v1/investigations`,
    { data: { cluster_id: target, question: 'why did the health score drop overnight' } });
  check(again.status() === 202 && (await again.json()).created === true,
    'a finished investigation does not block a new request');

  // 4b. The Issues page: an ANOMALY and a FAILURE posted to the webhook on one cluster make an
  // escalated issue; it is listed among the open issues (open first), highlighted, and its page
  // shows the alert timeline, the history and the triage steps, which work.
  const issueCluster = fleetApi.clusters[fleetApi.clusters.length - 1].cluster_id;
  const startsAt = (minutes) => new Date(Date.UTC(2026, 10, 21, 9, minutes)).toISOString();
  const webhook = await page.request.post(`${server.url}/api/v1/alerts/alertmanager`, { data: {
    version: '4', status: 'firing', alerts: [
      { status: 'firing', labels: { alertname: 'HeapUsageTooHigh', cluster_id: issueCluster,
        severity: 'warning' }, annotations: { summary: 'FE heap 93%' }, startsAt: startsAt(0),
        endsAt: '0001-01-01T00:00:00Z' },
      { status: 'firing', labels: { alertname: 'BeAliveAbnormal', cluster_id: issueCluster,
        severity: 'critical' }, annotations: { summary: 'BE 2 of 6 dead' }, startsAt: startsAt(20),
        endsAt: '0001-01-01T00:00:00Z' },
    ] } });
  check(webhook.status() === 200, `webhook accepted the alerts (${webhook.status()})`);
  await page.locator('.tabs a[data-section=issues]').click();
  await page.waitForSelector('#issue-table tbody tr');
  const statuses = await page.locator('#issue-table tbody tr td:first-child').allTextContents();
  const firstResolved = statuses.findIndex((text) => text.trim() !== 'Ongoing');
  check(firstResolved === -1 || statuses.slice(firstResolved).every((t) => t.trim() !== 'Ongoing'),
    `open issues first (${statuses.length} issues)`);
  const escalatedRow = page.locator('#issue-table tr.escalated', { hasText: issueCluster });
  check(await escalatedRow.count() === 1, 'the escalated issue is highlighted');
  check((await escalatedRow.locator('.escalated-tag').textContent()).trim() === 'ESCALATED',
    'the escalated issue carries the ESCALATED tag');
  await shot(page, 'issues');
  await escalatedRow.locator('td:nth-child(4) a').click();
  await page.waitForSelector('#alert-timeline li');
  check(/\/issues\/iss_/.test(page.url()), 'issue page opened');
  check(await page.locator('#alert-timeline li').count() === 2, 'alert timeline shows both alerts');
  check((await page.locator('#alert-timeline li').first().textContent()).includes('HeapUsageTooHigh'),
    'timeline is oldest first');
  check((await page.locator('#issue-history').textContent()).includes('escalated'),
    'history records the escalation');
  check((await page.locator('#issue-triage').textContent()).trim() === 'New', 'triage starts New');
  await page.locator('button.triage-step[data-status=Acknowledged]').click();
  await page.waitForFunction(() => document.querySelector('#issue-triage')?.textContent === 'Acknowledged');
  check(await page.locator('button.triage-step[data-status=Acknowledged]').count() === 0,
    'acknowledged: the step is no longer offered');
  check((await page.locator('#issue-history').textContent()).includes('web: triage_status'),
    'history records who acknowledged');
  await shot(page, 'issue');

  check(pageErrors.length === 0, `no page errors (${pageErrors.join(' | ')})`);
  await context.close();

  // 5. A server that requires a token: the page asks for it, then works.
  const guarded = await startServer(bin, dataDir, { ROCKHOUND_SERVER_TOKEN: TOKEN });
  try {
    const tokenContext = await browser.newContext({ viewport: VIEWPORT });
    const tokenPage = await tokenContext.newPage();
    await tokenPage.goto(guarded.url + '/');
    await tokenPage.waitForSelector('#token-form:not([hidden])');
    check(await tokenPage.locator('#fleet-table').count() === 0, 'no data without the token');
    await tokenPage.fill('#token-input', TOKEN);
    await tokenPage.locator('#token-form button[type=submit]').click();
    await tokenPage.waitForSelector('#fleet-table tbody tr');
    check(await tokenPage.locator('#fleet-table tbody tr').count() === 12, 'token accepted, fleet shown');
    await shot(tokenPage, 'token');
    await tokenContext.close();
  } finally {
    await guarded.stop();
  }

  // 6. Live progress: a server with its own workers (the playbook engine) runs an investigation
  // while the page's EventSource listens. Every event arrives, in order (the same list a plain
  // reader replays afterwards), and the page links the report at the end.
  const working = await startServer(bin, dataDir, { ROCKHOUND_AGENT_ENGINE: 'playbook' },
    { workers: true });
  try {
    const liveContext = await browser.newContext({ viewport: VIEWPORT });
    const livePage = await liveContext.newPage();
    livePage.on('pageerror', (error) => pageErrors.push(String(error)));
    await livePage.goto(working.url + '/investigate');
    await livePage.waitForSelector('#investigate-form');
    await livePage.selectOption('#investigate-cluster', target);
    await livePage.fill('#investigate-question', 'What is going on right now?');
    await livePage.locator('#investigate-submit').click();
    await livePage.waitForURL(/\/investigations\/tsk_/);
    const liveTask = decodeURIComponent(new URL(livePage.url()).pathname.split('/').pop());
    await livePage.waitForSelector('#live-events li[data-event="final"]', { timeout: 60000 });
    await livePage.waitForSelector('#progress-result', { timeout: 20000 });
    const seen = await livePage.$$eval('#live-events li',
      (items) => items.map((item) => [item.dataset.id, item.dataset.event]));
    const replay = await (await livePage.request.get(
      `${working.url}/api/v1/investigations/${encodeURIComponent(liveTask)}/events`)).text();
    const replayed = [...replay.matchAll(/id: (\d+)\nevent: (\S+)\n/g)].map((m) => [m[1], m[2]]);
    check(seen.length > 0 && JSON.stringify(seen) === JSON.stringify(replayed),
      `the page's EventSource received every event in order (${seen.length} shown, ` +
      `${replayed.length} replayed)`);
    check(seen.every(([id], index) => id === String(index + 1)), 'event ids run 1..N without a gap');
    check(seen.length > 0 && seen[0][1] === 'started', 'the first event is the worker starting');
    check(seen.filter(([, name]) => name === 'step').length === 8, 'all eight protocol steps shown');
    check(seen.length > 0 && seen[seen.length - 1][1] === 'final', 'the final event is last');
    const done = await (await livePage.request.get(
      `${working.url}/api/v1/investigations/${encodeURIComponent(liveTask)}`)).json();
    const href = await livePage.locator('#live-events li[data-event="final"] a').getAttribute('href');
    check(done.status === 'done' && href === '/reports/' + done.report_id,
      `the live panel links the new report (${href})`);
    check((await livePage.locator('#progress-status').getAttribute('data-status')) === 'done',
      'the page shows the finished investigation');
    await shot(livePage, 'progress-live');
    await liveContext.close();
  } finally {
    await working.stop();
  }
  check(pageErrors.length === 0, `no page errors on the live page (${pageErrors.join(' | ')})`);
} catch (error) {
  check(false, `unexpected error: ${error.stack || error}`);
  if (server) console.error(server.stderr());
} finally {
  if (browser) await browser.close();
  if (server) {
    const exit = await server.stop();
    check(exit === 0, `rockhound serve stops cleanly on SIGTERM (exit ${exit})`);
  }
  removeDir(dataDir);
}

writeFileSync(path.join(artifacts, 'browser_test.result'), failureCount() === 0 ? 'pass\n' : 'fail\n');
console.log(failureCount() === 0 ? 'browser test: all checks passed' : `browser test: ${failureCount()} check(s) failed`);
process.exit(failureCount() === 0 ? 0 : 1);
