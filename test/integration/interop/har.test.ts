// HAR in and out: files written by Chrome DevTools, mitmproxy and HTTP Toolkit, and one recorded
// here by Playwright in Chromium from a page talking to a local WebSocket server, imported; the
// export read back against what Chrome DevTools' importer requires; the round trip HAR → import →
// export → import keeping every frame; malformed files refused in one line naming the JSON path.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { z } from 'zod';
import { browserMissing, launchChromium } from '../../support/browser.js';
import { cli, cliJson, workspace, type Workspace } from '../../support/cli.js';
import type { ShowJson } from '../../support/session-json.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/har/', import.meta.url));

interface Imported {
  sessionId: number;
  connections: number;
  frames: number;
  skipped: number;
}

let ws: Workspace;
beforeAll(() => {
  ws = workspace();
});
afterAll(() => ws.cleanup());

const show = async (id: number, db = ws.db) =>
  (await cliJson<ShowJson>(['show', String(id), '--frames', '--db', db])).json;
const framesOf = (s: ShowJson) =>
  s.frames!.map((f) => ({
    connection: s.connections.find((c) => c.id === f.connection)!.ordinal,
    ts: f.ts,
    direction: f.direction,
    opcode: f.opcode,
    size: f.size,
    payload: f.payload,
    truncated: f.truncated,
  }));

describe('frameline import', () => {
  it("reads Chrome DevTools' HAR: times in seconds, text and binary frames, the page skipped", async () => {
    const r = await cliJson<Imported>(['import', join(FIXTURES, 'chrome-devtools.har'), '--db', ws.db]);
    expect(r.result.code).toBe(0);
    expect(r.json).toMatchObject({ connections: 1, frames: 4, skipped: 1 });
    const s = await show(r.json.sessionId);
    expect(s.session).toMatchObject({
      kind: 'import',
      name: 'chrome-devtools.har',
      target: 'wss://chat.example/ws?room=7',
    });
    expect(s.connections[0]).toMatchObject({
      status: 101,
      subprotocol: 'chat.v2',
      requestHeaders: { Origin: 'https://chat.example', 'Sec-WebSocket-Protocol': 'chat.v2' },
    });
    const frame = (ts: string, direction: string, opcode: string, payload: string) => ({
      connection: 1,
      ts,
      direction,
      opcode,
      // Bytes on the wire: UTF-8 for text, the decoded bytes for binary.
      size: opcode === 'text' ? Buffer.byteLength(payload) : Buffer.from(payload, 'base64').length,
      payload,
      truncated: false,
    });
    expect(framesOf(s)).toEqual([
      frame('2025-11-22T01:53:50.612345Z', 'out', 'text', '{"id":1,"op":"join","room":7}'),
      frame('2025-11-22T01:53:50.650001Z', 'in', 'text', '{"id":1,"ok":true,"members":12}'),
      frame('2025-11-22T01:53:51.000002Z', 'in', 'binary', 'AAECAwT/'),
      frame('2025-11-22T01:53:51.500000Z', 'in', 'text', 'café — 😀'),
    ]);
  });

  it("reads mitmproxy's (an http:// URL for the socket) and HTTP Toolkit's (with _webSocketClose)", async () => {
    const m = await cliJson<Imported>([
      'import',
      join(FIXTURES, 'mitmproxy.har'),
      '--name',
      'feed via mitmproxy',
      '--db',
      ws.db,
    ]);
    expect(m.json).toMatchObject({ connections: 1, frames: 3, skipped: 1 });
    const ms = await show(m.json.sessionId);
    expect(ms.session).toMatchObject({ name: 'feed via mitmproxy', target: 'ws://127.0.0.1:8765/feed' });
    expect(framesOf(ms).map((f) => [f.direction, f.opcode, f.payload])).toEqual([
      ['in', 'text', 'tick 1'],
      ['out', 'text', 'ack 1'],
      ['in', 'binary', '3q2+7w=='],
    ]);

    const h = await cliJson<Imported>(['import', join(FIXTURES, 'http-toolkit.har'), '--db', ws.db]);
    expect(h.json).toMatchObject({ connections: 1, frames: 3, skipped: 0 });
    const hs = await show(h.json.sessionId);
    expect(hs.connections[0]).toMatchObject({
      closeCode: 1001,
      closeReason: 'server restarting',
      closedAt: '2025-11-22T01:53:54.500400Z',
      extensions: 'permessage-deflate',
    });
  });

  it('refuses a malformed file in one line that names what is wrong and where, creating nothing', async () => {
    const chrome = JSON.parse(readFileSync(join(FIXTURES, 'chrome-devtools.har'), 'utf8')) as {
      log: {
        entries: Array<Record<string, unknown> & { _webSocketMessages?: Array<Record<string, unknown>> }>;
      };
    };
    const variants: Array<[string, string, RegExp]> = [
      [
        'not-json.har',
        '{"log": {"entries": [\n  {"request": }\n]}}',
        /^frameline: not JSON at line 2, column 15 \(in log\.entries\[0\]\.request\): expected a value, found "}"\n$/,
      ],
      [
        'array.har',
        '[1, 2]',
        /^frameline: the top level is an array; a HAR file is an object: \{"log": \{"entries": \[\.\.\.\]\}\}\n$/,
      ],
      ['no-log.har', '{"entries": []}', /^frameline: the file has no "log": a HAR file is/],
      [
        'entries-object.har',
        '{"log": {"entries": {}}}',
        /^frameline: log\.entries must be an array of entries\n$/,
      ],
      [
        'bad-opcode.har',
        JSON.stringify({
          log: {
            ...chrome.log,
            entries: [
              chrome.log.entries[0],
              {
                ...chrome.log.entries[1],
                _webSocketMessages: [{ type: 'send', time: 1, opcode: 'text', data: 'x' }],
              },
            ],
          },
        }),
        /^frameline: log\.entries\[1\]\._webSocketMessages\[0\]\.opcode must be a frame opcode \(1 text, 2 binary, 8 close, 9 ping, 10 pong\), not "text"\n$/,
      ],
      [
        'bad-base64.har',
        JSON.stringify({
          log: {
            entries: [
              {
                ...chrome.log.entries[1],
                _webSocketMessages: [{ type: 'receive', time: 1, opcode: 2, data: 'not base64!' }],
              },
            ],
          },
        }),
        /^frameline: log\.entries\[0\]\._webSocketMessages\[0\]\.data is opcode 2, whose data is base64, and this is not base64\n$/,
      ],
      [
        'no-url.har',
        JSON.stringify({ log: { entries: [{ ...chrome.log.entries[1], request: { method: 'GET' } }] } }),
        /^frameline: log\.entries\[0\]\.request\.url is missing; a WebSocket entry needs the URL it opened\n$/,
      ],
      [
        'pages-only.har',
        JSON.stringify({ log: { entries: [chrome.log.entries[0]] } }),
        /^frameline: pages-only\.har has no WebSocket entry \(of 1 entry, .+\); nothing was imported\n$/,
      ],
    ];
    // Values the database cannot hold, or that are no time at all: refused at the door, naming the
    // entry, the message and the value (they used to import with exit 0, then fail to commit).
    const ws1 = chrome.log.entries[1]!;
    const withMessages = (name: string, ...messages: Array<Record<string, unknown>>) =>
      variant(name, { _webSocketMessages: messages });
    const variant = (name: string, change: Record<string, unknown>) =>
      [
        name,
        JSON.stringify({ log: { ...chrome.log, entries: [chrome.log.entries[0], { ...ws1, ...change }] } }),
      ] as const;
    const unstorable: Array<[string, string, RegExp]> = [
      [
        ...withMessages('time-1e300.har', { type: 'send', time: 1e300, opcode: 1, data: 'x' }),
        /^frameline: log\.entries\[1\]\._webSocketMessages\[0\]\.time is 1e\+300: read as milliseconds since 1970 \(the unit of the entry's first time\), that is after the year 9999; fix the time\n$/,
      ],
      [
        ...withMessages(
          'time-mixed-units.har',
          { type: 'send', time: 1763776430.6, opcode: 1, data: 'x' },
          { type: 'receive', time: 1763776430650, opcode: 1, data: 'y' },
        ),
        /^frameline: log\.entries\[1\]\._webSocketMessages\[1\]\.time is 1763776430650: read as seconds since 1970 .+, that is after the year 9999; fix the time\n$/,
      ],
      [
        ...withMessages('time-year-33658.har', { type: 'send', time: 1e15, opcode: 1, data: 'x' }),
        /^frameline: log\.entries\[1\]\._webSocketMessages\[0\]\.time is 1000000000000000: read as milliseconds since 1970 .+, that is after the year 9999; fix the time\n$/,
      ],
      [
        ...withMessages('time-negative.har', { type: 'send', time: -62135596800, opcode: 1, data: 'x' }),
        /^frameline: log\.entries\[1\]\._webSocketMessages\[0\]\.time is -62135596800: before 1970; .+\n$/,
      ],
      [
        ...withMessages('time-text.har', { type: 'send', time: 'NaN', opcode: 1, data: 'x' }),
        /^frameline: log\.entries\[1\]\._webSocketMessages\[0\]\.time must be a number .+, not "NaN"\n$/,
      ],
      [
        ...withMessages('size-huge.har', {
          type: 'send',
          time: 1763776430.6,
          opcode: 1,
          data: 'x',
          _size: 1e300,
        }),
        /^frameline: log\.entries\[1\]\._webSocketMessages\[0\]\._size is 1e\+300: .+\n$/,
      ],
      [
        ...variant('close-time.har', { _webSocketClose: { code: 1000, reason: 'bye', timestamp: 1e300 } }),
        /^frameline: log\.entries\[1\]\._webSocketClose\.timestamp is 1e\+300: .+\n$/,
      ],
      [
        ...variant('close-code.har', {
          _webSocketClose: { code: 1000.5, reason: 'bye', timestamp: 1763776432 },
        }),
        /^frameline: log\.entries\[1\]\._webSocketClose\.code is 1000\.5: .+\n$/,
      ],
      [
        ...variant('status.har', { response: { ...(ws1.response as object), status: 1e300 } }),
        /^frameline: log\.entries\[1\]\.response\.status is 1e\+300: .+\n$/,
      ],
      [
        ...variant('timings.har', { timings: { ...(ws1.timings as object), wait: 1e300 } }),
        /^frameline: log\.entries\[1\]\.timings\.wait is 1e\+300: .+\n$/,
      ],
      [
        ...variant('started-far.har', { startedDateTime: '+275760-09-13T00:00:00.000Z' }),
        /^frameline: log\.entries\[1\]\.startedDateTime is "\+275760-09-13T00:00:00\.000Z": after the year 9999; .+\n$/,
      ],
    ];
    variants.push(...unstorable);
    // Into a database that holds one import already: it keeps that one, and nothing else.
    const db = join(ws.dir, 'malformed.db');
    expect((await cli(['import', join(FIXTURES, 'chrome-devtools.har'), '--db', db])).code).toBe(0);
    const before = readdirSync(`${db}-frames`);
    for (const [name, text, message] of variants) {
      const file = join(ws.dir, name);
      writeFileSync(file, text);
      const r = await cli(['import', file, '--db', db]);
      expect({ name, code: r.code, stderr: r.stderr }).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(message),
      });
    }
    const sessions = await cliJson<unknown[]>(['sessions', '--db', db]);
    expect(sessions.json).toHaveLength(1);
    // No spool or segment left behind either.
    expect(readdirSync(`${db}-frames`)).toEqual(before);
  });

  it('refuses a malformed file before it opens the database: a new --db path stays empty', async () => {
    const chrome = JSON.parse(readFileSync(join(FIXTURES, 'chrome-devtools.har'), 'utf8')) as {
      log: { entries: Array<Record<string, unknown>> };
    };
    const ws1 = chrome.log.entries[1]!;
    const files: Array<[string, string]> = [
      ['array.har', '[1, 2]'],
      ['entries-object.har', '{"log": {"entries": {}}}'],
      ['pages-only.har', JSON.stringify({ log: { entries: [chrome.log.entries[0]] } })],
      [
        'time-1e300.har',
        JSON.stringify({
          log: {
            entries: [{ ...ws1, _webSocketMessages: [{ type: 'send', time: 1e300, opcode: 1, data: 'x' }] }],
          },
        }),
      ],
    ];
    const w = workspace();
    try {
      const folder = join(w.dir, 'evidence');
      for (const [name, text] of files) {
        const file = join(w.dir, name);
        writeFileSync(file, text);
        const r = await cli(['import', file, '--db', join(folder, 'new.db')]);
        expect({ name, code: r.code, lines: r.stderr.trimEnd().split('\n').length }).toEqual({
          name,
          code: 2,
          lines: 1,
        });
        expect(existsSync(folder), `${name} made ${folder}`).toBe(false);
      }
    } finally {
      w.cleanup();
    }
  });

  it('counts and names the messages it leaves out: unknown types, and frames without data', async () => {
    const chrome = JSON.parse(readFileSync(join(FIXTURES, 'chrome-devtools.har'), 'utf8')) as {
      log: { entries: Array<Record<string, unknown> & { _webSocketMessages: unknown[] }> };
    };
    const entry = chrome.log.entries[1]!;
    const file = join(ws.dir, 'odd-messages.har');
    writeFileSync(
      file,
      JSON.stringify({
        log: {
          ...chrome.log,
          entries: [
            chrome.log.entries[0],
            {
              ...entry,
              _webSocketMessages: [
                ...entry._webSocketMessages,
                { type: 'error', time: 1763776432, opcode: -1, data: 'net::ERR_CONNECTION_RESET' },
                { type: 'weird', time: 1763776432.1, opcode: 1, data: 'x' },
                { type: 'error', time: 1763776432.2, opcode: -1, data: 'again' },
                { type: 'send', time: 1763776432.3, opcode: 1 },
                { time: 1763776432.4, opcode: 1, data: 'no type' },
              ],
            },
          ],
        },
      }),
    );
    const r = await cliJson<Imported & { skippedMessages: unknown }>(['import', file, '--db', ws.db]);
    expect(r.result.code).toBe(0);
    const at = (i: number) => `log.entries[1]._webSocketMessages[${i}]`;
    expect(r.json).toMatchObject({ connections: 1, frames: 4, skipped: 1 });
    expect(r.json.skippedMessages).toEqual([
      { type: 'error', reason: 'unknown type', count: 2, first: at(4) },
      { type: 'weird', reason: 'unknown type', count: 1, first: at(5) },
      { type: 'send', reason: 'no data', count: 1, first: at(7) },
      { type: '(none)', reason: 'unknown type', count: 1, first: at(8) },
    ]);
    const text = await cli(['import', file, '--db', ws.db]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^imported session \d+: 1 connection, 4 frames \(1 other entry skipped\); 5 messages left out: 2 of type "error" \(first log\.entries\[1\]\._webSocketMessages\[4\]\), 1 of type "weird" \(first .+\[5\]\), 1 "send" without data \(.+\[7\]\), 1 without a type \(.+\[8\]\)\n$/,
    );
  });
});

/** What Chrome DevTools' importer (front_end/models/har/HARFormat.ts) requires of a HAR. */
const num = z.number().or(z.string().regex(/^-?\d+(\.\d+)?$/));
const ChromeHar = z.object({
  log: z.object({
    version: z.string(),
    creator: z.object({ name: z.string(), version: z.string() }),
    pages: z.array(z.unknown()).optional(),
    entries: z.array(
      z.object({
        startedDateTime: z.string().refine((d) => !Number.isNaN(new Date(d).getTime())),
        time: num,
        request: z.object({
          method: z.string(),
          url: z.string(),
          httpVersion: z.string(),
          headers: z.array(z.object({ name: z.string(), value: z.string() })),
          headersSize: num,
          bodySize: num,
        }),
        response: z.object({
          status: num,
          statusText: z.string(),
          httpVersion: z.string(),
          headers: z.array(z.object({ name: z.string(), value: z.string() })),
          content: z.object({ size: num, mimeType: z.string() }),
          redirectURL: z.string(),
          headersSize: num,
          bodySize: num,
        }),
        timings: z.object({ send: num, wait: num, receive: num }),
        _resourceType: z.literal('websocket'),
        _webSocketMessages: z.array(
          z.object({
            type: z.enum(['send', 'receive']),
            time: z.number(),
            opcode: z.number().int(),
            data: z.string(),
          }),
        ),
      }),
    ),
  }),
});

describe.skipIf(browserMissing())('a HAR recorded by Playwright in Chromium', () => {
  let server: Server;
  let url: string;
  let har: string;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(`<!doctype html><title>socket page</title><script>
        const ws = new WebSocket(location.origin.replace('http', 'ws') + '/socket?room=7');
        ws.binaryType = 'arraybuffer';
        let got = 0;
        ws.onopen = () => { ws.send('hello'); ws.send(new Uint8Array([1, 2, 3, 255])); ws.send(JSON.stringify({ id: 9, op: 'ping' })); };
        ws.onmessage = () => { if (++got === 4) ws.close(1000, 'page done'); };
        ws.onclose = () => { window.done = true; };
      </script>`);
    });
    const wss = new WebSocketServer({ server });
    wss.on('connection', (socket) => {
      socket.send(JSON.stringify({ welcome: true }));
      socket.on('message', (data, binary) => socket.send(data, { binary }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    har = join(ws.dir, 'playwright.har');
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ recordHar: { path: har, content: 'embed' } });
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForFunction(() => (window as unknown as { done?: boolean }).done === true);
      await context.close();
    } finally {
      await browser.close();
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 60_000);

  it('imports with its times in milliseconds, its frames in order, the page entry skipped', async () => {
    const written = JSON.parse(readFileSync(har, 'utf8')) as {
      log: { entries: Array<{ _webSocketMessages?: Array<{ time: number }> }> };
    };
    const messages = written.log.entries.find((e) => e._webSocketMessages)!._webSocketMessages!;
    expect(messages[0]!.time).toBeGreaterThan(1e12); // Playwright writes milliseconds
    const started = Date.now();
    const r = await cliJson<Imported>(['import', har, '--db', ws.db]);
    expect(r.json).toMatchObject({ connections: 1, frames: messages.length });
    expect(r.json.skipped).toBeGreaterThanOrEqual(1);
    const s = await show(r.json.sessionId);
    expect(s.session.target).toBe(`${url.replace('http', 'ws')}socket?room=7`);
    expect(s.connections[0]!.status).toBe(101);
    const frames = framesOf(s);
    expect(frames.filter((f) => f.direction === 'out').map((f) => [f.opcode, f.payload])).toEqual([
      ['text', 'hello'],
      ['binary', Buffer.from([1, 2, 3, 255]).toString('base64')],
      ['text', '{"id":9,"op":"ping"}'],
    ]);
    expect(frames.filter((f) => f.direction === 'in').map((f) => f.payload)).toEqual(
      expect.arrayContaining(['{"welcome":true}', 'hello', '{"id":9,"op":"ping"}']),
    );
    // Milliseconds read as milliseconds: the frames were recorded moments ago, not in 1970 or 50000.
    for (const f of frames) expect(Math.abs(Date.parse(f.ts) - started)).toBeLessThan(120_000);
  });

  it('survives the round trip HAR → import → export → import with every frame', async () => {
    const first = await cliJson<Imported>(['import', har, '--db', ws.db]);
    const out = join(ws.dir, 'round-trip.har');
    const exported = await cli([
      'export',
      String(first.json.sessionId),
      '--format',
      'har',
      '--no-redact',
      '-o',
      out,
      '--db',
      ws.db,
    ]);
    expect(exported.code).toBe(0);
    expect(ChromeHar.safeParse(JSON.parse(readFileSync(out, 'utf8'))).success).toBe(true);
    const second = await cliJson<Imported>(['import', out, '--db', ws.db]);
    expect(second.json).toMatchObject({
      connections: first.json.connections,
      frames: first.json.frames,
      skipped: 0,
    });
    const a = await show(first.json.sessionId);
    const b = await show(second.json.sessionId);
    expect(framesOf(b)).toEqual(framesOf(a));
    const pick = (s: ShowJson) =>
      s.connections.map((c) => ({
        url: c.url,
        status: c.status,
        requestHeaders: c.requestHeaders,
        responseHeaders: c.responseHeaders,
        closeCode: c.closeCode,
      }));
    expect(pick(b)).toEqual(pick(a));
  });
});

describe('frameline export', () => {
  it("writes HAR that Chrome DevTools' importer accepts, and NDJSON one frame per line, from a capture", async () => {
    const r = await cliJson<Imported>(['import', join(FIXTURES, 'chrome-devtools.har'), '--db', ws.db]);
    const id = String(r.json.sessionId);
    const har = await cli(['export', id, '--format', 'har', '--db', ws.db]);
    expect(har.code).toBe(0);
    expect(har.stderr).toMatch(
      /^exported session \d+ as har, 1 connection, 4 frames, .+; redacted: nothing matched the rules\n$/,
    );
    const parsed = ChromeHar.parse(JSON.parse(har.stdout));
    const entry = parsed.log.entries[0]!;
    expect(entry._webSocketMessages.map((m) => [m.type, m.opcode, m.time])).toEqual([
      ['send', 1, 1763776430.612345],
      ['receive', 1, 1763776430.650001],
      ['receive', 2, 1763776431.000002],
      ['receive', 1, 1763776431.5],
    ]);
    expect(har.stdout).toContain('"time":1763776430.612345,');
    expect((JSON.parse(har.stdout) as { log: { comment: string } }).log.comment).toMatch(
      /^Redacted: nothing matched the rules/,
    );

    const nd = await cli(['export', id, '--format', 'ndjson', '--db', ws.db]);
    const lines = nd.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(5);
    expect(Object.keys(lines[0]!)).toEqual(['frameline']);
    expect(lines[1]).toEqual({
      ts: '2025-11-22T01:53:50.612345Z',
      connection: 1,
      direction: 'out',
      opcode: 'text',
      size: 29,
      payload: '{"id":1,"op":"join","room":7}',
      truncated: false,
      // A connection that speaks no known protocol: its frames have no message.
      message: null,
    });
    const bad = await cli(['export', id, '--format', 'csv', '--db', ws.db]);
    expect(bad).toMatchObject({
      code: 2,
      stderr: 'frameline: --format must be one of har, ndjson, artillery, k6, not "csv"\n',
    });
    // A flag of another format is a mistake worth saying, not something to ignore.
    const foreign = await cli(['export', id, '--format', 'har', '--users', '3', '--db', ws.db]);
    expect(foreign).toMatchObject({
      code: 2,
      stderr: 'frameline: --users does not apply to --format har; see "frameline export --help"\n',
    });
    const none = await cli(['export', '99', '--format', 'har', '--db', ws.db]);
    expect(none).toMatchObject({
      code: 2,
      stderr: 'frameline: no session 99 in this database; list them with "frameline sessions"\n',
    });
  });
});
