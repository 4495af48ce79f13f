// The engines a load-test export is run or checked by: Artillery (a test-only tool in a cache folder
// outside the project, put there by .ci/run) and k6's type declarations (@types/k6; k6 itself does
// not install here).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { finished } from './cli.js';
import { TEST_TOOLS } from './test-tools.js';

const ARTILLERY = join(TEST_TOOLS, 'artillery', 'node_modules', '.bin', 'artillery');
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Why Artillery cannot run, in a sentence a skipped test reports; null when it can. */
export const artilleryMissing = existsSync(ARTILLERY)
  ? null
  : `Artillery is not installed at ${ARTILLERY} (.ci/run installs it; or: PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix ${join(TEST_TOOLS, 'artillery')} artillery@2.0.21)`;

/** Runs Artillery on `script` in `dir`; answers its exit code, output and the counters of its JSON report. */
export async function runArtillery(dir: string, script: string, env: Record<string, string>) {
  const report = join(dir, 'report.json');
  const child = spawn(process.execPath, [ARTILLERY, 'run', '--quiet', '--output', report, script], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ARTILLERY_DISABLE_TELEMETRY: 'true', NO_PROXY: '*', ...env },
  });
  // A Node program of some hundred megabytes that starts in seconds here and in tens of seconds
  // beside a CPU hog: bounded by its own limit.
  const r = await finished(child, 120_000);
  const counters = existsSync(report)
    ? (JSON.parse(readFileSync(report, 'utf8')) as { aggregate: { counters: Record<string, number> } })
        .aggregate.counters
    : {};
  return { ...r, counters };
}

/** The counters of a run that say something failed (`errors.*`, failed virtual users). */
export const failures = (counters: Record<string, number>) =>
  Object.entries(counters).filter(([k, v]) => (k.startsWith('errors.') || k === 'vusers.failed') && v > 0);

/** What the TypeScript checker says of a k6 script (JavaScript) against @types/k6; empty when nothing. */
export function k6TypeErrors(path: string): string[] {
  const program = ts.createProgram([path], {
    allowJs: true,
    checkJs: true,
    noEmit: true,
    strict: true,
    target: ts.ScriptTarget.ES2020,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2020.d.ts'],
    types: ['k6'],
    typeRoots: [join(ROOT, 'node_modules', '@types')],
    skipLibCheck: true,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}
