// PDF is the HTML report printed by Chromium. The engine never imports Electron, so printing is a
// port the shell provides: the desktop app prints with its own Chromium (webContents.printToPDF in
// the main process); the command line and browser mode drive the system's Chromium or Chrome with
// playwright-core. Either way JavaScript is off and nothing is fetched.
import { existsSync } from 'node:fs';
import { EnvironmentError } from '../errors.js';

/** How the page footer of a printed report reads. */
export interface PrintOptions {
  /** Plain text shown at the foot of every page, beside the page number. */
  footer: string;
}

/** Prints a self-contained HTML document to an A4 PDF. */
export type PdfPrinter = (html: string, options: PrintOptions) => Promise<Buffer>;

/** No browser to print with, or it would not start: one sentence saying what to do. */
export class PdfUnavailableError extends EnvironmentError {
  constructor(message: string) {
    super(message);
    this.name = 'PdfUnavailableError';
  }
}

/** Where a Chromium or Chrome is looked for, in order (FRAMELINE_CHROMIUM first). */
export function chromiumCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  return [
    ...(env.FRAMELINE_CHROMIUM ? [env.FRAMELINE_CHROMIUM] : []),
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/snap/bin/chromium',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  ];
}

/** The first Chromium or Chrome found, or null. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.FRAMELINE_CHROMIUM) return existsSync(env.FRAMELINE_CHROMIUM) ? env.FRAMELINE_CHROMIUM : null;
  return chromiumCandidates(env).find((p) => existsSync(p)) ?? null;
}

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The footer template Chromium prints on every page (its own tiny document: inline style is the only way). */
export function footerTemplate(footer: string): string {
  const text = footer.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<div style="font: 8px sans-serif; color: #5b6470; width: 100%; padding: 0 14mm; display: flex; justify-content: space-between;"><span>${text}</span><span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`;
}

/** Prints with the system's Chromium (or Chrome) through playwright-core. */
export function chromiumPrinter(env: NodeJS.ProcessEnv = process.env): PdfPrinter {
  return async (html, options) => {
    const path = findChromium(env);
    if (!path)
      throw new PdfUnavailableError(
        env.FRAMELINE_CHROMIUM
          ? `cannot write a PDF: FRAMELINE_CHROMIUM is ${env.FRAMELINE_CHROMIUM}, which does not exist; point it at a Chromium or Chrome binary, or write --format html and print that`
          : 'cannot write a PDF: no Chromium or Chrome found (looked in /usr/bin/chromium and the usual places); install chromium, set FRAMELINE_CHROMIUM=/path/to/chrome, or write --format html and print that from a browser',
      );
    const { chromium } = await import('playwright-core');
    let browser;
    try {
      browser = await chromium.launch({ executablePath: path, headless: true, args: ARGS });
    } catch (err) {
      const first = (err as Error).message.split('\n').find((l) => l.trim() !== '') ?? String(err);
      throw new PdfUnavailableError(
        `cannot write a PDF: ${path} did not start (${first.replace(/^browserType\.launch: /, '')}); set FRAMELINE_CHROMIUM to a working Chromium or Chrome, or write --format html`,
      );
    }
    try {
      const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
      // A report fetches nothing; should anything try, it is refused.
      await context.route('**/*', (route) => route.abort());
      const page = await context.newPage();
      await page.setContent(html, { waitUntil: 'load' });
      return await page.pdf({
        format: 'A4',
        printBackground: true,
        preferCSSPageSize: true,
        displayHeaderFooter: true,
        headerTemplate: '<span></span>',
        footerTemplate: footerTemplate(options.footer),
        margin: { top: '16mm', bottom: '18mm', left: '14mm', right: '14mm' },
      });
    } finally {
      await browser.close();
    }
  };
}
