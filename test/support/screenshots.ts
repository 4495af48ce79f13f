// The README's screenshots of the console, taken by the end-to-end tests where the screen is in the
// state worth showing — only when asked for (npm run screenshots sets FRAMELINE_SCREENSHOTS), so
// that npm test never writes a tracked file.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

/** Saves the page as docs/screenshots/`name` when screenshots are asked for. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!process.env.FRAMELINE_SCREENSHOTS) return;
  await page.screenshot({ path: join(SCREENSHOTS, name) });
}
