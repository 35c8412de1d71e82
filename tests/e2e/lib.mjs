// Shared helpers of the end-to-end tests: the binaries under test (from CTest's environment),
// a fresh data directory with a small simulated fleet built through the real CLI, a
// `rockhound serve` on port 0, and the skip-or-fail rule (exit 77 = skipped, but under CI=true a
// missing dependency is a failure).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

export const SKIP = 77;
export const inCi = process.env.CI === 'true';

export function skipOrFail(message) {
  if (inCi) {
    console.error(`FAIL (CI=true): ${message}`);
    process.exit(1);
  }
  console.log(`SKIP: ${message}`);
  process.exit(SKIP);
}

export function requireEnv(name) {
  const value = process.env[name];
  if (!value) skipOrFail(`${name} is not set; run this test through ctest`);
  if (!existsSync(value)) skipOrFail(`${name}=${value} does not exist; build it first`);
  return value;
}

export async function importOrSkip(specifier) {
  try {
    return await import(specifier);
  } catch (error) {
    skipOrFail(`cannot load ${specifier} (${error.code || error.message}); run npm ci in tests/e2e`);
  }
  return null;
}

let failures = 0;
export function check(condition, message) {
  if (condition) {
    console.log(`  ok   ${message}`);
  } else {
    failures += 1;
    console.error(`  FAIL ${message}`);
  }
}
export function failureCount() { return failures; }

export function rockhound(bin, dataDir, args, extraEnv = {}) {
  return execFileSync(bin, ['--data-dir', dataDir, '--log-level', 'error', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120000,
  });
}

const FLEET_END = '2026-11-21 10:00:00';
const FLEET_CYCLE_AT = '2026-11-21 10:05:00';

// A data directory holding a 12-cluster simulated fleet (fixed end hour and seed), scored by
// `rockhound cycle --no-investigate` at the end hour, with reports stored for the troubled
// clusters. options.days: days of telemetry (default 3); options.scoreDays: also score the fleet
// every options.scoreEveryHours (default 6) over that many days before the end, so that the
// score history has points to draw (default 0: one cycle).
export function prepareFleet(bin, fixture, options = {}) {
  const { days = 3, scoreDays = 0, scoreEveryHours = 6 } = options;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'rockhound-e2e-'));
  rockhound(bin, dataDir, ['fleet', 'generate', '--clusters', '12', '--days', String(days),
    '--seed', '7', '--end', FLEET_END]);
  // As of the fleet's end, not the wall clock: the test must pass on any date.
  const cycleAt = new Date(FLEET_CYCLE_AT.replace(' ', 'T') + 'Z').getTime();
  for (let hours = scoreDays * 24; hours > 0; hours -= scoreEveryHours) {
    const at = new Date(cycleAt - hours * 3600000).toISOString().slice(0, 19).replace('T', ' ');
    rockhound(bin, dataDir, ['cycle', '--no-investigate', '--at', at]);
  }
  rockhound(bin, dataDir, ['cycle', '--no-investigate', '--at', FLEET_CYCLE_AT]);
  const stored = JSON.parse(execFileSync(fixture,
    ['reports', path.join(dataDir, 'fleet.db'), path.join(dataDir, 'memory.db')],
    { encoding: 'utf8' }));
  return { dataDir, reports: stored.reports };
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

export function artifactsDir() {
  const dir = process.env.RH_E2E_ARTIFACTS || path.join(tmpdir(), 'rockhound-e2e-artifacts');
  mkdirSync(dir, { recursive: true });
  return dir;
}

// Starts `rockhound serve --port 0 --no-workers` (the tests play the worker themselves through
// rh_e2e_fixture, so nothing else may claim a task) and resolves once it prints its URL.
export function startServer(bin, dataDir, extraEnv = {}, { workers = false } = {}) {
  return new Promise((resolve, reject) => {
    const args = ['--data-dir', dataDir, '--log-level', 'warning', 'serve', '--port', '0'];
    if (!workers) args.push('--no-workers');
    const child = spawn(bin, args,
      { env: { ...process.env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('rockhound serve did not print its URL within 30 s\n' + stderr));
    }, 30000);
    const lines = readline.createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const match = line.match(/serving (http:\/\/127\.0\.0\.1:(\d+))\//);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1],
          child,
          stderr: () => stderr,
          stop: () => new Promise((done) => {
            if (child.exitCode !== null) { done(child.exitCode); return; }
            child.once('exit', (code, signal) => done(code === null ? signal : code));
            child.kill('SIGTERM');
          }),
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`rockhound serve exited with ${code}\n${stderr}`));
    });
  });
}

export function runFixture(fixture, dataDir, args) {
  return JSON.parse(execFileSync(fixture,
    [args[0], path.join(dataDir, 'fleet.db'), path.join(dataDir, 'memory.db'), ...args.slice(1)],
    { encoding: 'utf8' }));
}
