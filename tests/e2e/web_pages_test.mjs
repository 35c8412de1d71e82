// The fleet, cluster and report pages in headless Debian Chromium (playwright-core,
// executablePath /usr/bin/chromium), at a laptop width (1366 px) and a phone width (390 px),
// over a `rockhound serve` on port 0 with a 12-cluster simulated fleet of 15 days scored every 6 h
// over the last 14 days. Checks, against the API's own answers:
//   fleet    each cluster's root-cause line and next action from its latest report; a note where a
//            Critical/Warning cluster sits next to a report that does not explain it (older than
//            the score, insufficient_data); the risk tiles filter, sort by name and by firing
//            alerts, find; at 390 px
//            one card per cluster with score and report on screen;
//   cluster  the metric values with their units and the catalogue's thresholds; a chart per
//            reported dimension (SVG with Healthy/Warning/Critical bands and both axes); the
//            14-day health score (axes 0-100 and time); alerts folded per alert with counts that
//            add up to the messages, expandable;
//   report   the chart of the metric its evidence cites, the report's time marked;
//   every page at both widths: nothing overflows horizontally (scrollWidth <= innerWidth), no
//   page errors, a full-page screenshot that is not blank.
// Screenshots: $RH_E2E_SCREENSHOTS (CTest: <build>/artifacts/screenshots/), {fleet,cluster,
// report}-{1366,390}.png; server/README.md describes them.
// Exit 0 = pass, 1 = fail, 77 = skipped (never under CI=true).
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  artifactsDir, check, failureCount, importOrSkip, prepareFleet, removeDir, requireEnv,
  skipOrFail, startServer,
} from './lib.mjs';
import { decodePng, imageStats } from './png.mjs';

const CHROMIUM = process.env.RH_CHROMIUM || '/usr/bin/chromium';
const WIDTHS = [1366, 390];
const HEIGHT = 900;

const bin = requireEnv('ROCKHOUND_BIN');
const fixture = requireEnv('RH_E2E_FIXTURE');
if (!existsSync(CHROMIUM)) skipOrFail(`${CHROMIUM} is missing (apt-get install chromium)`);
const { chromium } = await importOrSkip('playwright-core');

const screenshots = process.env.RH_E2E_SCREENSHOTS || path.join(artifactsDir(), 'screenshots');
mkdirSync(screenshots, { recursive: true });
const { dataDir, reports } = prepareFleet(bin, fixture, { days: 15, scoreDays: 14 });
console.log(`fleet ready in ${dataDir}: ${reports.length} reports stored`);

let server = null;
let browser = null;

async function getJson(page, route) {
  const response = await page.request.get(server.url + route);
  if (!response.ok()) throw new Error(`${route}: HTTP ${response.status()}`);
  return response.json();
}

async function shot(page, name, width) {
  const file = path.join(screenshots, `${name}-${width}.png`);
  // From the top: a sticky header would otherwise be painted where the page was scrolled to.
  await page.evaluate(() => window.scrollTo(0, 0));
  const png = await page.screenshot({ path: file, type: 'png', fullPage: true });
  const image = decodePng(png);
  const stats = imageStats(image);
  check(image.width === width && image.height >= HEIGHT,
    `${name} at ${width} px: full-page screenshot ${image.width}x${image.height} in ${file}`);
  check(stats.colours >= 20 && stats.nonBackgroundFraction > 0.05,
    `${name} at ${width} px: screenshot is not blank (${stats.colours} colours)`);
}

async function noHorizontalOverflow(page, what, width) {
  const { scrollWidth, innerWidth, widest } = await page.evaluate(() => {
    // The element reaching furthest right, to name the culprit when the check fails.
    let widestEl = '';
    let right = 0;
    for (const el of document.querySelectorAll('body *')) {
      const box = el.getBoundingClientRect();
      if (box.width > 0 && box.right > right) {
        right = box.right;
        widestEl = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className}`;
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
      widest: `${widestEl} (right edge ${Math.round(right)})` };
  });
  check(scrollWidth <= innerWidth,
    `${what} at ${width} px: nothing overflows horizontally (scrollWidth ${scrollWidth} <= ` +
    `innerWidth ${innerWidth}; widest ${widest})`);
}

// An <svg class="chart"> has the three bands, an x axis with time labels and a y axis with values.
async function chartIsComplete(chart, what) {
  const parts = await chart.evaluate((el) => ({
    bands: [...new Set([...el.querySelectorAll('g.bands rect.band')].map((r) => r.dataset.state))],
    xLabels: [...el.querySelectorAll('g.x-axis text')].map((t) => t.textContent),
    yLabels: [...el.querySelectorAll('g.y-axis text:not(.unit)')].map((t) => t.textContent),
    series: el.querySelectorAll('polyline.series').length,
    width: el.getBoundingClientRect().width,
  }));
  check(['healthy', 'warning', 'critical'].every((state) => parts.bands.includes(state)) &&
    parts.xLabels.length >= 2 && parts.yLabels.length >= 2 && parts.series === 1 && parts.width > 200,
  `${what}: chart with bands [${parts.bands}], x axis [${parts.xLabels.join(', ')}], ` +
    `y axis [${parts.yLabels.join(', ')}], ${Math.round(parts.width)} px wide`);
  return parts;
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
  const apiContext = await browser.newContext();
  const apiPage = await apiContext.newPage();
  const fleet = await getJson(apiPage, '/api/v1/clusters?limit=100');
  const byName = await getJson(apiPage, '/api/v1/clusters?limit=100&sort=name');

  // The cluster to open: the one with the most repeated alert among those with a report.
  let target = null;
  let targetAlerts = null;
  let bestRepeat = 0;
  for (const cluster of fleet.clusters.filter((c) => c.latest_report)) {
    const charts = await getJson(apiPage, `/api/v1/clusters/${cluster.cluster_id}/metrics`);
    const since = new Date(new Date(charts.end).getTime() - 7 * 86400000).toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    const alerts = await getJson(apiPage,
      `/api/v1/alerts?cluster=${cluster.cluster_id}&limit=1000&since=${since}`);
    const counts = new Map();
    for (const alert of alerts.alerts) {
      const key = `${alert.alert_name}|${alert.severity || ''}`;
      counts.set(key, (counts.get(key) || 0) + 1);
    }
    const repeat = Math.max(0, ...counts.values());
    if (repeat > bestRepeat) {
      bestRepeat = repeat;
      target = { cluster, charts };
      targetAlerts = { list: alerts.alerts, counts };
    }
  }
  check(target !== null && bestRepeat > 1,
    `a cluster with a report and a repeated alert to open (${target && target.cluster.cluster_id}, ` +
    `an alert repeated ${bestRepeat} times)`);
  const report = reports.find((r) => r.cluster_id === target.cluster.cluster_id);
  await apiContext.close();

  for (const width of WIDTHS) {
    const context = await browser.newContext({ viewport: { width, height: HEIGHT },
      colorScheme: 'dark' });
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
    });
    page.setDefaultTimeout(15000);

    // ---- fleet ----
    await page.goto(server.url + '/');
    await page.waitForSelector('#fleet-table tbody tr');
    const rows = page.locator('#fleet-table tbody tr');
    check(await rows.count() === fleet.clusters.length, `fleet at ${width} px lists every cluster`);
    let withReport = 0;
    let explained = 0;
    let insufficientExplained = false;
    for (const cluster of fleet.clusters) {
      const row = page.locator(`#fleet-table tr[data-cluster="${cluster.cluster_id}"]`);
      const latest = cluster.latest_report;
      const mismatch = row.locator('.mismatch');
      if (!latest) {
        check(await row.locator('.root-cause-line').count() === 0, `${cluster.cluster_id}: no report, no cause`);
        continue;
      }
      withReport += 1;
      const cause = (await row.locator('.root-cause-line').textContent()).trim();
      const next = (await row.locator('.next-action').textContent()).trim();
      check(cause === latest.root_cause && latest.next_action && next === `Next: ${latest.next_action}`,
        `${cluster.cluster_id}: root-cause line and next action from its latest report`);
      const older = new Date(latest.created_at) < new Date(cluster.snapshot_time);
      const troubled = cluster.risk_level === 'Critical' || cluster.risk_level === 'Warning';
      const shouldExplain = troubled && (older || latest.category === 'insufficient_data');
      check((await mismatch.count() === 1) === shouldExplain,
        `${cluster.cluster_id} (${cluster.risk_level}, report ${latest.category}): ` +
        `${shouldExplain ? 'the mismatch is explained' : 'no mismatch note'}`);
      if (shouldExplain) {
        explained += 1;
        const text = await mismatch.textContent();
        if (older) check(text.includes('older than the score'), `${cluster.cluster_id}: says the report is older`);
        if (latest.category === 'insufficient_data') {
          insufficientExplained = text.includes('too little data');
          check(insufficientExplained, `${cluster.cluster_id}: says the report found too little data`);
        }
      }
    }
    check(withReport === reports.length && explained > 0 && insufficientExplained,
      `fleet at ${width} px: ${withReport} reports shown, ${explained} mismatches explained, ` +
      'an insufficient_data report next to a troubled score among them');
    if (width < 720) {
      // Cards: no table header; each card's score and report inside the screen.
      check(await page.locator('#fleet-table thead').evaluate((el) => getComputedStyle(el).display) === 'none',
        'fleet at 390 px: one card per cluster (no table header)');
      const rights = await page.locator('#fleet-table tbody tr').evaluateAll((trs) => trs.map((tr) =>
        Math.max(...[...tr.querySelectorAll('.cell-score, .cell-report, .cell-task')]
          .map((td) => td.getBoundingClientRect().right))));
      check(rights.every((right) => right <= width), `fleet at 390 px: score, report and investigation on screen (rightmost ${Math.max(...rights).toFixed(0)} px)`);
    }
    await noHorizontalOverflow(page, 'fleet', width);
    await shot(page, 'fleet', width);

    if (width === WIDTHS[0]) {
      // Filters kept in the URL: a risk tile, sorting by name, finding a cluster.
      await page.locator('#tile-critical').click();
      await page.waitForURL(/risk=Critical/);
      await page.waitForFunction((n) => document.querySelectorAll('#fleet-table tbody tr').length === n,
        fleet.counts.Critical);
      const risks = await page.locator('#fleet-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.risk));
      check(risks.length === fleet.counts.Critical && risks.every((risk) => risk === 'Critical'),
        `the Critical tile keeps the ${fleet.counts.Critical} Critical clusters`);
      await page.goto(server.url + '/');
      await page.waitForSelector('#fleet-table tbody tr');
      await page.selectOption('#filter-sort', 'name');
      await page.locator('#fleet-filters button[type=submit]').click();
      await page.waitForURL(/sort=name/);
      await page.waitForSelector('#fleet-table tbody tr');
      const order = await page.locator('#fleet-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.cluster));
      check(JSON.stringify(order) === JSON.stringify(byName.clusters.map((c) => c.cluster_id)),
        'sort by name follows the API order');
      // Most firing alerts first: the loaded rows reordered, ties in the API's worst-first order.
      await page.selectOption('#filter-sort', 'firing');
      await page.locator('#fleet-filters button[type=submit]').click();
      await page.waitForURL(/sort=firing/);
      await page.waitForSelector('#fleet-table tbody tr');
      const byFiring = fleet.clusters.slice().sort((a, b) => (b.firing_alerts ?? -1) - (a.firing_alerts ?? -1))
        .map((c) => c.cluster_id);
      const firingOrder = await page.locator('#fleet-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.cluster));
      check(JSON.stringify(firingOrder) === JSON.stringify(byFiring) &&
        (await page.locator('#fleet-shown').textContent()).includes('most firing alerts first'),
      `sort by firing alerts (${fleet.clusters.map((c) => c.firing_alerts).join(',')} in API order)`);
      const wanted = byName.clusters[3];
      await page.fill('#fleet-search', wanted.cluster_name);
      const visible = await page.locator('#fleet-table tbody tr:not([hidden])').evaluateAll((trs) =>
        trs.map((tr) => tr.dataset.cluster));
      check(visible.includes(wanted.cluster_id) && visible.length < fleet.clusters.length,
        `find "${wanted.cluster_name}" narrows the list to ${visible.length} cluster(s)`);
    }

    // ---- cluster ----
    const { cluster, charts } = target;
    await page.goto(`${server.url}/clusters/${cluster.cluster_id}`);
    await page.waitForSelector('#metric-charts svg.chart');
    const measured = charts.metrics.filter((metric) => metric.latest);
    check(await page.locator('#metric-table tr.metric-row').count() === measured.length,
      `cluster at ${width} px: a value row per reported metric (${measured.length})`);
    for (const metric of measured) {
      const text = await page.locator(`#metric-table tr[data-metric="${metric.name}"]`).textContent();
      const thresholdWord = metric.kind === 'lower_is_worse' ? 'warning <' : 'warning ≥';
      const volumeWord = metric.volume ? `the scorer also flags a ${metric.volume.judged}` : '';
      check(text.includes(metric.label) && text.includes(metric.unit) && text.includes(thresholdWord) &&
        text.toLowerCase().includes(metric.latest.state) && text.includes(volumeWord),
      `${metric.short_name}: "${text.replace(/\s+/g, ' ').trim()}"`);
    }
    const disk = charts.metrics.find((m) => m.name === 'starrocks_be_disks_data_used_pct');
    const diskRow = (await page.locator('#metric-table tr[data-metric="starrocks_be_disks_data_used_pct"]').textContent());
    check(diskRow.includes(`${disk.latest.value.toFixed(1)} %`) &&
      diskRow.includes(`warning ≥ ${disk.warning.toFixed(1)} %`) && diskRow.includes(`critical > ${disk.critical.toFixed(1)} %`),
    `the data disk reads ${disk.latest.value.toFixed(1)} % with the catalogue's thresholds (${disk.warning}, ${disk.critical})`);
    const figures = page.locator('#metric-charts figure.chart-card');
    check(await figures.count() === measured.length, `a chart per reported dimension (${measured.length})`);
    await chartIsComplete(figures.first().locator('svg.chart'), `cluster at ${width} px, worst dimension`);
    const allComplete = await figures.evaluateAll((figs) => figs.every((fig) =>
      fig.querySelectorAll('svg.chart g.bands rect.band').length > 0 &&
      fig.querySelectorAll('svg.chart g.x-axis text').length >= 2 &&
      fig.querySelectorAll('svg.chart g.y-axis text').length >= 2));
    check(allComplete, 'every dimension chart has bands and both axes');
    const score = await chartIsComplete(page.locator('#score-chart svg.chart'), `health score at ${width} px`);
    check(score.yLabels.includes('0.0') && score.yLabels.includes('100') &&
      score.yLabels.includes(String(charts.score.healthy_at_least.toFixed(1))),
    `score axis runs 0 to 100 with the band edges (${score.yLabels.join(', ')})`);
    check(charts.score.points.length >= 50, `14 days of scores to draw (${charts.score.points.length} points)`);
    // Alerts folded: one row per alert name + severity, counts adding up to the messages.
    const groups = page.locator('#alert-groups > li.alert-group');
    check(await groups.count() === targetAlerts.counts.size,
      `alerts folded into ${targetAlerts.counts.size} rows for ${targetAlerts.list.length} messages ` +
      `(got ${await groups.count()})`);
    const shownCounts = await groups.evaluateAll((lis) => lis.map((li) =>
      Number(li.querySelector('.count').textContent.replace('×', ''))));
    check(shownCounts.reduce((a, b) => a + b, 0) === targetAlerts.list.length &&
      shownCounts.includes(bestRepeat),
    `folded counts [${shownCounts}] add up to ${targetAlerts.list.length} and show the ×${bestRepeat} repeat`);
    const repeated = groups.filter({ has: page.locator(`.count:text-is("×${bestRepeat}")`) }).first();
    check((await repeated.locator('summary').textContent()).includes('first '),
      'a folded alert shows its first and last times');
    await repeated.locator('summary').click();
    check(await repeated.locator('.alert-messages li').count() === bestRepeat,
      `expanding it lists its ${bestRepeat} messages`);
    await noHorizontalOverflow(page, 'cluster', width);
    await shot(page, 'cluster', width);

    // ---- report ----
    await page.goto(`${server.url}/reports/${report.report_id}`);
    await page.waitForSelector('#evidence-charts svg.chart');
    const cited = await page.locator('#evidence-charts figure').evaluateAll((figs) => figs.map((f) => f.dataset.metric));
    check(cited.includes('starrocks_be_disks_data_used_pct'),
      `report at ${width} px charts the metric its evidence cites (${cited})`);
    await chartIsComplete(page.locator('#evidence-charts svg.chart').first(), `report at ${width} px`);
    check(await page.locator('#evidence-charts svg.chart line.marker').count() >= 1,
      'the report time is marked on the chart');
    await noHorizontalOverflow(page, 'report', width);
    await shot(page, 'report', width);

    check(pageErrors.length === 0, `no page errors at ${width} px (${pageErrors.join(' | ')})`);
    await context.close();
  }
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

console.log(failureCount() === 0 ? 'web pages test: all checks passed'
  : `web pages test: ${failureCount()} check(s) failed`);
process.exit(failureCount() === 0 ? 0 : 1);
