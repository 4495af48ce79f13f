// A session exported straight to a file on this machine (`interop:exportFile`, how `frameline
// export -o FILE` writes a million frames without copying them through the contract): written by
// the command line's host, byte for byte what the console reads back in pieces, and refused to a
// page in browser mode, which may not have the engine write where it names.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResponseOf } from '../../../shared/contract.js';
import { FramelineService } from '../../../electron/engine/service.js';
import { workspace, type Workspace } from '../../support/cli.js';
import { callService, failedCall } from '../../support/service.js';

const CHROME = fileURLToPath(new URL('../../fixtures/har/chrome-devtools.har', import.meta.url));

let ws: Workspace;
let service: FramelineService | undefined;

beforeEach(() => {
  ws = workspace();
});

afterEach(async () => {
  await service?.close();
  service = undefined;
  ws.cleanup();
});

const call = <T = unknown>(channel: string, payload: unknown) => callService<T>(service!, channel, payload);

/** The Chrome DevTools fixture imported as the console imports it; answers the session's id. */
async function importChrome(): Promise<number> {
  const { uploadId } = await call<{ uploadId: string }>('interop:upload', {
    fileName: 'chrome-devtools.har',
    offset: 0,
    data: readFileSync(CHROME).toString('base64'),
  });
  return (await call<ResponseOf<'interop', 'import'>>('interop:import', { uploadId })).sessionId;
}

/** An export as the console gets it: written by the engine, read back in pieces. */
async function readBack(sessionId: number, format: 'har' | 'ndjson') {
  const e = await call<ResponseOf<'interop', 'export'>>('interop:export', { sessionId, format });
  const pieces: Buffer[] = [];
  for (let offset = 0; ;) {
    const r = await call<{ data: string; done: boolean }>('interop:read', {
      exportId: e.exportId,
      offset,
      length: 1000,
    });
    pieces.push(Buffer.from(r.data, 'base64'));
    offset += pieces[pieces.length - 1]!.length;
    if (r.done) break;
  }
  await call('interop:discard', { id: e.exportId });
  const { exportId: _, ...summary } = e;
  return { summary, bytes: Buffer.concat(pieces) };
}

describe('interop:exportFile', () => {
  it('writes the file the command line names, byte for byte what the console reads back', async () => {
    service = new FramelineService({ dbPath: ws.db, shell: 'cli' });
    const sessionId = await importChrome();
    for (const format of ['har', 'ndjson'] as const) {
      const path = join(ws.dir, `out.${format}`);
      const summary = await call<ResponseOf<'interop', 'exportFile'>>('interop:exportFile', {
        sessionId,
        format,
        path,
      });
      const console = await readBack(sessionId, format);
      expect(summary).toEqual(console.summary);
      expect(summary).toMatchObject({ connections: 1, frames: 4, bytes: console.bytes.length });
      expect(readFileSync(path)).toEqual(console.bytes);
    }
    // Nothing but the two exports beside them (the body written on the side is gone).
    expect(readdirSync(ws.dir).filter((f) => f.startsWith('out.') || f.includes('.part'))).toEqual([
      'out.har',
      'out.ndjson',
    ]);
  });

  it('says in one sentence which file it cannot write and what to check', async () => {
    service = new FramelineService({ dbPath: ws.db, shell: 'cli' });
    const sessionId = await importChrome();
    const folder = join(ws.dir, 'a-folder');
    mkdirSync(folder);
    expect(
      await failedCall(service, 'interop:exportFile', { sessionId, format: 'ndjson', path: folder }),
    ).toEqual({
      code: 'bad-request',
      message: `cannot write ${folder} (EISDIR); check the folder exists and is writable`,
    });
    const missing = join(ws.dir, 'no-such-folder', 'out.har');
    expect(
      await failedCall(service, 'interop:exportFile', { sessionId, format: 'har', path: missing }),
    ).toEqual({
      code: 'bad-request',
      message: `cannot write beside ${missing} (ENOENT); pick a writable folder`,
    });
    expect(
      (
        await failedCall(service, 'interop:exportFile', {
          sessionId: 99,
          format: 'har',
          path: join(ws.dir, 'x'),
        })
      ).code,
    ).toBe('not-found');
  });

  it('is refused to a page in browser mode, and writes nothing', async () => {
    service = new FramelineService({ dbPath: ws.db, shell: 'browser' });
    const sessionId = await importChrome();
    const path = join(ws.dir, 'from-a-page.har');
    expect(await failedCall(service, 'interop:exportFile', { sessionId, format: 'har', path })).toEqual({
      code: 'forbidden',
      message:
        'a page may not have a file written on this machine; export with interop:export and save what interop:read gives',
    });
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(ws.dir).filter((f) => f.includes('from-a-page'))).toEqual([]);
  });
});
