// Browser mode's guards, tested from the outside as an attacker would probe them: no token, a
// foreign Origin (a web page the engineer has open), a foreign Host (DNS rebinding), path tricks.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { workspace, type Workspace } from '../../support/cli.js';
import { serve, type Served } from '../../support/serve.js';

let ws: Workspace;
let served: Served;

beforeAll(async () => {
  ws = workspace();
  served = await serve(ws.db);
});

afterAll(async () => {
  await served.stop();
  ws.cleanup();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: served.port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Tries a WebSocket upgrade to /api; resolves with the HTTP status of a refusal, or 101. */
function upgrade(headers: Record<string, string>, path = '/api'): Promise<number> {
  return new Promise((resolve) => {
    const sock = new WebSocket(`ws://127.0.0.1:${served.port}${path}`, { headers });
    sock.on('open', () => {
      sock.close();
      resolve(101);
    });
    sock.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      sock.terminate();
    });
    sock.on('error', () => {});
  });
}

/** The cookie the printed link was traded for (a link opens the console once). */
let traded: string | undefined;
async function cookie(): Promise<string> {
  if (traded) return traded;
  const first = await get(`/?token=${served.token}`);
  expect(first.status).toBe(303);
  expect(first.headers.location).toBe('/');
  const set = String(first.headers['set-cookie']);
  expect(set).toMatch(/HttpOnly/);
  expect(set).toMatch(/SameSite=Strict/);
  traded = set.split(';')[0]!;
  return traded;
}

describe('frameline serve', () => {
  it('prints a loopback URL with a long random token', () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  });

  it('refuses the page and its assets without the token (401)', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/index.html')).status).toBe(401);
    expect((await get('/?token=wrong')).status).toBe(401);
    expect((await get('/', { Cookie: 'frameline_token=wrong' })).status).toBe(401);
  });

  it('serves the console with a strict CSP once the token was traded for a cookie', async () => {
    const page = await get('/', { Cookie: await cookie() });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="root">');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });

  it('opens the console once per link: a second use is refused with what to do, and the cookie carries on', async () => {
    const c = await cookie();
    const again = await get(`/?token=${served.token}`);
    expect(again.status).toBe(401);
    expect(again.body).toMatch(/this link was used already/i);
    expect(again.body).toMatch(/press Enter in the terminal where frameline serve runs/i);
    // The used token is no key: not as the cookie, not on the socket.
    expect((await get('/', { Cookie: `frameline_token=${served.token}` })).status).toBe(401);
    expect(await upgrade({ Cookie: `frameline_token=${served.token}`, Origin: served.origin })).toBe(401);
    expect(await upgrade({ Origin: served.origin }, `/api?token=${served.token}`)).toBe(401);
    // The browser that used it stays in.
    expect((await get('/', { Cookie: c })).status).toBe(200);
    expect(await upgrade({ Cookie: c, Origin: served.origin })).toBe(101);

    // A new link, asked for in serve's terminal, opens it once too, with a cookie of its own.
    const link = new URL(await served.newLink());
    expect(link.origin).toBe(served.origin);
    expect(link.searchParams.get('token')).not.toBe(served.token);
    const opened = await get(`${link.pathname}${link.search}`);
    expect(opened.status).toBe(303);
    const second = String(opened.headers['set-cookie']).split(';')[0]!;
    expect(second).not.toBe(c);
    expect((await get('/', { Cookie: second })).status).toBe(200);
    expect((await get(`${link.pathname}${link.search}`)).status).toBe(401);
  });

  it('refuses a foreign Host header (DNS rebinding) with 403, even with the token', async () => {
    const c = await cookie();
    expect((await get('/', { Cookie: c, Host: `evil.example:${served.port}` })).status).toBe(403);
    expect(
      await upgrade({
        Cookie: c,
        Host: `evil.example:${served.port}`,
        Origin: `http://evil.example:${served.port}`,
      }),
    ).toBe(403);
  });

  it('refuses a plain GET from a foreign Origin with 403, even with the token', async () => {
    const c = await cookie();
    for (const path of ['/', '/index.html', `/?token=${served.token}`]) {
      const answer = await get(path, { Cookie: c, Origin: 'https://attacker.example' });
      expect(answer.status, path).toBe(403);
      expect(answer.body).not.toContain('<div id="root">');
    }
    // `Origin: null` (a sandboxed frame, a file:// page) is foreign too.
    expect((await get('/', { Cookie: c, Origin: 'null' })).status).toBe(403);
    // The console's own module scripts are CORS fetches that carry our Origin: served.
    expect((await get('/', { Cookie: c, Origin: served.origin })).status).toBe(200);
  });

  it('refuses WebSocket upgrades without the token (401) or from a foreign Origin (403)', async () => {
    const c = await cookie();
    expect(await upgrade({ Origin: served.origin })).toBe(401);
    expect(await upgrade({ Cookie: c, Origin: 'https://attacker.example' })).toBe(403);
    expect(await upgrade({ Cookie: c })).toBe(403);
    expect(await upgrade({ Cookie: c, Origin: served.origin })).toBe(101);
  });

  it('answers the contract over the socket and rejects malformed requests', async () => {
    const c = await cookie();
    const sock = new WebSocket(`ws://127.0.0.1:${served.port}/api`, {
      headers: { Cookie: c, Origin: served.origin },
    });
    await new Promise((r) => sock.once('open', r));
    const call = (id: number, channel: string, payload: unknown) =>
      new Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>((resolve) => {
        const onMessage = (d: Buffer) => {
          const msg = JSON.parse(d.toString()) as { id: number; result: never };
          if (msg.id === id) {
            sock.off('message', onMessage);
            resolve(msg.result);
          }
        };
        sock.on('message', onMessage);
        sock.send(JSON.stringify({ id, channel, payload }));
      });
    expect(await call(1, 'app:info', {})).toMatchObject({
      ok: true,
      value: { shell: 'browser', dbPath: ws.db },
    });
    expect(await call(2, 'sessions:list', {})).toEqual({ ok: true, value: [] });
    const bad = await call(3, 'sessions:get', { id: 'one' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(bad.error!.message).toMatch(/sessions:get: id/);
    expect(await call(4, 'fs:readFile', { path: '/etc/passwd' })).toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
    expect(await call(5, 'sessions:get', { id: 99 })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    sock.close();
  });

  it('never serves files outside the console build', async () => {
    const c = await cookie();
    for (const path of [
      '/../../package.json',
      '/%2e%2e/%2e%2e/package.json',
      '/..%2f..%2fpackage.json',
      '/assets/..%5c..%5cpackage.json',
    ]) {
      const answer = await get(path, { Cookie: c });
      expect(answer.status, path).toBe(404);
      expect(answer.body).not.toContain('"name": "frameline"');
    }
  });
});

describe('frameline serve on a non-loopback address', () => {
  it('warns loudly that captures are exposed', async () => {
    const other = workspace();
    const exposed = await serve(other.db, ['--host', '0.0.0.0']);
    try {
      const deadline = Date.now() + 5000;
      while (!exposed.stderr().includes('WARNING') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(exposed.stderr()).toMatch(/WARNING: serving on 0\.0\.0\.0, which is not a loopback address/);
    } finally {
      await exposed.stop();
      other.cleanup();
    }
  });
});
