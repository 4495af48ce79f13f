// Where end-to-end tests put their screenshots. A test run writes them into test-results/screenshots
// (ignored by git) for a person to look at; `npm run screenshots` sets FRAMELINE_SCREENSHOTS and the
// pictures that README.md and docs/ show go to docs/screenshots instead. So `npm test` never changes
// a tracked file.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INSPECT = join(ROOT, 'test-results', 'screenshots');
const README = join(ROOT, 'docs', 'screenshots');

/** True when this run retakes the screenshots README.md and docs/ show (`npm run screenshots`). */
export const RETAKING = process.env.FRAMELINE_SCREENSHOTS === 'readme';

/** A screenshot README.md or docs/ shows: into docs/screenshots when retaking them, else for inspection. */
export async function readmeShot(page: Page, name: string): Promise<void> {
  const dir = RETAKING ? README : INSPECT;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`) });
}

/** A screenshot only for a person checking a run: never a tracked file. */
export async function inspectShot(page: Page, name: string): Promise<void> {
  mkdirSync(INSPECT, { recursive: true });
  await page.screenshot({ path: join(INSPECT, `${name}.png`) });
}
