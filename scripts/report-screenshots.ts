// npm run screenshots: the pictures of the post-mortem (docs/reports-redaction.md, README.md), made
// from a real walked incident
// (recorded against a local service that fails with 1011, as the tests' fixture does): the HTML
// report in Chromium, a page of its PDF (printed by Chromium, rendered by poppler's pdftoppm), and
// the console's post-mortem view and Export report dialog. Never part of npm test.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchChromium } from '../test/support/browser.js';
import { workspace } from '../test/support/cli.js';
import { walkedIncident } from '../test/support/incident-fixture.js';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/electron/cli/frameline.js', import.meta.url));

function frameline(args: string[]): string {
  return execFileSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const ws = workspace();
const browser = await launchChromium();
try {
  mkdirSync(OUT, { recursive: true });
  const incident = await walkedIncident(ws.db);
  await incident.server.close();
  const id = String(incident.incidentId);
  const html = join(ws.dir, 'report.html');
  const pdf = join(ws.dir, 'report.pdf');
  frameline(['report', id, '-o', html, '--db', ws.db]);
  frameline(['report', id, '-o', pdf, '--db', ws.db]);

  // The HTML report as a colleague opens it.
  const page = await browser.newPage({ viewport: { width: 1100, height: 1300 } });
  await page.goto(pathToFileURL(html).href);
  await page.screenshot({ path: join(OUT, 'report-html.png') });
  await page.locator('#runbook').scrollIntoViewIfNeeded();
  await page.evaluate(() => document.querySelector('#runbook')!.scrollIntoView());
  await page.screenshot({ path: join(OUT, 'report-html-path.png') });
  await page.close();

  // The PDF page that holds the flowchart of the path taken.
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1]);
  let flowchartPage = 1;
  for (let p = 1; p <= pages; p++) {
    const text = execFileSync('pdftotext', ['-f', String(p), '-l', String(p), pdf, '-'], {
      encoding: 'utf8',
    });
    if (text.includes('The path taken is drawn thick')) {
      flowchartPage = p;
      break;
    }
  }
  const prefix = join(ws.dir, 'page');
  execFileSync('pdftoppm', [
    '-r',
    '80',
    '-png',
    '-f',
    String(flowchartPage),
    '-l',
    String(flowchartPage),
    pdf,
    prefix,
  ]);
  const png = readdirSync(ws.dir).find((f) => f.startsWith('page') && f.endsWith('.png'))!;
  execFileSync('cp', [join(ws.dir, png), join(OUT, 'report-pdf-page.png')]);

  // The console: the post-mortem view and the Export report dialog.
  const serve = spawn(process.execPath, [CLI, 'serve', '--json', '--db', ws.db], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    const { url } = await new Promise<{ url: string }>((resolve) =>
      createInterface({ input: serve.stdout! }).once('line', (l) =>
        resolve(JSON.parse(l) as { url: string }),
      ),
    );
    const app = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await app.goto(url);
    await app.goto(new URL(`#/incidents/${id}`, url).href);
    await app.getByRole('tab', { name: 'Post-mortem' }).click();
    await app.getByTestId('postmortem').waitFor();
    await app.screenshot({ path: join(OUT, 'postmortem.png') });
    await app.getByRole('button', { name: 'Export report…' }).click();
    await app
      .frameLocator('iframe[data-testid=report-preview]')
      .getByRole('heading', { name: 'Summary' })
      .waitFor();
    await app.screenshot({ path: join(OUT, 'report-dialog.png') });
  } finally {
    serve.kill('SIGTERM');
  }
  process.stdout.write(
    `wrote report-html.png, report-html-path.png, report-pdf-page.png (page ${flowchartPage} of ${pages}), postmortem.png and report-dialog.png in ${OUT}\n`,
  );
} finally {
  await browser.close();
  ws.cleanup();
  rmSync(join(ws.dir), { recursive: true, force: true });
}
