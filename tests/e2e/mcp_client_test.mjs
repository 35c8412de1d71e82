// `rockhound mcp` driven by the official MCP TypeScript SDK client (@modelcontextprotocol/sdk)
// over the stdio transport, as Claude Desktop or Claude Code would: initialize (version and
// capabilities negotiated by the SDK), tools/list, a call of every tool, ping, and the error
// paths (unknown tool, invalid arguments, unknown method). Data: a 12-cluster simulated fleet
// scored by `rockhound cycle`, stored reports, and the starter knowledge ingested with
// `rockhound kb ingest`. Exit 0 = pass, 1 = fail, 77 = skipped (never under CI=true).
import path from 'node:path';
import {
  check, failureCount, importOrSkip, prepareFleet, removeDir, requireEnv, rockhound,
} from './lib.mjs';

const bin = requireEnv('ROCKHOUND_BIN');
const fixture = requireEnv('RH_E2E_FIXTURE');
const sourceDir = process.env.RH_SOURCE_DIR || path.resolve('../..');
const { Client } = await importOrSkip('@modelcontextprotocol/sdk/client/index.js');
const { StdioClientTransport } = await importOrSkip('@modelcontextprotocol/sdk/client/stdio.js');
const { ErrorCode } = await importOrSkip('@modelcontextprotocol/sdk/types.js');

const EXPECTED_TOOLS = [
  'query_cluster_info', 'query_cluster_alerts', 'query_cluster_metrics', 'query_cluster_operations',
  'search_knowledge_lake', 'query_agent_memory', 'query_similar_clusters', 'run_sql',
  'search_hybrid', 'search_fulltext', 'search_vector', 'list_reports', 'get_report',
  'request_investigation', 'get_investigation', 'list_issues', 'get_issue', 'ask_report',
];

const { dataDir, reports } = prepareFleet(bin, fixture);
rockhound(bin, dataDir, ['kb', 'ingest', path.join(sourceDir, 'knowledge', 'starter')]);
const cluster = reports[0].cluster_id;
console.log(`fleet ready in ${dataDir}; investigating ${cluster}`);

const transport = new StdioClientTransport({
  command: bin,
  args: ['--data-dir', dataDir, '--log-level', 'warning', 'mcp'],
  stderr: 'pipe',
});
let serverLog = '';
transport.stderr?.on('data', (chunk) => { serverLog += chunk; });
const client = new Client({ name: 'rockhound-e2e', version: '1.0.0' });

function text(result) {
  return result.content.filter((item) => item.type === 'text').map((item) => item.text).join('');
}

try {
  await client.connect(transport);
  const info = client.getServerVersion();
  check(info?.name === 'rockhound', `initialized with server ${info?.name} ${info?.version}`);
  check(Boolean(client.getServerCapabilities()?.tools), 'server declares the tools capability');
  check((client.getInstructions() || '').includes('request_investigation'), 'server sends instructions');
  check(JSON.stringify(await client.ping()) === '{}', 'ping');

  const { tools } = await client.listTools();
  const names = tools.map((tool) => tool.name);
  check(names.length === EXPECTED_TOOLS.length, `${EXPECTED_TOOLS.length} tools listed (got ${names.length})`);
  for (const name of EXPECTED_TOOLS) check(names.includes(name), `tools/list has ${name}`);
  check(tools.every((tool) => tool.inputSchema?.type === 'object' && tool.description),
    'every tool has a description and an object input schema');

  const calls = {
    query_cluster_info: { cluster_id: cluster },
    query_cluster_alerts: { cluster_id: cluster },
    query_cluster_metrics: { cluster_id: cluster },
    query_cluster_operations: { cluster_id: cluster },
    search_knowledge_lake: { query: 'BE disk usage above 85 percent' },
    query_agent_memory: { cluster_id: cluster },
    query_similar_clusters: { cluster_id: cluster },
    run_sql: { sql: 'SELECT COUNT(*) AS clusters FROM cluster_info' },
    search_hybrid: { query: 'disk full on BE nodes', k: 3 },
    search_fulltext: { query: 'compaction score', k: 3 },
    search_vector: { query: 'queries fail because memory is exhausted', k: 3 },
    list_reports: { severity: 'high', limit: 5 },
    get_report: { report_id: reports[0].report_id },
    ask_report: { report_id: reports[0].report_id, question: 'list the tool calls', engine: 'playbook' },
  };
  for (const [name, args] of Object.entries(calls)) {
    const result = await client.callTool({ name, arguments: args });
    check(!result.isError && text(result).length > 0,
      `${name} answers (${text(result).length} chars)${result.isError ? ': ' + text(result) : ''}`);
  }
  const sql = JSON.stringify(await client.callTool({ name: 'run_sql', arguments: calls.run_sql }));
  check(sql.includes('12'), 'run_sql counts the 12 clusters');
  const hybrid = JSON.parse(text(await client.callTool({ name: 'search_hybrid', arguments: calls.search_hybrid })));
  check(hybrid.hits.length > 0, `search_hybrid finds starter knowledge (${hybrid.hits[0]?.title})`);
  const listed = JSON.parse(text(await client.callTool({ name: 'list_reports', arguments: { limit: 50 } })));
  check(listed.reports.length === reports.length, `list_reports returns the ${reports.length} reports`);
  const markdown = text(await client.callTool({ name: 'get_report', arguments: { report_id: reports[0].report_id } }));
  check(markdown.includes(cluster), 'get_report returns the Markdown report');

  const requested = JSON.parse(text(await client.callTool({
    name: 'request_investigation', arguments: { cluster_id: cluster, question: 'Is the disk filling?' },
  })));
  check(requested.created === true && requested.status === 'queued', `request_investigation queued ${requested.task_id}`);
  const followed = JSON.parse(text(await client.callTool({
    name: 'get_investigation', arguments: { task_id: requested.task_id },
  })));
  check(followed.status === 'queued' && followed.cluster_id === cluster, 'get_investigation follows it');

  // Alert issues: `rockhound cycle` grouped the simulated fleet's alerts into issues.
  const issues = JSON.parse(text(await client.callTool({
    name: 'list_issues', arguments: { limit: 100 },
  })));
  check(Array.isArray(issues.issues) && issues.issues.length > 0,
    `list_issues lists the fleet's alert issues (${issues.issues?.length})`);
  const openFirst = issues.issues.findIndex((issue) => issue.issue_status !== 'Ongoing');
  check(openFirst === -1 || issues.issues.slice(openFirst).every((i) => i.issue_status !== 'Ongoing'),
    'list_issues puts open issues first');
  const issueId = issues.issues[0].issue_id;
  const issue = JSON.parse(text(await client.callTool({
    name: 'get_issue', arguments: { issue_id: issueId, max_alerts: 5 },
  })));
  check(issue.issue_id === issueId && issue.alerts.length > 0 && issue.alerts.length <= 5 &&
    Array.isArray(issue.events), `get_issue returns ${issueId} with its timeline and history`);
  const filtered = JSON.parse(text(await client.callTool({
    name: 'list_issues', arguments: { cluster_id: issue.cluster_id, status: 'open' },
  })));
  check(filtered.issues.every((i) => i.cluster_id === issue.cluster_id && i.issue_status === 'Ongoing'),
    'list_issues filters by cluster and status');
  const noIssue = await client.callTool({ name: 'get_issue', arguments: { issue_id: 'iss_missing' } });
  check(noIssue.isError === true, 'a missing issue gives isError');

  // Resources: reports and clusters, through the SDK's own resource calls.
  check(Boolean(client.getServerCapabilities()?.resources), 'the server announces resources');
  const templates = await client.listResourceTemplates();
  check(templates.resourceTemplates.map((t) => t.uriTemplate).join(' ') ===
    'rockhound://reports/{report_id} rockhound://clusters/{cluster_id}',
    'resources/templates/list names the report and cluster templates');
  const resources = await client.listResources();
  check(resources.resources.length === Math.min(reports.length, 50) &&
    resources.resources.every((r) => r.uri.startsWith('rockhound://reports/rpt_')),
    `resources/list lists the newest reports (${resources.resources.length})`);
  const reportResource = await client.readResource({ uri: resources.resources[0].uri });
  check(reportResource.contents[0].mimeType === 'text/markdown' &&
    reportResource.contents[0].text.startsWith('#'), 'a report resource reads as Markdown');
  const clusterResource = await client.readResource({ uri: `rockhound://clusters/${cluster}` });
  check(JSON.parse(clusterResource.contents[0].text).cluster_id === cluster,
    'a cluster resource reads as the cluster JSON');
  try {
    await client.readResource({ uri: 'rockhound://clusters/c-nowhere' });
    check(false, 'an unknown cluster resource is refused');
  } catch (error) {
    check(error.code === -32002, `an unknown resource is refused with -32002 (got ${error.code})`);
  }

  // Errors: a bad argument is a tool result the model can read and fix ...
  const bad = await client.callTool({ name: 'query_cluster_info', arguments: { cluster_id: 'Not A Cluster!' } });
  check(bad.isError === true && text(bad).includes('cluster_id'), 'invalid arguments give isError with the reason');
  const missing = await client.callTool({ name: 'get_report', arguments: { report_id: 'rpt_missing' } });
  check(missing.isError === true, 'a missing report gives isError');
  // ... an unknown tool is a protocol error (-32602) ...
  try {
    await client.callTool({ name: 'drop_everything', arguments: {} });
    check(false, 'unknown tool is refused');
  } catch (error) {
    check(error.code === ErrorCode.InvalidParams, `unknown tool is refused with -32602 (got ${error.code})`);
  }
  // ... and so is an unknown method (-32601).
  try {
    await client.request({ method: 'prompts/list', params: {} },
      (await importOrSkip('@modelcontextprotocol/sdk/types.js')).ListPromptsResultSchema);
    check(false, 'unknown method is refused');
  } catch (error) {
    check(error.code === ErrorCode.MethodNotFound, `unknown method is refused with -32601 (got ${error.code})`);
  }
  // The server survives all of that.
  check(JSON.stringify(await client.ping()) === '{}', 'still answering after the errors');
} catch (error) {
  check(false, `unexpected error: ${error.stack || error}`);
  console.error(serverLog);
} finally {
  await client.close();
  removeDir(dataDir);
}
check(!serverLog.includes('"jsonrpc"'), 'nothing of the protocol leaked to stderr');
console.log(failureCount() === 0 ? 'mcp client test: all checks passed' : `mcp client test: ${failureCount()} check(s) failed`);
process.exit(failureCount() === 0 ? 0 : 1);
