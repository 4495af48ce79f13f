// Retakes the screenshots README.md and docs/ show: runs the end-to-end journeys that take them with
// FRAMELINE_SCREENSHOTS=readme, which sends those pictures to docs/screenshots, then pictures the
// post-mortem report (scripts/report-screenshots.ts). An ordinary test run keeps every picture in
// test-results/screenshots (ignored by git), so `npm test` changes no tracked file. Run after
// `npm run build` (the `screenshots` npm script does both).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const journeys = [
  'test/e2e/attach.test.ts',
  'test/e2e/sessions.test.ts',
  'test/e2e/diagnose.test.ts',
  'test/e2e/walk.test.ts',
  'test/e2e/walk-query.test.ts',
];
const run = spawnSync(process.execPath, [vitest, 'run', ...journeys], {
  stdio: 'inherit',
  env: { ...process.env, FRAMELINE_SCREENSHOTS: 'readme' },
});
if (run.status !== 0) process.exit(run.status ?? 1);
const tsx = join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'cli.mjs');
const report = spawnSync(process.execPath, [tsx, 'scripts/report-screenshots.ts'], { stdio: 'inherit' });
process.exit(report.status ?? 1);
