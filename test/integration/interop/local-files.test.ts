// HAR files and exports straight from and to files on this machine (`interop:importFile`,
// `interop:exportFile`: how `frameline import FILE` and `frameline export -o FILE` move gigabytes
// without copying them through the contract): answered for the command line's host, the same as
// what the console uploads or reads back in pieces, and refused to a page in browser mode, which
// may not have the engine read or write where it names.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PayloadOf, ResponseOf } from '../../../shared/contract.js';
import { FramelineService } from '../../../electron/engine/service.js';
import { cli, workspace, type Workspace } from '../../support/cli.js';
import { smallDisk } from '../../support/small-disk.js';
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

describe('an export on a full disk', () => {
  it('removes its partial file and says so in one line: to a file, and to stdout through the engine', async (ctx) => {
    const disk = smallDisk(8);
    if ('unavailable' in disk) return ctx.skip(`skipped: ${disk.unavailable}`);
    try {
      service = new FramelineService({ dbPath: ws.db, shell: 'cli' });
      const sessionId = await importChrome();
      disk.fill(0);
      const file = join(disk.path, 'session.har');
      expect(
        await failedCall(service, 'interop:exportFile', { sessionId, format: 'har', path: file }),
      ).toEqual({
        code: 'failed',
        message: `cannot write ${file}: the disk is full (ENOSPC); the partial file was removed; free some space on that disk and try again`,
      });
      expect(readdirSync(disk.path)).toEqual(['filler']);
      await service.close();
      service = undefined;
      // Without -o, the engine writes the export in its own scratch folder, then it is read back.
      const r = await cli(['export', String(sessionId), '--format', 'ndjson', '--db', ws.db], {
        TMPDIR: disk.path,
      });
      expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
        code: 1,
        stdout: '',
        stderr: `frameline: cannot write the export to a scratch file in ${disk.path}: the disk is full (ENOSPC); nothing was exported; free some space on that disk and try again\n`,
      });
    } finally {
      disk.unmount();
    }
  });
});

describe('interop:importFile', () => {
  it('imports the file the command line names, as an upload of it imports, with progress when asked', async () => {
    service = new FramelineService({ dbPath: ws.db, shell: 'cli' });
    const progress: Array<PayloadOf<'interop:progress'>> = [];
    service.onPush((topic, payload) => {
      if (topic === 'interop:progress') progress.push(payload as PayloadOf<'interop:progress'>);
    });
    const uploaded = await importChrome();
    expect(progress.length).toBeGreaterThan(0);
    progress.length = 0;
    const quiet = await call<ResponseOf<'interop', 'importFile'>>('interop:importFile', { path: CHROME });
    // Nothing pushed for a request that did not ask.
    expect(progress).toEqual([]);
    const named = await call<ResponseOf<'interop', 'importFile'>>('interop:importFile', {
      path: CHROME,
      name: '  from the terminal ',
      progressId: 'terminal-import-1',
    });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.uploadId === 'terminal-import-1')).toBe(true);
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['checking', 'importing']));
    expect([quiet.sessionId, named.sessionId]).toEqual([uploaded + 1, uploaded + 2]);
    const { sessionId: _, ...same } = quiet;
    expect(named).toMatchObject({ ...same, connections: 1, frames: 4, skipped: 1 });
    const sessions = await call<ResponseOf<'sessions', 'list'>>('sessions:list', {});
    expect(sessions.map((s) => [s.id, s.name, s.frames])).toEqual([
      [named.sessionId, 'from the terminal', 4],
      [quiet.sessionId, 'chrome-devtools.har', 4],
      [uploaded, 'chrome-devtools.har', 4],
    ]);
    // Both read back the same frames.
    expect((await readBack(named.sessionId, 'ndjson')).summary).toMatchObject({ frames: 4 });
  });

  it('says what is wrong with the file, and where, in one sentence', async () => {
    service = new FramelineService({ dbPath: ws.db, shell: 'cli' });
    const folder = join(ws.dir, 'a-folder');
    mkdirSync(folder);
    expect(await failedCall(service, 'interop:importFile', { path: folder })).toEqual({
      code: 'bad-request',
      message: `the HAR file ${folder} is a directory, not a file; give a regular file`,
    });
    const bad = join(ws.dir, 'bad.har');
    writeFileSync(bad, '{"log": {"entries": 7}}');
    expect(await failedCall(service, 'interop:importFile', { path: bad })).toMatchObject({
      code: 'bad-request',
      message: expect.stringMatching(/log\.entries/),
    });
    expect(await call('sessions:list', {})).toEqual([]);
  });

  it('checks the whole file before the database opens: a refused file creates nothing, not even the database', async () => {
    const db = join(ws.dir, 'evidence', 'new.db');
    service = new FramelineService({ dbPath: db, shell: 'cli', openOnFirstUse: true });
    const bad = join(ws.dir, 'pages-only.har');
    writeFileSync(bad, JSON.stringify({ log: { entries: [{ request: { url: 'https://x.example/' } }] } }));
    expect(await failedCall(service, 'interop:importFile', { path: bad })).toMatchObject({
      code: 'bad-request',
      message: expect.stringMatching(/^pages-only\.har has no WebSocket entry/),
    });
    expect(existsSync(join(ws.dir, 'evidence'))).toBe(false);
    const imported = await call<ResponseOf<'interop', 'importFile'>>('interop:importFile', { path: CHROME });
    expect(imported).toMatchObject({ sessionId: 1, frames: 4 });
    expect(existsSync(db)).toBe(true);
  });

  it('is refused to a page in browser mode, which reads nothing', async () => {
    service = new FramelineService({ dbPath: ws.db, shell: 'browser' });
    expect(
      await failedCall(service, 'interop:importFile', { path: CHROME, progressId: 'page-1234' }),
    ).toEqual({
      code: 'forbidden',
      message:
        'a page may not have the engine read a file on this machine; send the file with interop:upload and import it with interop:import',
    });
    expect(await call('sessions:list', {})).toEqual([]);
  });

  it('refuses a page a packet capture from this machine too (interop:importPcap)', async () => {
    service = new FramelineService({ dbPath: ws.db, shell: 'browser' });
    expect(
      await failedCall(service, 'interop:importPcap', { path: CHROME, keylog: '/etc/hostname' }),
    ).toEqual({ code: 'forbidden', message: 'a page may not have the engine read a file on this machine' });
    expect(await call('sessions:list', {})).toEqual([]);
  });
});
