// The bundled preload (dist/electron/preload/preload.cjs, made by `npm run build`), run as a sandboxed
// renderer runs it. It carries the contract's names and nothing to check answers with: requests are
// checked where they arrive (main hands them to the engine, which checks them), and answers and
// pushes where they arrive in the page (renderer/api), so the sandboxed preload holds no schema
// library.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { desktopApi } from '../../../renderer/api/api.js';
import { PUSH_CHANNEL, READY_CHANNEL } from '../../../shared/contract-names.js';
import { ApiError, type ResultApi } from '../../../shared/contract.js';
import { runPreload } from '../../support/preload-double.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const BUNDLE = join(root, 'dist/electron/preload/preload.cjs');

type Named = Record<string, Record<string, (request: unknown) => Promise<unknown>>>;

describe('the preload bundle', () => {
  it('holds no schema library (zod)', () => {
    expect(readFileSync(BUNDLE, 'utf8')).not.toMatch(/ZodError|\$ZodType/);
  });

  it("hands main's answer to the page as it came, for the page to check", async () => {
    const { exposed, invoked } = runPreload(BUNDLE, (channel) =>
      channel === 'sessions:list'
        ? { ok: true, value: { not: 'a list' } }
        : { ok: false, error: { code: 'not-found', message: 'session 9 does not exist' } },
    );
    const api = exposed.frameline as Named;
    await expect(api.sessions!.list!({})).resolves.toEqual({ ok: true, value: { not: 'a list' } });
    await expect(api.sessions!.get!({ id: 9 })).resolves.toEqual({
      ok: false,
      error: { code: 'not-found', message: 'session 9 does not exist' },
    });
    // A call without a request sends an empty one, as the contract's requests are objects.
    await api.app!.info!(undefined);
    expect(invoked).toEqual([
      ['sessions:list', {}],
      ['sessions:get', { id: 9 }],
      ['app:info', {}],
    ]);
  });
});

describe("the desktop window's Api", () => {
  it('refuses an answer in a shape the contract does not allow, naming the channel', async () => {
    const { exposed } = runPreload(BUNDLE, () => ({ ok: true, value: { not: 'a list' } }));
    const api = desktopApi(exposed.frameline as ResultApi, (message) => expect.fail(message));
    const err = await api.sessions.list({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('failed');
    expect((err as ApiError).message).toMatch(/^sessions:list answered in an unexpected shape/);
  });

  it("passes a well-shaped answer through, and a failure with its code; pushes reach the page's listeners", async () => {
    const { exposed, sent, push } = runPreload(BUNDLE, (channel) =>
      channel === 'sessions:list'
        ? { ok: true, value: [] }
        : { ok: false, error: { code: 'not-found', message: 'session 9 does not exist' } },
    );
    const api = desktopApi(exposed.frameline as ResultApi, (message) => expect.fail(message));
    await expect(api.sessions.list({})).resolves.toEqual([]);
    const err = await api.sessions.get({ id: 9 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('not-found');
    const heard: unknown[] = [];
    api.on('engine:link', (p) => heard.push(p));
    expect(sent).toEqual([[READY_CHANNEL]]);
    push('engine:link', { state: 'open', message: 'back' });
    push('not:a-topic', { state: 'open', message: 'no' });
    expect(heard).toEqual([{ state: 'open', message: 'back' }]);
  });

  it("refuses a push in a shape the contract does not allow: the page's listeners never hear it, and the page is told why", async () => {
    const { exposed, push } = runPreload(BUNDLE);
    const refused: string[] = [];
    const api = desktopApi(exposed.frameline as ResultApi, (message) => refused.push(message));
    const heard: unknown[] = [];
    api.on('engine:link', (p) => heard.push(p));
    push('engine:link', { state: 'exploded', message: 'no such state' });
    push('engine:link', { state: 'open' });
    push('engine:link', '<img src=x onerror=alert(1)>');
    expect(heard).toEqual([]);
    expect(refused).toHaveLength(3);
    for (const message of refused)
      expect(message).toMatch(/^refused a push on engine:link in an unexpected shape: /);
    push('engine:link', { state: 'failed', message: 'gave up' });
    expect(heard).toEqual([{ state: 'failed', message: 'gave up' }]);
    expect(refused).toHaveLength(3);
  });

  it('refuses to subscribe to a topic the contract does not have, and says so', () => {
    const { exposed, sent } = runPreload(BUNDLE);
    const refused: string[] = [];
    const api = desktopApi(exposed.frameline as ResultApi, (message) => refused.push(message));
    const off = (api.on as (topic: string, listener: () => void) => () => void)('frameline:push', () => {});
    off();
    expect(refused).toEqual(['no push topic "frameline:push" in the contract; nothing will be heard on it']);
    // Nothing reached the preload: it has not told main the page is listening.
    expect(sent).toEqual([]);
  });
});

describe('the push channels', () => {
  it('are the names main sends on and listens to, and no channel of the contract has them', () => {
    const { exposed, sent, listening } = runPreload(BUNDLE);
    (exposed.frameline as ResultApi).on('capture:status', () => {});
    expect(sent).toEqual([[READY_CHANNEL]]);
    expect(listening).toEqual([PUSH_CHANNEL]);
    const channels = Object.entries(exposed.frameline as Named).flatMap(([domain, verbs]) =>
      typeof verbs === 'object' ? Object.keys(verbs).map((verb) => `${domain}:${verb}`) : [],
    );
    expect(channels).not.toContain(READY_CHANNEL);
    expect(channels).not.toContain(PUSH_CHANNEL);
  });
});
