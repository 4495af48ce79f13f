// HAR and NDJSON through the contract, as the console moves them: a HAR file sent in pieces and
// imported with progress pushes, a session exported and read back in pieces.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PayloadOf, ResponseOf } from '../../../shared/contract.js';
import { FramelineService } from '../../../electron/engine/service.js';
import { workspace, type Workspace } from '../../support/cli.js';
import { callService, failedCall } from '../../support/service.js';

const CHROME = fileURLToPath(new URL('../../fixtures/har/chrome-devtools.har', import.meta.url));

let ws: Workspace;
let service: FramelineService;
let progress: Array<PayloadOf<'interop:progress'>>;

beforeEach(() => {
  ws = workspace();
  service = new FramelineService({ dbPath: ws.db, shell: 'browser' });
  progress = [];
  service.onPush((topic, payload) => {
    if (topic === 'interop:progress') progress.push(payload as PayloadOf<'interop:progress'>);
  });
});

afterEach(async () => {
  await service.close();
  ws.cleanup();
});

const call = <T = unknown>(channel: string, payload: unknown) => callService<T>(service, channel, payload);

describe('interop through the contract', () => {
  it('imports a HAR sent in pieces, then exports the session and reads it back in pieces', async () => {
    const bytes = readFileSync(CHROME);
    let uploadId: string | undefined;
    for (let offset = 0; offset < bytes.length; offset += 1000) {
      const r = await call<{ uploadId: string; bytes: number }>('interop:upload', {
        ...(uploadId ? { uploadId } : {}),
        fileName: 'chrome-devtools.har',
        offset,
        data: bytes.subarray(offset, offset + 1000).toString('base64'),
      });
      uploadId = r.uploadId;
      expect(r.bytes).toBe(Math.min(bytes.length, offset + 1000));
    }
    const imported = await call<ResponseOf<'interop', 'import'>>('interop:import', {
      uploadId,
      name: 'from the console',
    });
    expect(imported).toMatchObject({ connections: 1, frames: 4, skipped: 1 });
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['checking', 'importing']));
    expect(progress.every((p) => p.uploadId === uploadId)).toBe(true);
    // The upload is gone once imported.
    expect((await failedCall(service, 'interop:import', { uploadId })).code).toBe('not-found');

    const exported = await call<ResponseOf<'interop', 'export'>>('interop:export', {
      sessionId: imported.sessionId,
      format: 'ndjson',
    });
    expect(exported).toMatchObject({
      fileName: `session-${imported.sessionId}.ndjson`,
      frames: 4,
      connections: 1,
    });
    const pieces: Buffer[] = [];
    for (let offset = 0; ;) {
      const r = await call<{ data: string; done: boolean }>('interop:read', {
        exportId: exported.exportId,
        offset,
        length: 200,
      });
      const piece = Buffer.from(r.data, 'base64');
      pieces.push(piece);
      offset += piece.length;
      if (r.done) break;
    }
    const text = Buffer.concat(pieces).toString('utf8');
    expect(Buffer.byteLength(text)).toBe(exported.bytes);
    expect(text.trimEnd().split('\n')).toHaveLength(5);
    expect(await call('interop:discard', { id: exported.exportId })).toEqual({ ok: true });
    expect(
      (await failedCall(service, 'interop:read', { exportId: exported.exportId, offset: 0, length: 10 }))
        .code,
    ).toBe('not-found');
  });

  it('refuses pieces out of order and a file that is not a HAR, saying where', async () => {
    const first = await call<{ uploadId: string }>('interop:upload', {
      fileName: 'x.har',
      offset: 0,
      data: Buffer.from('{"log":').toString('base64'),
    });
    const gap = await failedCall(service, 'interop:upload', {
      uploadId: first.uploadId,
      fileName: 'x.har',
      offset: 100,
      data: '',
    });
    expect(gap).toEqual({
      code: 'bad-request',
      message: 'piece at offset 100 out of order: the upload has 7 bytes',
    });
    const bad = await failedCall(service, 'interop:import', { uploadId: first.uploadId });
    expect(bad).toEqual({
      code: 'bad-request',
      message: 'not JSON at line 1, column 8 (in log): the file ends early, inside an object',
    });
    expect(await call('sessions:list', {})).toEqual([]);
  });
});
