// The walk's relay action on real peers: at "Debug the clients" of the 3 AM runbook, `frameline walk
// action` starts a relay to the walk's target (a Python `websockets` echo server) and prints where to
// point the client; a Python `websockets` client goes through it; Ctrl+C stops the step, and the
// relay's session, with the client's frames both ways, is linked to the incident; run again for a
// second with nobody pointed at it, it ends by itself and says no client came.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident, WalkRun, WalkView } from '../../../shared/contract/incidents.js';
import type { ResponseOf } from '../../../shared/contract.js';
import { cli, finished, startCli, workspace, type Workspace } from '../../support/cli.js';
import { PYTHON, serverScript, startPeer, type Peer } from '../../support/processes.js';
import type { ShowJson } from '../../support/session-json.js';

let ws: Workspace;
let server: Peer;

beforeAll(async () => {
  ws = workspace();
  server = await startPeer(PYTHON, [serverScript('python_ws.py')]);
});
afterAll(async () => {
  await server?.stop();
  ws?.cleanup();
});

async function json<T>(...args: string[]): Promise<T> {
  const r = await cli([...args, '--db', ws.db, '--json']);
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
}

/** Runs the Python client to the end; its JSON lines. */
async function pythonClient(args: string[]): Promise<Array<Record<string, unknown>>> {
  const child = spawn(PYTHON, [serverScript('python_ws_client.py'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'close')) as [number];
  expect(code, stderr).toBe(0);
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** What a stream has printed so far, and a wait for a pattern in it (resolved when the text matches). */
function printed(stream: Readable) {
  let text = '';
  const waiting: Array<() => void> = [];
  stream.on('data', (d: Buffer) => {
    text += d.toString();
    for (const w of waiting.splice(0)) w();
  });
  const until = async (re: RegExp): Promise<RegExpExecArray> => {
    for (;;) {
      const m = re.exec(text);
      if (m) return m;
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  };
  return { until, text: () => text };
}

describe('a walk step that relays the real client', () => {
  it('says where to point the client, records it through the relay, and links the session to the incident', async () => {
    const incident = await json<Incident>('incident', 'create', '--title', 'Only the mobile app drops');
    const target = `ws://127.0.0.1:${server.port}/live`;
    const started = await json<WalkView>(
      'walk',
      'start',
      String(incident.id),
      '--runbook',
      'ws-3am',
      '--target',
      target,
    );
    const walk = String(started.id);
    await json<WalkView>('walk', 'choose', walk); // ALERT -> SCOPE
    await json<WalkView>('walk', 'choose', walk, 'client', 'side'); // -> CLIENT
    const at = await json<WalkView>('walk', 'choose', walk); // -> CLIENT_DEBUG
    expect(at.current.visit.node).toBe('CLIENT_DEBUG');
    const step = at.current.steps.find((s) => s.action?.kind === 'relay')!;
    expect(step.title).toBe('Record the real client through a relay');

    const child = startCli(['walk', 'action', walk, '--step', String(step.index), '--db', ws.db]);
    const ended = finished(child, 120_000);
    // The first line it prints is where the client goes.
    const said = printed(child.stdout!);
    const relayUrl = (
      await said.until(/^point the client at (ws:\/\/127\.0\.0\.1:\d+\/) and reproduce it/m)
    )[1]!;
    expect(relayUrl).not.toBe('');

    const client = await pythonClient([`${relayUrl}feed?v=2`, '--send', 'hello', '--send', 'again']);
    expect(client).toEqual([
      { open: true, subprotocol: null },
      { received: 'hello' },
      { received: 'again' },
      { closed: 1000, reason: 'done' },
    ]);
    // The client's end is said before the step is stopped: wait for it, then Ctrl+C.
    await said.until(/^client 1 from 127\.0\.0\.1:\d+: .*\n/m);
    expect(said.text()).toMatch(
      new RegExp(
        `client 1 from 127\\.0\\.0\\.1:\\d+ connected, relayed to ws://127\\.0\\.0\\.1:${server.port}/live/feed\\?v=2`,
      ),
    );
    expect(said.text()).toMatch(
      /client 1 from 127\.0\.0\.1:\d+: closed by the client.*; 3 frames from the client, 3 from the server/, // two messages and the close
    );
    child.kill('SIGINT');
    const r = await ended;
    expect(r.stderr).toMatch(/SIGINT: stopping run \d+/);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /relay\s+stopped: session \d+: 1 client through ws:\/\/127\.0\.0\.1:\d+\/, \d+ frames/,
    );

    const w = await json<WalkView>('walk', 'show', walk);
    const run = w.runs.find((x) => x.kind === 'relay') as WalkRun;
    expect(run).toMatchObject({ status: 'stopped', node: 'CLIENT_DEBUG', step: step.index });
    expect(run.output).toMatch(/^point the client at ws:\/\/127\.0\.0\.1:\d+\/ and reproduce it/);
    const result = run.result as { sessionId: number; connections: number; to: string };
    expect(result).toMatchObject({ connections: 1, to: target });
    expect(run.sessionId).toBe(result.sessionId);

    const detail = await json<ResponseOf<'incidents', 'get'>>('incident', 'show', String(incident.id));
    expect(detail.sessions.find((s) => s.id === result.sessionId)).toMatchObject({
      kind: 'relay',
      via: 'walk',
    });

    // Run again for a second only, with nobody pointed at it: it ends by itself and says so.
    const again = await cli([
      'walk',
      'action',
      walk,
      '--step',
      String(step.index),
      '--duration',
      '1',
      '--db',
      ws.db,
    ]);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(
      /^point the client at ws:\/\/127\.0\.0\.1:\d+\/ .* for 1 s, or until the step is stopped$/m,
    );
    expect(again.stdout).toMatch(
      /relay\s+failed: session \d+: no client came through ws:\/\/127\.0\.0\.1:\d+\//,
    );

    const show = await json<ShowJson>('show', String(result.sessionId), '--frames');
    expect(show.session).toMatchObject({ kind: 'relay', status: 'complete' });
    expect(show.frames!.filter((f) => f.opcode === 'text').map((f) => [f.direction, f.payload])).toEqual([
      ['out', 'hello'],
      ['in', 'hello'],
      ['out', 'again'],
      ['in', 'again'],
    ]);
  });
});
