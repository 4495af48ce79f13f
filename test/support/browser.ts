// Debian's Chromium driven by playwright-core: no browser download, ever.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or null when they can. */
export function browserMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `Chromium not installed at ${CHROMIUM} (apt-get install chromium)`;
}

/**
 * Chromium, with `extraArgs` (a proxy, a pinned certificate key) after the usual ones, and `env`
 * (SSLKEYLOGFILE) added to the test's environment.
 */
export function launchChromium(
  extraArgs: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    env: { ...process.env, ...env },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}
