// frameline serve: the console in a browser, for jump hosts and SSH tunnels (and the end-to-end tests).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../engine/errors.js';
import { FramelineService } from '../../engine/service.js';
import { terminalCodeAuthoriser } from '../../browser-host/command-codes.js';
import { isLoopback, startHost, type RunningHost } from '../../browser-host/server.js';
import { z } from 'zod';
import { numberIn } from '../../../shared/contract/fields.js';
import { dbPath, parse, positionals, requestFrom } from '../args.js';
import { note, out, warnExposed } from '../output.js';

export const help = `frameline serve [--port P] [--host H] [--open] [--allow-any-command] [--db PATH]

Serve the console to a browser: the same engine and screens as the desktop app. Binds 127.0.0.1 on
a free port by default and prints a link with a one-time token: its first use gives that browser a
cookie, later uses are refused. Press Enter in this terminal for a new link (another browser or
window). Requests without a cookie, or from a foreign Origin or Host, are refused. From another
machine, tunnel it:
  ssh -L 8080:127.0.0.1:8080 jump-host 'frameline serve --port 8080'
Binding a non-loopback --host exposes your captures to that network: you are warned. --open opens
the system browser on the URL (not when BROWSER=none or FRAMELINE_NO_OPEN is set).

A page cannot prove that a person clicked Run, so a runbook's shell step asked for from the browser
runs only with a code shown here, in this terminal, with the whole command: type the code into the
page (it works once, for that command, within 5 minutes). Runbooks imported through the page run
nothing until you trust them here (frameline runbooks trust ID), and commands edited in the page are
refused unless serve was started with --allow-any-command (each still needs its code). The page
sends certificates as their text (the engine reads no file a page names), and a mock started from
the page listens on loopback unless --host is another address.`;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  open: { type: 'boolean', default: false },
  'allow-any-command': { type: 'boolean', default: false },
} as const;

/** The port to listen on; 0 for a free one. */
const PortSchema = z.object({ port: numberIn(0, 65535, '', { integer: true }).default(0) });

export const RENDERER_DIR = fileURLToPath(new URL('../../../renderer/', import.meta.url));

/** Opens the system browser on the URL where there is one; never fails the command when there is none. */
function openBrowser(url: string): void {
  if (process.env.BROWSER === 'none' || process.env.FRAMELINE_NO_OPEN) {
    note('not opening a browser (BROWSER=none or FRAMELINE_NO_OPEN is set); open the URL yourself');
    return;
  }
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
  child.on('error', () => note(`could not open a browser (${cmd}); open the URL yourself`));
  child.unref();
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals: args } = parse(argv, OPTIONS, 'serve');
  positionals(args, 'serve');
  const { port } = requestFrom(PortSchema, values, { port: { field: 'port', kind: 'number' } });
  const host = values.host ?? '127.0.0.1';
  if (!existsSync(`${RENDERER_DIR}/index.html`)) {
    throw new InputError(`the console is not built (${RENDERER_DIR} is empty); run "npm run build" first`);
  }
  const service = new FramelineService({
    dbPath: dbPath(values),
    shell: 'browser',
    // Browser mode's authoriser: a code shown in this terminal, typed by the person into the page.
    authoriser: terminalCodeAuthoriser({ print: note, allowPageWritten: values['allow-any-command'] }),
    // A page may not open a listener to a network that serve itself is not on.
    mockHosts: isLoopback(host) ? 'loopback' : 'any',
  });
  let running: RunningHost;
  try {
    running = await startHost({ service, rendererDir: RENDERER_DIR, host, port });
  } catch (err) {
    await service.close();
    throw err;
  }
  if (!isLoopback(host))
    warnExposed(
      host,
      ' and gets the token',
      'can read every captured frame and open connections from this machine.',
    );
  const printLink = (url: string, first: boolean) =>
    out(
      values.json
        ? `${JSON.stringify({ url, port: running.port })}\n`
        : first
          ? `Frameline console: ${url}\n`
          : `New link (opens the console once): ${url}\n`,
    );
  await printLink(running.url, true);
  note('The link opens the console once; press Enter here for a new one. Ctrl+C to stop.');
  if (values.open) openBrowser(running.url);
  // Enter in this terminal: a new one-time link (the first was used, or another browser needs one).
  const onInput = (chunk: Buffer | string) => {
    for (const _ of String(chunk).matchAll(/\n/g)) void printLink(running.newLink(), false);
  };
  process.stdin.on('data', onInput);
  process.stdin.on('error', () => {});
  // Ctrl+C may arrive more than once (the terminal's group, and npm passing it on): the first one
  // stops the server cleanly, later ones must not cut that short.
  await new Promise<void>((resolve) => {
    process.on('SIGINT', resolve);
    process.on('SIGTERM', resolve);
  });
  process.stdin.off('data', onInput);
  process.stdin.destroy();
  note('stopping: closing live captures cleanly…');
  await running.close();
  await service.close();
  return 0;
}
