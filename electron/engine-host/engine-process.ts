// The engine's own process (Electron's utilityProcess): FramelineService on the user's database,
// answering the contract over the MessagePort main sends with the first message. Capture receive,
// spool writes, page and count queries, full-text catch-up and diagnoses run here, so the window's
// main process never waits for them. Shell commands are confirmed by main in a native dialog: that is
// the desktop's authoriser (incidents/trust.ts) — the engine asks over the port and runs only what
// the user accepted. Reports
// are printed to PDF by main's Chromium: the engine sends the HTML over the port and gets the PDF.
// No `import 'electron'` here: a utility process gets only process.parentPort.
import { FramelineService } from '../engine/service.js';
import { DeclinedError, type Authoriser, type CommandConfirmation } from '../engine/incidents/trust.js';
import { defaultDbPath } from '../engine/paths.js';
import { footerTemplate, PdfUnavailableError, type PrintOptions } from '../engine/reports/pdf.js';
import type { EngineInit, FromEngine, PortLike, ToEngine } from './engine-protocol.js';

const parentPort = (process as unknown as { parentPort?: PortLike }).parentPort;
if (!parentPort) {
  console.error(
    "engine-process.js runs in Electron's utility process (started by main/main.ts), not on its own.",
  );
  process.exit(2);
}

parentPort.on('message', (event) => {
  const init = event.data as EngineInit;
  const port = event.ports[0];
  if (init?.kind !== 'init' || !port) return;
  serve(port);
});

function serve(port: PortLike): void {
  const send = (message: FromEngine) => port.postMessage(message);
  const confirmations = new Map<number, (ok: boolean) => void>();
  let nextConfirmation = 1;
  const confirm = (request: CommandConfirmation) =>
    new Promise<boolean>((resolve) => {
      const id = nextConfirmation++;
      confirmations.set(id, resolve);
      send({ kind: 'confirm', id, request });
    });

  const prints = new Map<number, { resolve: (pdf: Buffer) => void; reject: (err: Error) => void }>();
  let nextPrint = 1;
  const pdf = (html: string, options: PrintOptions) =>
    new Promise<Buffer>((resolve, reject) => {
      const id = nextPrint++;
      prints.set(id, { resolve, reject });
      send({ kind: 'print', id, html, footerTemplate: footerTemplate(options.footer) });
    });

  // The same database the command line opens by default.
  const dbPath = defaultDbPath();
  let service: FramelineService;
  try {
    service = new FramelineService({
      dbPath,
      shell: 'desktop',
      authoriser: dialogAuthoriser(confirm),
      pdf,
    });
  } catch (err) {
    send({ kind: 'fatal', dbPath, message: `${dbPath}: ${(err as Error).message}` });
    setImmediate(() => process.exit(1));
    return;
  }
  service.onPush((topic, payload) => send({ kind: 'push', topic, payload }));

  let closing = false;
  port.on('message', (event) => {
    const msg = event.data as ToEngine;
    switch (msg.kind) {
      case 'request':
        // handle() validates the payload against the channel's schema and never throws.
        void service
          .handle(msg.channel, msg.payload)
          .then((result) => send({ kind: 'response', id: msg.id, result }));
        return;
      case 'confirmed':
        confirmations.get(msg.id)?.(msg.ok);
        confirmations.delete(msg.id);
        return;
      case 'printed': {
        const p = prints.get(msg.id);
        prints.delete(msg.id);
        if (msg.pdf) p?.resolve(Buffer.from(msg.pdf));
        else
          p?.reject(
            new PdfUnavailableError(`cannot write a PDF: ${msg.error ?? 'the app could not print it'}`),
          );
        return;
      }
      case 'close':
        if (closing) return;
        closing = true;
        for (const resolve of confirmations.values()) resolve(false);
        confirmations.clear();
        for (const p of prints.values())
          p.reject(new Error('the app is quitting; the report was not printed'));
        prints.clear();
        // Live captures end with a clean 1000 close and the database is closed before we exit.
        service
          .close()
          .catch((err: Error) => console.error(`closing the database failed: ${err.message}`))
          .finally(() => {
            send({ kind: 'closed' });
            setImmediate(() => process.exit(0));
          });
        return;
    }
  });
  port.start();
  send({ kind: 'ready' });
}

/**
 * The desktop's authoriser: the native dialog in main, which shows the whole command (escaped,
 * capped and saying so), who wrote it and where it runs; edits and untrusted imports are put to the
 * person there too, since the dialog is outside the page.
 */
function dialogAuthoriser(ask: (c: CommandConfirmation) => Promise<boolean>): Authoriser {
  return {
    requester: 'page',
    pageWritten: { allowed: true },
    confirm: async (c) => {
      if (!(await ask(c)))
        throw new DeclinedError('the command was not run: it was declined in the confirmation dialog');
    },
  };
}
