// Attack family: browser mode. One `frameline serve` with a live capture in it takes every malformed
// API message a page (or a script holding the token) can send — null, scalars, arrays, odd ids,
// unknown channels, huge and binary messages, text that is not JSON — and every hostile HTTP
// request: paths out of the build, foreign Host and Origin, missing or old tokens, other methods.
// It must answer each with an error or nothing, keep answering, keep the capture live, and never
// let the page run a shell command or make the engine read a file the person did not give it.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { CLI, workspace, type Workspace } from '../support/cli.js';
import { recordQuotes } from '../support/replay.js';
import { serve, type Served } from '../support/serve.js';
import { until } from '../support/wait.js';
import { cross, family } from './kit.js';
import { apiPage, connects, httpGet, rawHttp } from './page.js';

const cases = family('browser mode');
let ws: Workspace;
let served: Served;
let cookie: string;
let ticker: WebSocketServer;
let captureId: number;
/** A recorded session with messages both ways, for replay and mock. */
let quotes: number;
let tcp: Server;

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
  httpGet(served.port, path, headers, method);
const page = () => apiPage(served, cookie);

const alive = () => served.child.exitCode === null && served.child.signalCode === null;

let restarts = 0;
let starting: Promise<void> | null = null;
/** Whether serve answers a new page (a serve on its way out does not, though its process lives). */
async function answers(): Promise<boolean> {
  try {
    const { call, sock } = await page();
    try {
      return (await call('app:info', {})).result?.ok === true;
    } finally {
      sock.close();
    }
  } catch {
    return false;
  }
}
/** Serve, started again when a case killed it (that case has failed; the next ones still run). */
function ensureServed(): Promise<void> {
  starting ??= (async () => {
    if (served && alive() && (await answers())) return;
    if (served) {
      restarts++;
      await served.stop();
    }
    served = await serve(ws.db);
    const traded = await get(`/?token=${served.token}`);
    cookie = String(traded.headers['set-cookie']).split(';')[0]!;
  })().finally(() => (starting = null));
  return starting;
}
beforeEach(() => ensureServed(), 60_000);

beforeAll(async () => {
  ws = workspace();
  ticker = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  ticker.on('connection', (s) => {
    const t = setInterval(() => s.send(`{"tick":${Date.now()}}`), 20);
    s.on('close', () => clearInterval(t));
  });
  await new Promise((r) => ticker.once('listening', r));
  tcp = createServer((s) => s.destroy());
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  quotes = await recordQuotes(ws.db);
  await ensureServed();
  const p = await page();
  const started = await p.call('capture:start', {
    url: `ws://127.0.0.1:${(ticker.address() as AddressInfo).port}/`,
  });
  captureId = (started.result!.value as { sessionId: number }).sessionId;
  p.sock.close();
}, 60_000);
afterAll(async () => {
  await served?.stop();
  for (const c of ticker?.clients ?? []) c.terminate();
  ticker?.close();
  tcp?.close();
  ws?.cleanup();
});

const huge = (n: number) =>
  JSON.stringify({ id: 7, channel: 'sessions:rename', payload: { id: 1, name: 'x'.repeat(n) } });
const messages: Array<[string, string | Buffer]> = [
  ['null', 'null'],
  ['true', 'true'],
  ['a number', '42'],
  ['a string', '"sessions:list"'],
  ['an empty array', '[]'],
  ['an array of calls', '[{"id":1,"channel":"app:info"}]'],
  ['an empty object', '{}'],
  ['an empty message', ''],
  ['not JSON', 'hello, engine'],
  ['half a JSON object', '{"id":1,"channel":'],
  ['a binary frame of random bytes', Buffer.from([0, 255, 1, 254, 2, 253])],
  ['a binary frame holding a call', Buffer.from('{"id":5,"channel":"sessions:get","payload":{"id":999}}')],
  ['JSON nested 100,000 deep', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
  ['a 15 MB payload', huge(15 * 1024 * 1024)],
  ['a __proto__ key', '{"__proto__":{"polluted":true},"id":"x","channel":"app:info"}'],
];
const ids = ['null', '"1"', '{}', '[]', '-1', '1.5', '1e400', 'true'].map((id): [string, string] => [
  `id ${id}`,
  `{"id":${id},"channel":"sessions:get","payload":{"id":999}}`,
]);
const channels = [
  'nope:nope',
  '__proto__',
  'constructor',
  'toString',
  'sessions:__proto__',
  'hasOwnProperty',
  '',
  'x'.repeat(100_000),
  null,
  42,
  ['sessions:list'],
].map((c): [string, string] => [
  `channel ${JSON.stringify(c).slice(0, 30)}`,
  JSON.stringify({ id: 3, channel: c, payload: {} }),
]);
const payloads = cross(
  ['sessions:get', 'capture:stop', 'sessions:delete', 'walks:run'],
  ['null', '[]', '"x"', '{"id":-1}', '{"id":1e308}'],
).map(([c, p]): [string, string] => [`${c} with ${p}`, `{"id":4,"channel":"${c}","payload":${p}}`]);

describe('malformed API messages (issue 19 item 3)', () => {
  // One at a time: a message that kills serve fails its own case only (serve is started again).
  const list = cases.add([...messages, ...ids, ...channels, ...payloads]);
  it.each(list)('%s', async (_n, message) => {
    const { sock, answers, call } = await page();
    try {
      sock.send(message);
      const probe = await call('app:info', {});
      expect(probe.result).toMatchObject({ ok: true });
      // Whatever answered the malformed message said it was refused.
      for (const a of answers.filter((x) => x !== probe))
        expect(a.result?.ok, JSON.stringify(a).slice(0, 200)).toBe(false);
      expect(alive()).toBe(true);
    } finally {
      sock.close();
    }
    await until('serve to have read it all', () => !alive() || sock.readyState === sock.CLOSED, 5_000);
    expect(alive(), 'serve exited').toBe(true);
  });

  cases.one();
  it('a message over the 16 MiB limit closes that socket only', async () => {
    const { sock } = await page();
    const closed = new Promise<number>((r) => sock.once('close', r));
    sock.send(huge(17 * 1024 * 1024));
    // 1009, unless the close frame is lost to a reset of the socket that still had bytes to send.
    expect([1009, 1006]).toContain(await closed);
    const { call, sock: other } = await page();
    expect((await call('app:info', {})).result).toMatchObject({ ok: true });
    other.close();
    expect(alive()).toBe(true);
  });
});

describe('hostile HTTP requests', () => {
  const secret = /root:x:0:0|"name": "frameline"|<div id="root">/;
  const paths = [
    '/../../package.json',
    '/%2e%2e/%2e%2e/package.json',
    '/..%2f..%2f..%2f..%2fetc%2fpasswd',
    '/assets/..%5c..%5cpackage.json',
    '//etc/passwd',
    '/%00',
    '/index.html%00.js',
    '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
    `/${'a'.repeat(8000)}`,
    '/%c0%ae%c0%ae/package.json',
  ];
  it.concurrent.each(cases.add(paths))('path %s stays inside the build', async (path) => {
    const a = await get(path, { Cookie: cookie });
    expect(a.status).toBeGreaterThanOrEqual(400);
    expect(a.body).not.toMatch(secret);
  });

  const hosts = [
    'evil.example:PORT',
    '',
    null,
    'localhost.:PORT',
    '127.0.0.1',
    '127.0.0.1:PORT.evil.example',
    '[::1]:1',
  ];
  it.concurrent.each(cases.add(hosts))('Host %j is refused', async (host) => {
    // Written by hand: Node's client would put its own Host in place of an empty or missing one.
    const head = host === null ? '' : `Host: ${host.replace('PORT', String(served.port))}\r\n`;
    const answer = await rawHttp(
      served.port,
      `GET / HTTP/1.1\r\n${head}Cookie: ${cookie}\r\nConnection: close\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 (400|403) /);
    expect(answer).not.toMatch(secret);
  });

  const origins = [
    'null',
    'https://attacker.example',
    'http://127.0.0.1:PORT.evil.example',
    'https://127.0.0.1:PORT',
    'http://localhost',
  ];
  it.concurrent.each(cases.add(origins))(
    'Origin %j is refused, for the page and for the socket',
    async (origin) => {
      const o = origin.replace('PORT', String(served.port));
      expect((await get('/', { Cookie: cookie, Origin: o })).status).toBe(403);
      const sock = new WebSocket(`ws://127.0.0.1:${served.port}/api`, {
        headers: { Cookie: cookie, Origin: o },
      });
      const status = await new Promise<number>((r) => {
        sock.on('open', () => r(101));
        sock.on('unexpected-response', (_q, res) => r(res.statusCode ?? 0));
        sock.on('error', () => r(0));
      });
      sock.terminate();
      expect(status).toBe(403);
    },
  );

  const tokens = ['', 'wrong', 'OLD', 'UPPER', 'PREFIX', 'PLUS'];
  it.concurrent.each(cases.add(tokens))('token %j is refused', async (kind) => {
    const t = served.token;
    const token = {
      '': '',
      wrong: 'wrong',
      OLD: 'A'.repeat(t.length),
      UPPER: t.toUpperCase(),
      PREFIX: t.slice(0, 16),
      PLUS: `${t}x`,
    }[kind]!;
    expect((await get(`/?token=${token}`)).status).toBe(401);
    expect((await get('/', { Cookie: `frameline_token=${token}` })).status).toBe(401);
  });

  const methods = ['POST', 'PUT', 'DELETE', 'PATCH', 'TRACE'];
  it.concurrent.each(cases.add(methods))('%s is not served', async (method) => {
    const a = await get('/', { Cookie: cookie }, method);
    expect(a.status).toBeGreaterThanOrEqual(400);
    expect(a.body).not.toMatch(secret);
  });

  cases.one();
  it('the token of the printed URL is one-time, or serve does not call it so (issue 19 item 20)', async () => {
    const again = await get(`/?token=${served.token}`);
    if (again.status !== 401) {
      const help = spawnSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8' });
      expect(help.stdout).not.toMatch(/one-time/);
    }
  });
});

describe('what the page may not make the engine do', () => {
  cases.one();
  it('runs no shell command of a runbook the page imported, whatever it confirms (issue 19 item 2)', async () => {
    const marker = join(ws.dir, 'ran');
    const runbook = `---\nid: page-made\ntitle: Page made\n---\n\n\`\`\`mermaid\nflowchart TD\n    RUN[Run] --> DONE([Done])\n\`\`\`\n\n## Run {#RUN}\n\n### Touch\n\n\`\`\`sh\ntouch ${marker}\n\`\`\`\n`;
    const { call, sock } = await page();
    try {
      // Serve may refuse the page's import outright, or keep it untrusted: either way nothing runs.
      const imported = await call('runbooks:import', { text: runbook, fileName: 'page.md' });
      if (imported.result?.ok) {
        const incident = (await call('incidents:create', { title: 'Page' })).result!.value as { id: number };
        const walk = (await call('walks:start', { incidentId: incident.id, runbookId: 'page-made' })).result!
          .value as { id: number };
        const run = await call('walks:run', {
          id: walk.id,
          step: 1,
          command: `touch ${marker}`,
          confirmed: true,
        });
        if (run.result?.ok) {
          const runId = (run.result.value as { runId: number }).runId;
          await until('the run to end', async () => {
            const view = (await call('walks:get', { id: walk.id })).result!.value as {
              runs: Array<{ id: number; status: string }>;
            };
            return view.runs.some((r) => r.id === runId && r.status !== 'running');
          });
        }
      } else
        // Refused (forbidden), or not done at all on a busy machine (the database locked past its
        // wait): either way the page's runbook is not there to run.
        expect(imported.result?.error?.code, imported.result?.error?.message).toMatch(
          /forbidden|bad-request|failed/,
        );
      expect(existsSync(marker), 'the page ran a shell command').toBe(false);
    } finally {
      sock.close();
    }
  });

  const fields = cross(
    ['capture:start', 'diagnose:probe', 'replay:run'],
    ['caFile', 'certFile', 'keyFile'],
  ).filter(([c, f]) => !(c === 'diagnose:probe' && f !== 'caFile'));
  it.concurrent.each(cases.add(fields))(
    '%s with %s reads no file the page names (issue 19 item 9)',
    async (channel, field) => {
      const file = join(ws.dir, `secret-${channel.replace(':', '-')}-${field}.pem`);
      writeFileSync(file, 'not for the page\n');
      const { mtime } = statSync(file);
      utimesSync(file, new Date(mtime.getTime() - 3_600_000), mtime); // a read now moves its atime
      const before = statSync(file).atimeMs;
      const url = `wss://127.0.0.1:${(tcp.address() as AddressInfo).port}/`;
      const payload: Record<string, unknown> =
        channel === 'replay:run'
          ? { sessionId: quotes, to: url }
          : { url, timeoutSeconds: 1, idleLimitSeconds: 1 };
      if (field !== 'caFile') Object.assign(payload, { certFile: file, keyFile: file });
      else payload.caFile = file;
      const { call, sock } = await page();
      try {
        const answer = await call(
          channel,
          channel === 'capture:start'
            ? { url, caFile: payload.caFile, certFile: payload.certFile, keyFile: payload.keyFile }
            : payload,
        );
        if (channel === 'capture:start' && answer.result?.ok)
          await call('capture:stop', { sessionId: (answer.result.value as { sessionId: number }).sessionId });
        expect(statSync(file).atimeMs, `${channel} read ${field}`).toBe(before);
      } finally {
        sock.close();
      }
    },
  );

  cases.one();
  it('starts no mock on every interface (issue 19 item 9)', async () => {
    const { call, sock } = await page();
    try {
      const answer = await call('mock:start', { sessionId: quotes, host: '0.0.0.0' });
      expect(answer.result, JSON.stringify(answer.result?.error)).toBeDefined();
      if (answer.result?.ok) {
        const status = answer.result.value as { sessionId: number; url: string };
        const port = Number(new URL(status.url).port);
        // Reached on this machine's own network address, it would be reached from the network.
        const outside = Object.values(networkInterfaces())
          .flat()
          .find((i) => i && !i.internal && i.family === 'IPv4')?.address;
        const reached = outside === undefined ? false : await connects(outside, port);
        await call('mock:stop', { sessionId: status.sessionId });
        expect(reached, `the mock answers on ${outside}:${port}`).toBe(false);
      }
    } finally {
      sock.close();
    }
  });
});

describe('after all of it', () => {
  cases.one();
  it('serve still answers and its capture is still live, committing', async () => {
    expect(restarts, 'serve had to be started again after a case killed it').toBe(0);
    const { call, sock } = await page();
    try {
      const status = () =>
        call('capture:list', {}).then((a) =>
          (a.result!.value as Array<{ sessionId: number; state: string; committed: number }>).find(
            (c) => c.sessionId === captureId,
          ),
        );
      const first = await status();
      expect(first?.state).toBe('open');
      await until(
        'more frames committed',
        async () => ((await status())?.committed ?? 0) > first!.committed,
        15_000,
      );
      expect((await get('/', { Cookie: cookie })).status).toBe(200);
    } finally {
      sock.close();
    }
  });
});
