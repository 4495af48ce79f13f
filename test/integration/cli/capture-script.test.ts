// `frameline capture --script FILE` against real peers, as a user runs it: the conversation goes
// out in order (after the protocol's opening, when one is spoken), each step is on the session's
// record, a close step ends the capture, and an expect that times out ends it with exit 1 and one line.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { graphqlWsServer } from '../../servers/graphql-ws.js';
import { socketIoServer } from '../../servers/socketio.js';
import { cli, cliJson, workspace, type Workspace } from '../../support/cli.js';
import { PYTHON, serverScript, startPeer, type Peer } from '../../support/processes.js';
import type { ShowJson } from '../../support/session-json.js';
import { protocolToolMissing } from '../../support/test-tools.js';
import { until } from '../../support/wait.js';

interface ScriptEvent {
  kind: string;
  detail: { line?: number; step?: string; [k: string]: unknown };
}
type ShowWithScript = ShowJson & { script?: ScriptEvent[] };

let ws: Workspace;
const toClose: Array<() => Promise<void>> = [];

beforeEach(() => {
  ws = workspace();
});

afterEach(async () => {
  for (const close of toClose.splice(0)) await close();
  ws.cleanup();
});

function scriptFile(lines: string[]): string {
  const path = join(ws.dir, 'conversation.txt');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

async function pythonEcho(): Promise<string> {
  const peer: Peer = await startPeer(PYTHON, [serverScript('python_ws.py')]);
  toClose.push(() => peer.stop());
  return `ws://127.0.0.1:${peer.port}/`;
}

async function shown(stdout: string): Promise<ShowWithScript> {
  const id = Number(/^session (\d+)/m.exec(stdout)![1]);
  const { result, json } = await cliJson<ShowWithScript>(['show', String(id), '--frames', '--db', ws.db]);
  expect(result.code, result.stderr).toBe(0);
  return json;
}

/** Each script event as `line kind[/step]`, in order. */
const steps = (s: ShowWithScript) =>
  (s.script ?? []).map((e) => `${e.detail.line ?? '-'} ${e.kind}${e.detail.step ? `/${e.detail.step}` : ''}`);

describe('capture --script against Python websockets (an echo server)', () => {
  it('sends, expects a JSON subset and a regex, sleeps, pings and closes, all on the record', async () => {
    const url = await pythonEcho();
    const file = scriptFile([
      '# the echo answers each message with itself',
      'send {"op":"hello","user":"ana","n":1}',
      'expect {"op":"hello","n":1} 5s',
      'send say welcome',
      'expect /WELCOME/i 5s',
      'sleep 20ms',
      'ping',
      'close 4000 done',
    ]);
    // No --duration: the script's close ends the capture.
    const r = await cli(['capture', url, '--script', file, '--db', ws.db], {}, 30_000);
    expect(r.code, r.stderr).toBe(0);
    const s = await shown(r.stdout);
    expect(steps(s)).toEqual([
      '2 script-step/send',
      '3 script-step/expect',
      '3 script-expect-matched',
      '4 script-step/send',
      '5 script-step/expect',
      '5 script-expect-matched',
      '6 script-step/sleep',
      '7 script-step/ping',
      '8 script-step/close',
    ]);
    expect(s.frames!.map((f) => [f.direction, f.opcode])).toEqual([
      ['out', 'text'],
      ['in', 'text'],
      ['out', 'text'],
      ['in', 'text'],
      ['out', 'ping'],
      ['out', 'close'],
      ['in', 'pong'],
      ['in', 'close'],
    ]);
    expect(s.frames![2]!.payload).toBe('say welcome');
    expect(s.connections[0]).toMatchObject({ closeCode: 4000, closeReason: 'done', closedBy: 'client' });
    // `show` in words: the steps, with the time each expect took.
    const text = await cli(['show', String(s.session.id), '--db', ws.db]);
    expect(text.stdout).toMatch(
      /line 3: expect \{"op":"hello","n":1\} \(within 5 s\)\n.*line 3: matched after \d+ ms/,
    );
  });

  it('an expect that times out is an event, a clean close and exit 1 with one line', async () => {
    const url = await pythonEcho();
    const file = scriptFile(['send ready?', 'expect /^go$/ 300ms', 'send never sent']);
    const r = await cli(['capture', url, '--script', file, '--duration', '60', '--db', ws.db], {}, 30_000);
    expect(r.code).toBe(1);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
    expect(errors).toEqual([
      'error: script line 2 (expect /^go$/ 300ms): no message matched within 0.3 s (1 received meanwhile)',
    ]);
    const s = await shown(r.stdout);
    expect(steps(s)).toEqual(['1 script-step/send', '2 script-step/expect', '2 script-expect-timeout']);
    expect(s.script![2]!.detail).toEqual({ line: 2, pattern: '/^go$/', timeoutMs: 300, received: 1 });
    // The third step never went out; the capture closed cleanly rather than wait out its 60 s.
    expect(s.frames!.filter((f) => f.direction === 'out' && f.opcode === 'text')).toHaveLength(1);
    expect(s.connections[0]).toMatchObject({ closeCode: 1000, closedBy: 'client' });
  });

  it('a finished script leaves the capture recording until its duration', async () => {
    const url = await pythonEcho();
    const file = scriptFile(['send one', 'expect /one/ 5s']);
    const r = await cli(['capture', url, '--script', file, '--duration', '0.5', '--db', ws.db], {}, 30_000);
    expect(r.code, r.stderr).toBe(0);
    const s = await shown(r.stdout);
    expect(steps(s)).toEqual([
      '1 script-step/send',
      '2 script-step/expect',
      '2 script-expect-matched',
      '- script-finished',
    ]);
    expect(s.connections[0]).toMatchObject({ closeCode: 1000, closedBy: 'client' });
  });

  it('a mistake in the file is one line naming the file and the line, exit 2, and nothing is created', async () => {
    const url = await pythonEcho();
    const file = scriptFile(['send hi', '', 'wait 5s']);
    const r = await cli(['capture', url, '--script', file, '--db', ws.db]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `frameline: script ${file}, line 3: "wait" is not a step; a line is one of send, expect, sleep, ping, close (or a # comment)`,
    ]);
    expect(existsSync(ws.db)).toBe(false);
  });
});

describe.skipIf(protocolToolMissing('graphql-ws') ?? protocolToolMissing('graphql'))(
  'capture --script after a graphql-ws opening (graphql-ws useServer over ws)',
  () => {
    it('starts after connection_ack: a query and its answer, expected as JSON subsets', async () => {
      const server = await graphqlWsServer();
      toClose.push(() => server.close());
      const file = scriptFile([
        'send {"id":"q1","type":"subscribe","payload":{"query":"{ hello }"}}',
        'expect {"id":"q1","type":"next","payload":{"data":{"hello":"world"}}} 5s',
        'expect {"type":"complete"} 5s',
        'close 1000 bye',
      ]);
      const r = await cli(
        ['capture', server.url, '--protocol', 'graphql-ws', '--script', file, '--db', ws.db],
        {},
        30_000,
      );
      expect(r.code, r.stderr).toBe(0);
      // The server saw the subscribe after its opening (before connection_ack it closes with 4401).
      expect(server.received).toEqual([{ type: 'connection_init' }, { type: 'subscribe', id: 'q1' }]);
      const s = await shown(r.stdout);
      expect(steps(s).filter((l) => l.includes('matched'))).toEqual([
        '2 script-expect-matched',
        '3 script-expect-matched',
      ]);
      expect(s.connections[0]).toMatchObject({ protocol: 'graphql-ws', closeCode: 1000, closeReason: 'bye' });
    });
  },
);

describe.skipIf(protocolToolMissing('socket.io'))('capture --script after a Socket.IO opening', () => {
  it("expects the server's greeting, emits an event, and keeps Engine.IO's heartbeat answered", async () => {
    const server = await socketIoServer({ pingInterval: 100, pingTimeout: 200 });
    toClose.push(() => server.close());
    const file = scriptFile([
      // The greeting the server emits as the namespace connects (it may come with the opening).
      'expect /^42\\["welcome",\\{"namespace":"\\/"\\}\\]$/ 5s',
      // Longer than a ping timeout: only a client that answers Engine.IO's pings is still connected.
      'sleep 500ms',
      'send 42["chat",{"text":"hi"}]',
      'close',
    ]);
    const r = await cli(['capture', server.url, '--script', file, '--db', ws.db], {}, 30_000);
    expect(r.code, r.stderr).toBe(0);
    await until('the chat event at the server', () => server.events.some((e) => e.name === 'chat'));
    expect(server.events).toEqual([{ namespace: '/', name: 'chat', args: [{ text: 'hi' }] }]);
    await until('the disconnect at the server', () => server.disconnects.length > 0);
    // The close was ours and clean (1000, by the client: checked below). The server names the end of
    // its transport "close", or "error" when the command's exit reset the socket before the server
    // had sent its last Engine.IO ping (seen beside other jobs): either way it ended there once.
    expect(server.disconnects).toHaveLength(1);
    expect(['transport close', 'transport error']).toContain(server.disconnects[0]);
    const s = await shown(r.stdout);
    expect(steps(s)).toEqual([
      '1 script-step/expect',
      '1 script-expect-matched',
      '2 script-step/sleep',
      '3 script-step/send',
      '4 script-step/close',
    ]);
    expect(s.connections[0]).toMatchObject({ protocol: 'socket.io', closeCode: 1000, closedBy: 'client' });
  });
});
