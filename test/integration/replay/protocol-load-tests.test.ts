// Load tests exported from sessions of real protocol servers keep the protocol: a Socket.IO session
// becomes a scenario of Artillery's own socketio engine (events by name, namespaces, acks; no
// recorded packet or sid), and a graphql-ws session opens the protocol and lets its subscription's
// stream pass without a `match` on it (a match there crashed Artillery's ws engine). Artillery runs
// each against the same kind of server, which sees the events and the subscription; the k6 scripts
// are checked against @types/k6 and parsed by Node.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { graphqlWsServer } from '../../servers/graphql-ws.js';
import { socketIoServer, type SocketIoScenario } from '../../servers/socketio.js';
import { cli, cliJson, finished, workspace, type Workspace } from '../../support/cli.js';
import { artilleryMissing, failures, k6TypeErrors, runArtillery } from '../../support/load-tests.js';
import { protocolToolMissing } from '../../support/test-tools.js';

let ws: Workspace;
const toClose: Array<{ close(): Promise<void> }> = [];

beforeEach(() => {
  ws = workspace();
});

afterEach(async () => {
  for (const s of toClose.splice(0)) await s.close();
  ws.cleanup();
});

/** Captures with `args`; returns the session's id. */
async function capture(args: string[]): Promise<number> {
  const { result, json } = await cliJson<{ session: { id: number } }>(['capture', ...args, '--db', ws.db]);
  expect(result.code, result.stderr).toBe(0);
  return json.session.id;
}

/** The session exported as `format`, written to a file of the workspace; answers the file and its text. */
async function exported(
  session: number,
  format: 'artillery' | 'k6',
): Promise<{ file: string; text: string }> {
  const file = join(ws.dir, format === 'k6' ? 'script.k6.js' : 'script.yml');
  const r = await cli(['export', String(session), '--format', format, '-o', file, '--db', ws.db]);
  expect(r.code, r.stderr).toBe(0);
  return { file, text: readFileSync(file, 'utf8') };
}

/** Node parses the k6 script as a module (its k6 imports are not resolved by a syntax check). */
async function nodeParses(file: string): Promise<{ code: number | null; stderr: string }> {
  const mjs = file.replace(/\.js$/, '.mjs');
  writeFileSync(mjs, readFileSync(file));
  return finished(spawn(process.execPath, ['--check', mjs], { stdio: ['ignore', 'pipe', 'pipe'] }));
}

const socketIoMissing = protocolToolMissing('socket.io');
describe.skipIf(socketIoMissing)(
  `a Socket.IO session's load test${socketIoMissing ? ` (skipped: ${socketIoMissing})` : ''}`,
  () => {
    const PASSWORD = 'pw-7f3a91c2';
    async function recorded() {
      const s = await socketIoServer({ pingInterval: 300, pingTimeout: 1000 });
      toClose.push(s);
      const session = await capture([
        s.url,
        '--protocol',
        'socket.io',
        '--subscribe',
        '/',
        '--subscribe',
        '/chat',
        '--init-payload',
        '{"token":"let-me-in"}',
        '--send',
        '42["hello",{"n":1}]',
        '--send',
        `42/chat,["said",{"text":"hi","password":"${PASSWORD}"}]`,
        // The server acknowledges `echo` with `{ echo: payload }`.
        '--send',
        '42/chat,7["echo","hi"]',
        '--send',
        '421["echo",{"n":2}]',
        '--duration',
        '1',
      ]);
      return { s, session };
    }
    /** The events the server got since `from`: the ack callback socket.io hands over said as `ack`. */
    const eventsOf = (s: SocketIoScenario, from: number) =>
      s.events.slice(from).map((e) => ({
        namespace: e.namespace,
        name: e.name,
        args: e.args.filter((a) => typeof a !== 'function'),
        ack: typeof e.args.at(-1) === 'function',
      }));

    it.skipIf(artilleryMissing)(
      'runs under Artillery`s socketio engine: the server gets each event by name, on its namespace, acknowledged',
      async () => {
        const { s, session } = await recorded();
        const { file, text } = await exported(session, 'artillery');
        expect(text).toContain('engine: socketio');
        expect(text).toContain('transports: ["websocket"]');
        expect(text).toContain('auth: {"token":"{{ $env.TOKEN }}"}');
        // Each event in order, by name, on its namespace (the recorded gaps as thinks between them).
        const flow = text.slice(text.indexOf('    flow:')).replace(/\n {6}- think: "\d+ms"/g, '');
        expect(flow).toContain(
          [
            '      - emit:',
            '          channel: "hello"',
            '          data: {"n":1}',
            '      - emit:',
            '          channel: "said"',
            '          data: {"text":"hi","password":"{{ $env.PASSWORD }}"}',
            '        namespace: "/chat"',
            '      - emit: ["echo","hi"]',
            '        namespace: "/chat"',
            '        acknowledge:',
            '          match:',
            '            json: "$.0.echo"',
            '            value: "hi"',
            '      - emit:',
            '          channel: "echo"',
            '          data: {"n":2}',
            '        acknowledge: {}',
          ].join('\n'),
        );
        // No Engine.IO or Socket.IO packet, no recorded sid, no secret.
        expect(text).not.toMatch(/"4[0-6]|\b42\[|"sid"|let-me-in/);
        expect(text).not.toContain(PASSWORD);
        const recordedSid = /"sid":"([^"]+)"/.exec(
          (await cli(['show', String(session), '--frames', '--db', ws.db])).stdout,
        )![1]!;
        expect(text).not.toContain(recordedSid);

        const before = { events: s.events.length, connections: s.connections.length };
        const run = await runArtillery(ws.dir, file, { TOKEN: 'let-me-in', PASSWORD: 'ci-password' });
        expect(run.code, `${run.stdout}${run.stderr}`.slice(-3000)).toBe(0);
        expect(failures(run.counters)).toEqual([]);
        // Artillery waits for each acknowledgement (without a limit of its own): a run that ends got them.
        expect(run.counters).toMatchObject({ 'socketio.emit': 4, 'vusers.completed': 1 });
        expect(eventsOf(s, before.events)).toEqual([
          { namespace: '/', name: 'hello', args: [{ n: 1 }], ack: false },
          { namespace: '/chat', name: 'said', args: [{ text: 'hi', password: 'ci-password' }], ack: false },
          { namespace: '/chat', name: 'echo', args: ['hi'], ack: true },
          { namespace: '/', name: 'echo', args: [{ n: 2 }], ack: true },
        ]);
        expect(s.connections.slice(before.connections)).toEqual([
          { namespace: '/', auth: { token: 'let-me-in' } },
          { namespace: '/chat', auth: { token: 'let-me-in' } },
        ]);
      },
      180_000,
    );

    it('writes a k6 script that speaks Engine.IO and Socket.IO afresh', async () => {
      const { session } = await recorded();
      const { file, text } = await exported(session, 'k6');
      expect(k6TypeErrors(file)).toEqual([]);
      expect(await nodeParses(file)).toMatchObject({ code: 0 });
      expect(text).toContain('const NAMESPACES = ["/","/chat"];');
      expect(text).toContain('const AUTH = "{\\"token\\":\\"" + __ENV.TOKEN + "\\"}";');
      expect(text).toContain(
        '{ at: ', // each emit at its time, by name, on its namespace, awaiting its ack
      );
      expect(text).toMatch(
        /\{ at: \d+, namespace: "\/chat", args: "\[\\"said\\",\{\\"text\\":\\"hi\\",\\"password\\":\\"" \+ __ENV\.PASSWORD \+ "\\"\}\]", ack: null \}/,
      );
      expect(text).toMatch(
        /\{ at: \d+, namespace: "\/chat", args: "\[\\"echo\\",\\"hi\\"\]", ack: \{ check: \{ field: "echo", value: "hi" \} \} \}/,
      );
      expect(text).toContain("ws.send('3');");
      expect(text).not.toMatch(/"sid"|\b3\[|let-me-in/);
      expect(text).not.toContain(PASSWORD);
      // The check can fail: a script with a wrong call does not pass.
      writeFileSync(file, text.replace("ws.send('3')", "ws.sendd('3')"));
      expect(k6TypeErrors(file).join('\n')).toMatch(/sendd/);
    }, 60_000);
  },
);

const graphqlMissing = protocolToolMissing('graphql-ws') ?? protocolToolMissing('graphql');
describe.skipIf(graphqlMissing)(
  `a graphql-ws session's load test${graphqlMissing ? ` (skipped: ${graphqlMissing})` : ''}`,
  () => {
    async function recorded() {
      const s = await graphqlWsServer({ tickMs: 50 });
      toClose.push(s);
      const session = await capture([
        s.url,
        '--protocol',
        'graphql-ws',
        '--init-payload',
        '{"token":"let-me-in"}',
        '--subscribe',
        'subscription { tick }',
        '--duration',
        '1',
      ]);
      return { s, session };
    }
    const SUBSCRIBE =
      '"{\\"id\\":\\"1\\",\\"type\\":\\"subscribe\\",\\"payload\\":{\\"query\\":\\"subscription { tick }\\"}}"';

    it.skipIf(artilleryMissing)(
      'runs under Artillery without errors: it opens the protocol, subscribes, and lets the stream pass',
      async () => {
        const { s, session } = await recorded();
        const { file, text } = await exported(session, 'artillery');
        // connection_init awaits connection_ack; the subscribe follows (after the recorded gap, if any).
        const flow = text.slice(text.indexOf('    flow:')).replace(/\n {6}- think: "\d+ms"/g, '');
        expect(flow).toContain(
          [
            '      - send:',
            '          payload: "{\\"type\\":\\"connection_init\\",\\"payload\\":{\\"token\\":\\"{{ $env.TOKEN }}\\"}}"',
            '          match:',
            '            - json: "$.type"',
            '              value: "connection_ack"',
            `      - send: ${SUBSCRIBE}`,
          ].join('\n'),
        );
        expect(text.match(/match:/g)).toHaveLength(1);
        expect(text).not.toContain('let-me-in');

        const before = s.received.length;
        const run = await runArtillery(ws.dir, file, { TOKEN: 'let-me-in' });
        expect(run.code, `${run.stdout}${run.stderr}`.slice(-3000)).toBe(0);
        expect(failures(run.counters)).toEqual([]);
        expect(run.counters).toMatchObject({
          'websocket.messages_sent': 2,
          'vusers.completed': 1,
        });
        expect(s.received.slice(before)).toEqual([
          { type: 'connection_init' },
          { type: 'subscribe', id: '1' },
        ]);
        expect(s.accepted.at(-1)).toEqual({ token: 'let-me-in' });

        // What the export wrote before: a match on the subscribe, which every `next` answers again.
        const matched = text.replace(
          `      - send: ${SUBSCRIBE}`,
          [
            '      - send:',
            `          payload: ${SUBSCRIBE}`,
            '          match:',
            '            - json: "$.type"',
            '              value: "next"',
          ].join('\n'),
        );
        expect(matched).not.toBe(text);
        writeFileSync(file, matched);
        const broken = await runArtillery(ws.dir, file, { TOKEN: 'let-me-in' });
        expect(`${broken.code} ${broken.stdout}${broken.stderr}`).toMatch(/Callback was already called/);
      },
      300_000,
    );

    it('writes a k6 script that opens the protocol, answers pings, and checks no stream message', async () => {
      const { session } = await recorded();
      const { file, text } = await exported(session, 'k6');
      expect(k6TypeErrors(file)).toEqual([]);
      expect(await nodeParses(file)).toMatchObject({ code: 0 });
      expect(text).toContain('const OPENING = true;');
      expect(text).toContain(
        'const HEARTBEAT = { when: { field: "type", value: "ping" }, answer: "{\\"type\\":\\"pong\\"}" };',
      );
      expect(text).toMatch(
        /\{ at: \d+, send: "\{\\"type\\":\\"connection_init\\",\\"payload\\":\{\\"token\\":\\"" \+ __ENV\.TOKEN \+ "\\"\}\}", binary: false, expect: \{ key: \{ field: "type", value: "connection_ack" \}, check: null \} \}/,
      );
      expect(text).toMatch(
        new RegExp(
          `send: ${SUBSCRIBE.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}, binary: false, expect: null \\}`,
        ),
      );
      expect(text).not.toContain('let-me-in');
    }, 60_000);
  },
);
