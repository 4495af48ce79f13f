// `frameline replay` against real peers on 127.0.0.1: a recorded session sent again to the same
// service (everything matches, timestamps ignored), to a deploy that changed one price (a
// structural diff naming $.price), to Python's `websockets` (an independent implementation), to a
// `frameline mock` of itself, to a service that drops the connection midway, and to nothing at all.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ShowJson } from '../../support/session-json.js';
import { DEFAULT_PRICES, quoteService } from '../../servers/quote-service.js';
import { cli, cliJson, workspace, type Workspace } from '../../support/cli.js';
import { closedPort, wsServer } from '../../servers/scenarios.js';
import { PYTHON, serverScript, startPeer } from '../../support/processes.js';
import { QUOTE_REQUESTS, recordQuotes, startMock } from '../../support/replay.js';

interface ReplayJson {
  source: number;
  sessionId: number;
  target: string;
  sent: number;
  received: number;
  matched: number;
  changed: number;
  missing: number;
  extra: number;
  ignored: string[];
  latency: Record<string, number | null>;
  differences: Array<{
    kind: string;
    id: unknown;
    request: string;
    expected: string;
    actual: string;
    paths: string[];
  }>;
}

let ws: Workspace;
let source: number;

beforeEach(async () => {
  ws = workspace();
  source = await recordQuotes(ws.db);
});
afterEach(() => ws.cleanup());

describe('frameline replay', () => {
  it('sends the recorded messages again and finds every answer the same, timestamps ignored', async () => {
    const server = await quoteService();
    try {
      const { result, json } = await cliJson<ReplayJson>([
        'replay',
        String(source),
        '--to',
        `${server.url}/quotes`,
        '--db',
        ws.db,
      ]);
      expect(result.code).toBe(0);
      expect(json).toMatchObject({
        source,
        target: `${server.url}/quotes`,
        sent: 4,
        received: 5,
        matched: 5,
        changed: 0,
        missing: 0,
        extra: 0,
        differences: [],
      });
      expect(json.ignored).toEqual(expect.arrayContaining(['ts', 'timestamp', 'sentAt']));
      expect(json.latency.originalP50Ms).toBeGreaterThan(0);
      expect(json.latency.replayP50Ms).toBeGreaterThan(0);
      // The server saw the recorded requests, headers and all.
      expect(server.requests[0]!.headers.authorization).toBe('Bearer s3cret-token-123');
      // The run is a session of kind replay, linked to its source, with every frame.
      const { json: show } = await cliJson<ShowJson & { session: { sourceId: number } }>([
        'show',
        String(json.sessionId),
        '--db',
        ws.db,
      ]);
      expect(show.session).toMatchObject({ kind: 'replay', sourceId: source, status: 'complete' });
      expect(show.connections[0]!.closeCode).toBe(1000);
    } finally {
      await server.close();
    }
  });

  it('reports a changed answer with the JSON path that changed, and exits 1', async () => {
    const server = await quoteService({ prices: { ...DEFAULT_PRICES, WSKT: 48.5 } });
    try {
      const { result, json } = await cliJson<ReplayJson>([
        'replay',
        String(source),
        '--to',
        `${server.url}/quotes`,
        '--speed',
        'max',
        '--db',
        ws.db,
      ]);
      expect(result.code).toBe(1);
      expect(json).toMatchObject({ sent: 4, matched: 4, changed: 1, missing: 0, extra: 0 });
      expect(json.differences).toEqual([
        {
          kind: 'changed',
          id: 3,
          request: QUOTE_REQUESTS[2],
          expected: expect.stringContaining('"price":48.1'),
          actual: expect.stringContaining('"price":48.5'),
          paths: ['$.price'],
        },
      ]);
      const human = await cli([
        'replay',
        String(source),
        '--to',
        `${server.url}/quotes`,
        '--db',
        ws.db,
        '--ignore',
        'price',
      ]);
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/5 matched, 0 changed/);
      expect(human.stdout).toMatch(/ignored: .*price/);
    } finally {
      await server.close();
    }
  });

  it('replays to Python websockets: every request comes back, paired by id, the greeting missing', async () => {
    const peer = await startPeer(PYTHON, [serverScript('python_ws.py')]);
    try {
      const r = await cli(['replay', String(source), '--to', `ws://127.0.0.1:${peer.port}/`, '--db', ws.db]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/sent 4 of 4, received 4: 0 matched, 4 changed, 1 missing, 0 extra/);
      // The echo answers request 2 with request 2: paired by its id, the fields that differ named.
      expect(r.stdout).toMatch(
        /CHANGED {2}id 2 [^\n]*\n {2}request {3}\{"id":2,"op":"quote","symbol":"FRML"\}\n[^\n]*\n[^\n]*\n {2}paths {5}\$\.type, \$\.price, \$\.op\n/,
      );
      expect(r.stdout).toMatch(/MISSING {2}by order[\s\S]*"type":"hello"/);
    } finally {
      await peer.stop();
    }
  });

  it('replays to a frameline mock of the same session: every answer matches', async () => {
    for (const mode of ['reactive', 'timed']) {
      const mock = await startMock([String(source), '--mode', mode, '--db', ws.db]);
      try {
        const { result, json } = await cliJson<ReplayJson>([
          'replay',
          String(source),
          '--to',
          mock.url,
          '--db',
          ws.db,
        ]);
        expect({ mode, code: result.code, differences: json.differences }).toEqual({
          mode,
          code: 0,
          differences: [],
        });
        expect(json.matched).toBe(5);
      } finally {
        expect((await mock.stop()).code).toBe(0);
      }
    }
  });

  it('keeps, reports and records the partial run when the target drops the connection midway', async () => {
    // A client that asked for a price every 150 ms; the target drops it on its third request.
    const recordServer = await quoteService();
    await cli([
      'capture',
      recordServer.url,
      '--send',
      QUOTE_REQUESTS[1]!,
      '--send-every',
      '0.15',
      '--duration',
      '0.8',
      '--name',
      'paced',
      '--quiet',
      '--db',
      ws.db,
    ]);
    await recordServer.close();
    const { json: list } = await cliJson<Array<{ id: number; name: string }>>(['sessions', '--db', ws.db]);
    const paced = list.find((s) => s.name === 'paced')!.id;
    const server = await quoteService({ dropAfter: 2 });
    try {
      const r = await cli(['replay', String(paced), '--to', `${server.url}/quotes`, '--db', ws.db]);
      expect(r.code).toBe(1);
      const planned = Number(/sent 3 of (\d+)/.exec(r.stdout)?.[1]);
      expect(planned).toBeGreaterThanOrEqual(4);
      expect(r.stdout).toContain(`the connection ended after 3 of ${planned} messages`);
      expect(r.stdout).toMatch(/replay 1006 by the network/);
      const id = Number(/session (\d+)\n/.exec(r.stdout)![1]);
      const { json: show } = await cliJson<ShowJson>(['show', String(id), '--frames', '--db', ws.db]);
      expect(show.connections[0]).toMatchObject({ closeCode: 1006, closedBy: 'network' });
      expect(show.frames!.filter((f) => f.direction === 'out' && f.opcode === 'text')).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('says the target is down in the words probe uses, and exits 1', async () => {
    const port = await closedPort();
    const r = await cli(['replay', String(source), '--to', `ws://127.0.0.1:${port}/`, '--db', ws.db]);
    expect(r.code).toBe(1);
    const probe = await cli(['probe', `ws://127.0.0.1:${port}/`, '--timeout', '2', '--db', ws.db]);
    const title = 'CRITICAL  server-unreachable: Nothing answers at this address';
    expect(probe.stdout).toContain(title);
    expect(r.stdout).toContain(title);
    for (const line of probe.stdout.split('\n').filter((l) => /^ {2}(cause|fix|runbook):/.test(l)))
      expect(r.stdout).toContain(line);
    expect(r.stdout).toMatch(/Could not connect to ws:\/\/127\.0\.0\.1:\d+\//);
  });

  it('refuses bad input in one line with exit code 2', async () => {
    const pushOnly = await quoteService();
    let silent: number;
    try {
      await cli([
        'capture',
        pushOnly.url,
        '--duration',
        '0.2',
        '--name',
        'greeting only',
        '--quiet',
        '--db',
        ws.db,
      ]);
      const { json } = await cliJson<Array<{ id: number; name: string }>>(['sessions', '--db', ws.db]);
      silent = json.find((s) => s.name === 'greeting only')!.id;
    } finally {
      await pushOnly.close();
    }
    const cases: Array<[string[], RegExp]> = [
      [
        [String(silent), '--to', 'ws://127.0.0.1:9/'],
        /session \d+ has no messages sent by the client in any connection; nothing to replay/,
      ],
      [
        [String(source), '--to', 'ws://127.0.0.1:9/', '--connection', '4'],
        /session \d+ has no connection 4; it has connection 1/,
      ],
      [
        [String(source), '--to', 'ws://127.0.0.1:9/', '--speed', '0'],
        /--speed must be "max" or a number from 0\.01 to 1000, not "0"/,
      ],
      [[String(source), '--to', 'http://example.com/'], /is an http URL; use ws:\/\//],
      [
        [String(source), '--to', 'ws://127.0.0.1:9/', '--ignore', 'ts', '--ignore', '$[[['],
        /^frameline: --ignore is not a JSONPath such as \$\.quote\.ts or \$\.items\[\*\]\.at \(at character 3: .+\), not "\$\[\[\["\n$/,
      ],
      [[String(source)], /needs --to URL/],
      [['999', '--to', 'ws://127.0.0.1:9/'], /no session 999 in this database/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(['replay', ...args, '--db', ws.db]);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('with --keep-open still waits up to --wait for the answers of a correct server, and keeps it open', async () => {
    const echo = await startPeer(process.execPath, [serverScript('echo-peer.mjs')]);
    // The same echo, answering each message after 300 ms.
    const slow = await wsServer((sock) =>
      sock.on('message', (data, binary) => setTimeout(() => sock.send(data, { binary }), 300)),
    );
    try {
      const echoUrl = `ws://127.0.0.1:${echo.port}/`;
      const recorded = await cli([
        'capture',
        echoUrl,
        ...['{"id":1,"op":"a"}', '{"id":2,"op":"b"}', '{"id":3,"op":"c"}'].flatMap((m) => ['--send', m]),
        '--duration',
        '0.5',
        '--name',
        'echoed',
        '--quiet',
        '--db',
        ws.db,
      ]);
      expect(recorded.code, recorded.stderr).toBe(0);
      const { json: list } = await cliJson<Array<{ id: number; name: string }>>(['sessions', '--db', ws.db]);
      const echoed = String(list.find((s) => s.name === 'echoed')!.id);
      const replay = async (to: string, ...flags: string[]) => {
        const { result, json } = await cliJson<ReplayJson>([
          'replay',
          echoed,
          '--to',
          to,
          ...flags,
          '--db',
          ws.db,
        ]);
        return {
          to,
          flags,
          code: result.code,
          matched: json.matched,
          missing: json.missing,
          id: json.sessionId,
        };
      };
      for (const to of [echoUrl, slow.url])
        expect(await replay(to, '--keep-open', '0')).toMatchObject({ code: 0, matched: 3, missing: 0 });
      // --wait 0 asks for no wait: the slow echo's answers come too late.
      const hurried = await replay(slow.url, '--keep-open', '0', '--wait', '0');
      expect(hurried.code).toBe(1);
      expect(hurried.missing).toBeGreaterThan(0);
      // --keep-open S holds the connection S seconds after the last message, answered or not.
      const held = await replay(echoUrl, '--keep-open', '1');
      expect(held).toMatchObject({ code: 0, matched: 3 });
      const { json: show } = await cliJson<ShowJson>(['show', String(held.id), '--frames', '--db', ws.db]);
      const lastSent = Math.max(
        ...show
          .frames!.filter((f) => f.direction === 'out' && f.opcode === 'text')
          .map((f) => Date.parse(f.ts)),
      );
      expect(Date.parse(show.connections[0]!.closedAt!) - lastSent).toBeGreaterThanOrEqual(1000);
    } finally {
      await echo.stop();
      await slow.close();
    }
  });
});
