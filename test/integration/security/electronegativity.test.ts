// Doyensec's electronegativity over the desktop app's sources: the checklist a security reviewer
// runs on an Electron app. It exits 0 whatever it finds, so the report is what we read.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * Checks left out, each with its reason:
 * - AvailableSecurityFixesGlobalCheck fetches Electron's release notes from GitHub at run time:
 *   the answer depends on the network and on the day, not on our code. Keeping Electron current is
 *   the dependency updates' job; this test is about how the app uses it.
 */
const EXCLUDED = ['AvailableSecurityFixesGlobalCheck'];

interface Finding {
  id: string;
  severity: 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL';
  confidence: string;
  file: string;
  line: number;
  manualReview: boolean;
  description: string;
}
interface Report {
  errors: Array<{ file: string; message: string; tolerable: boolean }>;
  issues: Finding[];
}

// Runs in a child process: the tool registers globals, patches console and may call process.exit.
// At start the tool downloads translations with got from the internet; tests stay on this machine,
// so its got is replaced by one that fails at once, and the tool uses the translations it ships.
// (Off the network that download is also a crash on Node 24: the connection fails within
// milliseconds with ERR_SOCKET_CLOSED_BEFORE_CONNECTION, got 11 rejects at once yet still retries,
// and its retry throws "The onCancel handler was attached after the promise settled".)
const RUNNER = `
const Module = require('node:module');
const { dirname } = require('node:path');
const gotPath = require.resolve('got', {
  paths: [dirname(require.resolve('@doyensec/electronegativity/package.json'))],
});
const offline = new Module(gotPath);
offline.filename = gotPath;
offline.loaded = true;
offline.exports = () => Promise.reject(new Error('no network in the tests'));
require.cache[gotPath] = offline;
const run = require('@doyensec/electronegativity');
const fs = require('node:fs');
const [input, csv, json, excluded] = process.argv.slice(1);
run({ input, output: csv, isRelative: true, excludeFromScan: excluded.split(',').map((c) => c.toLowerCase()) }).then(
  (r) => {
    const issues = r.issues.map((i) => ({
      id: i.id, severity: i.severity.name, confidence: i.confidence.name, file: i.file,
      line: i.location.line, manualReview: Boolean(i.manualReview), description: i.description,
    }));
    fs.writeFileSync(json, JSON.stringify({ errors: r.errors, issues }, null, 1));
  },
  (err) => { console.error(err); process.exit(1); },
);`;

let work: string;
let report: Report;
let csv: string;

function describeFindings(findings: Finding[]): string {
  if (findings.length === 0) return 'none';
  return findings
    .map((f) => `  ${f.severity} ${f.id} (${f.confidence}) ${f.file}:${f.line}: ${f.description}`)
    .join('\n');
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'frameline-electronegativity-'));
  // What ships: the main process (shell, engine, CLI, host), shared code, the renderer and the
  // page's CSP, and package.json, from which the tool reads the Electron version.
  const app = join(work, 'app');
  for (const dir of ['electron', 'shared', 'renderer']) {
    if (existsSync(join(root, dir))) cpSync(join(root, dir), join(app, dir), { recursive: true });
  }
  cpSync(join(root, 'package.json'), join(app, 'package.json'));
  // The page as it ships: the build writes its CSP meta tag (electron/serving/console-security.ts).
  const builtPage = join(root, 'dist/renderer/index.html');
  if (!existsSync(builtPage)) throw new Error('dist/renderer/index.html is missing: run npm run build');
  cpSync(builtPage, join(app, 'renderer', 'index.html'));
  csv = join(work, 'report.csv');
  const json = join(work, 'report.json');
  const run = spawnSync(process.execPath, ['-e', RUNNER, app, csv, json, EXCLUDED.join(',')], {
    cwd: root,
    encoding: 'utf8',
    // LANG: its messages in English. One libuv thread: it writes the CSV header and the rows with
    // two concurrent fs.writeFile calls, which a single thread keeps in order.
    env: { ...process.env, LANG: 'en-US', UV_THREADPOOL_SIZE: '1' },
    timeout: 120_000,
  });
  if (run.status !== 0 || !existsSync(json)) {
    throw new Error(`electronegativity failed (exit ${run.status}): ${run.stderr}${run.stdout}`);
  }
  report = JSON.parse(readFileSync(json, 'utf8')) as Report;
}, 150_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('electronegativity', () => {
  it('parses every source file (a file it cannot parse is a file it did not check)', () => {
    const failed = report.errors.filter((e) => !e.tolerable);
    expect(failed, failed.map((e) => `${e.file}: ${e.message}`).join('\n')).toEqual([]);
  });

  it('reports no high-severity finding', () => {
    const counts = { HIGH: 0, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0 };
    for (const f of report.issues) counts[f.severity]++;
    console.log(
      `electronegativity: ${counts.HIGH} high, ${counts.MEDIUM} medium, ${counts.LOW} low, ${counts.INFORMATIONAL} informational\n${describeFindings(report.issues)}`,
    );
    const high = report.issues.filter((f) => f.severity === 'HIGH');
    expect(high, `high-severity findings:\n${describeFindings(high)}`).toEqual([]);
  });

  it('finds the hardening it looks for: isolation, sandbox, no Node, navigation limits, permission handler', () => {
    const mustBeAbsent = [
      'CONTEXT_ISOLATION_JS_CHECK',
      'NODE_INTEGRATION_JS_CHECK',
      'NODE_INTEGRATION_HTML_CHECK',
      'NODE_INTEGRATION_ATTACH_EVENT_JS_CHECK',
      'SANDBOX_JS_CHECK',
      'WEB_SECURITY_JS_CHECK',
      'INSECURE_CONTENT_JS_CHECK',
      'EXPERIMENTAL_FEATURES_JS_CHECK',
      'BLINK_FEATURES_JS_CHECK',
      'AUXCLICK_JS_CHECK',
      'REMOTE_MODULE_JS_CHECK',
      'LIMIT_NAVIGATION_GLOBAL_CHECK',
      'PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK',
      'HTTP_RESOURCES_JS_CHECK',
      'HTTP_RESOURCES_HTML_CHECK',
      'CERTIFICATE_VERIFY_PROC_JS_CHECK',
      'CERTIFICATE_ERROR_EVENT_JS_CHECK',
      'SECURITY_WARNINGS_DISABLED_JS_CHECK',
      'DANGEROUS_FUNCTIONS_JS_CHECK',
    ];
    const found = report.issues.filter((f) => mustBeAbsent.includes(f.id));
    expect(found, describeFindings(found)).toEqual([]);
    // "No CSP at all" would be a finding without a file; the page's own CSP must be seen.
    const noCsp = report.issues.filter((f) => f.id === 'CSP_GLOBAL_CHECK' && f.file === 'N/A');
    expect(noCsp, describeFindings(noCsp)).toEqual([]);
  });

  it('writes its CSV report', () => {
    const lines = readFileSync(csv, 'utf8').trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/^issue, severity, confidence, filename/);
    expect(lines.length - 1).toBe(report.issues.length);
  });
});
