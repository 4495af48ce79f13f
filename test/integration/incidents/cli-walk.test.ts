// A walk driven end to end through the command line, as a script (or an engineer without a window)
// would: open an incident, start a walk on a local endpoint, run a shell step and a capture, choose
// branches, go back, write notes, reach the end; and the runbooks command on good and broken files.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunbookSummary } from '../../../shared/runbooks/schemas.js';
import type { Incident, WalkRun, WalkView } from '../../../shared/contract/incidents.js';
import type { SessionSummary } from '../../../shared/contract.js';
import { cli, workspace, type CliResult, type Workspace } from '../../support/cli.js';
import { wsServer, type WsScenario } from '../../servers/scenarios.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/runbooks/', import.meta.url));
const SEEDS = fileURLToPath(new URL('../../fixtures/seeds/', import.meta.url));

let ws: Workspace;
let server: WsScenario;

beforeAll(async () => {
  ws = workspace();
  // Says hello, then fails the way a crashing backend does: 1011 after a moment.
  server = await wsServer((socket) => {
    socket.send('hello');
    setTimeout(() => socket.close(1011, 'scenario close'), 200);
  });
});

afterAll(async () => {
  await server.close();
  ws.cleanup();
});

const fl = (...args: string[]): Promise<CliResult> => cli([...args, '--db', ws.db]);

async function json<T>(...args: string[]): Promise<T> {
  const r = await fl(...args, '--json');
  if (r.code !== 0)
    throw new Error(`frameline ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

describe('frameline walk', () => {
  let incident: Incident;
  let walkId: number;

  it("opens an incident and starts a walk at the runbook's start node", async () => {
    incident = await json<Incident>(
      'incident',
      'create',
      '--title',
      'Chat drops every minute',
      '--severity',
      'p1',
    );
    expect(incident).toMatchObject({ title: 'Chat drops every minute', severity: 'P1', status: 'open' });
    const w = await json<WalkView>(
      'walk',
      'start',
      String(incident.id),
      '--runbook',
      'ws-3am',
      '--target',
      `${server.url}/chat`,
    );
    walkId = w.id;
    expect(w).toMatchObject({ status: 'active', target: `${server.url}/chat` });
    expect(w.current.visit).toMatchObject({
      node: 'ALERT',
      kind: 'start',
      timeboxSeconds: 120,
      overrun: false,
    });
    expect(w.current.deadline).not.toBeNull();
    expect(w.current.choices).toEqual([{ label: 'next', to: 'SCOPE', toLabel: 'Where does it break?' }]);
  });

  it('shows each step with its text, as the console does', async () => {
    const r = await fl('walk', 'show', String(walkId));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      [
        '    1. Count the open connections   $ port="${WS_PORT:-3000}" …',
        '       A number far below the usual count means clients are being dropped; a rising number of CLOSE_WAIT',
        '       sockets means the server is not closing what its peers left.',
        '    2. Watch the endpoint for a minute   action: capture duration=60',
        '       Frameline connects to the target and records every frame and every close for 60 seconds.',
      ].join('\n'),
    );
  });

  it("shows a step's command and runs nothing without --yes", async () => {
    const r = await fl('walk', 'run', String(walkId), '--step', '1');
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('grep -c ESTABLISHED');
    expect(r.stderr).toMatch(/nothing was run: confirm this run with --yes/);
    const w = await json<WalkView>('walk', 'show', String(walkId));
    expect(w.runs).toEqual([]);
  });

  it('runs the confirmed shell step with the target in its environment, keeping the output', async () => {
    const r = await fl('walk', 'run', String(walkId), '--step', '1', '--yes', '--timeout', '20');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^established: \d+$/m);
    expect(r.stderr).toMatch(/run 1 ok: exited with 0/);
    const failed = await fl(
      'walk',
      'run',
      String(walkId),
      '--yes',
      '--command',
      'echo "$WS_HOST $WS_PORT $WS_PATH"; exit 3',
      '--json',
    );
    expect(failed.code).toBe(1);
    const edited = JSON.parse(failed.stdout) as WalkRun;
    expect(edited).toMatchObject({
      status: 'failed',
      exitCode: 3,
      output: `127.0.0.1 ${server.port} /chat\n`,
    });
    expect(edited.original).toContain('ESTABLISHED');
  });

  it('runs the capture action against the endpoint and keeps the session with the incident', async () => {
    const r = await fl('walk', 'action', String(walkId), '--step', '2', '--duration', '1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /capture\s+ok: session \d+: \d+ frames over \d+ connections?; ended: 1011 by server/,
    );
    const w = await json<WalkView>('walk', 'show', String(walkId));
    const capture = w.runs.find((x) => x.kind === 'capture')!;
    const result = capture.result as { sessionId: number; closes: Array<{ code: number; closedBy: string }> };
    expect(result.closes[0]).toMatchObject({ code: 1011, closedBy: 'server' });
    const sessions = await json<SessionSummary[]>('sessions');
    expect(sessions.map((s) => s.id)).toContain(result.sessionId);
  });

  it('checks a step off and unticks it with walk check, kept with the walk', async () => {
    const r = await fl('walk', 'check', String(walkId), '3');
    expect(r.code, r.stderr).toBe(0);
    // Steps 1 and 2 ran well, so they were checked off already.
    expect(r.stdout).toBe('step 3 of ALERT checked (3 of 3 checked)\n');
    let w = await json<WalkView>('walk', 'show', String(walkId));
    expect(w.checked.ALERT).toEqual([1, 2, 3]);
    w = await json<WalkView>('walk', 'check', String(walkId), '2', '--undo');
    expect(w.checked.ALERT).toEqual([1, 3]);
    expect(w.timeline.filter((e) => e.kind.startsWith('step-')).map((e) => e.text)).toEqual([
      'step 3 "Count the close codes" of ALERT checked',
      'step 2 "Watch the endpoint for a minute" of ALERT unchecked',
    ]);
    const bad = await fl('walk', 'check', String(walkId), '7');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/ALERT has 3 steps; there is no step 7/);
    const none = await fl('walk', 'check', String(walkId));
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/needs a step number/);
  });

  it('diagnoses the capture, attaching its findings to the walk', async () => {
    const r = await fl('walk', 'action', String(walkId), '--step', '3');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/diagnose\s+ok: diagnosis of session \d+: .*server-close/);
    expect(r.stdout).toMatch(/finding server-close: .*1011/);
    const w = await json<WalkView>('walk', 'show', String(walkId));
    expect(w.findings.map((f) => [f.id, f.source])).toContainEqual(['server-close', 'diagnose']);
  });

  it('chooses branches, goes back, takes another branch, and keeps every move in the timeline', async () => {
    // Said to a person: the node it arrived at, with each step's text.
    const chosen = await fl('walk', 'choose', String(walkId));
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(chosen.stdout).toMatch(/^at SCOPE \[decision\]/m);
    expect(chosen.stdout).toContain(
      [
        '    2. Check the upgrade through the balancer   $ curl -sS -i -N --max-time 5 \\ …',
        '       A healthy answer is `HTTP/1.1 101 Switching Protocols`. A 200, 400, 426 or 502 here, with a 101',
        '       when going direct, puts the balancer in question.',
      ].join('\n'),
    );
    let w = await json<WalkView>('walk', 'show', String(walkId));
    expect(w.current.visit).toMatchObject({ node: 'SCOPE', kind: 'decision' });
    expect(w.current.choices.map((c) => c.label)).toEqual(['Client side', 'Load balancer', 'Server side']);
    // The 1011 closes the diagnosis found point at the servers.
    expect(w.current.suggestions.map((x) => [x.label, x.findings.map((f) => f.id)])).toEqual([
      ['Server side', ['server-close']],
    ]);

    const wrong = await fl('walk', 'choose', String(walkId), 'database');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/"database" is not a way on from here; choose one of 1\. "Client side"/);

    w = await json<WalkView>('walk', 'choose', String(walkId), 'load', 'balancer');
    expect(w.current.visit.node).toBe('BALANCER');
    const noted = await fl('walk', 'note', String(walkId), 'nginx was reloaded at 02:55');
    expect(noted.stdout).toBe('noted at BALANCER\n');

    w = await json<WalkView>('walk', 'back', String(walkId));
    expect(w.current.visit).toMatchObject({ node: 'SCOPE', via: 'back' });
    expect(w.path.map((v) => v.node)).toEqual(['ALERT', 'SCOPE']);

    w = await json<WalkView>('walk', 'choose', String(walkId), '3');
    expect(w.current.visit.node).toBe('SERVER');
    expect(w.path.map((v) => [v.node, v.choice])).toEqual([
      ['ALERT', 'next'],
      ['SCOPE', 'Server side'],
      ['SERVER', null],
    ]);

    const kinds = w.timeline.map((e) => e.kind);
    expect(kinds.slice(0, 2)).toEqual(['walk-started', 'node-entered']);
    for (const k of ['run-started', 'run-finished', 'choice', 'note', 'back']) expect(kinds).toContain(k);
    const note = w.timeline.find((e) => e.kind === 'note')!;
    expect(note).toMatchObject({ node: 'BALANCER', text: 'nginx was reloaded at 02:55' });
    const back = w.timeline.find((e) => e.kind === 'back')!;
    expect(back.text).toBe('went back from BALANCER to SCOPE');
    const shell = w.timeline.find((e) => e.kind === 'run-finished')!;
    expect(shell.detail).toMatchObject({
      status: 'ok',
      truncated: false,
      output: expect.stringMatching(/established/),
    });
  });

  it('reaches an end node, which finishes the walk', async () => {
    for (const answer of ['', '', 'memory leak', '', ''])
      await json<WalkView>('walk', 'choose', String(walkId), ...(answer ? [answer] : []));
    const w = await json<WalkView>('walk', 'choose', String(walkId), 'yes');
    expect(w.current.visit).toMatchObject({ node: 'MONITOR', kind: 'end' });
    expect(w.status).toBe('finished');
    expect(w.endedAt).not.toBeNull();
    const more = await fl('walk', 'choose', String(walkId), 'yes');
    expect(more.code).toBe(2);
    expect(more.stderr).toMatch(/the walk ends here/);
  });

  it('shows it all to a person: path, runs, timeline; and the incident with its walks', async () => {
    const show = await fl('walk', 'show', String(walkId));
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^walk \d+ {2}incident \d+ "Chat drops every minute" \(P1\)$/m);
    expect(show.stdout).toMatch(/at MONITOR \[end\]/);
    expect(show.stdout).toMatch(/run \d+ {2}ALERT step 2 {2}capture {2}ok: session/);
    expect(show.stdout).toMatch(/walk-finished +walk \d+ finished at MONITOR "Monitor"/);
    const inc = await fl('incident', 'show', String(incident.id));
    expect(inc.stdout).toMatch(/incident-created +incident opened: Chat drops every minute \(P1\)/);
    expect(inc.stdout).toMatch(/walk \d+ {2}ws-3am {2}finished, at MONITOR "Monitor"/);
    const resolved = await json<Incident>('incident', 'update', String(incident.id), '--status', 'resolved');
    expect(resolved.mitigatedAt).not.toBeNull();
    expect(resolved.resolvedAt).not.toBeNull();
  });

  it('refuses bad input with exit code 2 and a sentence', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['walk', 'start', '999', '--runbook', 'ws-3am'], /no incident 999/],
      [
        ['walk', 'start', String(incident.id), '--runbook', 'nope'],
        /no runbook "nope"; the runbooks are ws-3am/,
      ],
      [
        ['walk', 'start', String(incident.id), '--runbook', 'ws-3am', '--target', 'http://x'],
        /use ws:\/\/ for a WebSocket endpoint/,
      ],
      [
        [
          'walk',
          'start',
          String(incident.id),
          '--runbook',
          'ws-3am',
          '--target',
          `${server.url}/chat`,
          '--direct',
          `${server.url}/chat`,
        ],
        /^frameline: the backend address \(--direct\) is the same URL as the endpoint \(--target\); give the backend address behind the proxy\n$/,
      ],
      [['walk', 'show', '999'], /no walk 999/],
      [['walk', 'fly', '1'], /"fly" is not a walk command/],
      [['incident', 'create'], /needs --title/],
      [['incident', 'create', '--title', 'x', '--severity', 'P7'], /--severity must be P1, P2, P3 or P4/],
      [
        ['incident', 'update', String(incident.id), '--status', 'gone'],
        /--status must be open, mitigated or resolved/,
      ],
      [['incident', 'list', 'extra'], /takes no arguments, got 1: "extra" is one too many/],
      [['walk', 'list', '999999'], /no incident 999999/],
      [['walk', 'finding', String(walkId), 'no-such-finding'], /"no-such-finding" is not a finding id/],
      [
        ['walk', 'action', String(walkId), '--duration', '-5'],
        /--duration must be a number from 0.1 to 3600 seconds, not "-5"/,
      ],
      [['walk', 'show', String(walkId), 'extra'], /takes at most 1 walk id, got 2/],
    ];
    for (const [args, message] of cases) {
      const r = await fl(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('frameline runbooks', () => {
  it('lists the built-in runbooks', async () => {
    const list = await json<RunbookSummary[]>('runbooks');
    expect(list.filter((r) => r.source === 'builtin').map((r) => r.id)).toEqual([
      'ws-3am',
      'incident-checklist',
      'symptom-matrix',
      'service-runbook',
      'root-causes',
    ]);
  });

  it('shows one as nodes, edges and steps', async () => {
    const r = await json<{
      id: string;
      title: string;
      nodes: Array<{ id: string; label: string; kind: string }>;
      edges: Array<{ from: string; to: string; label: string | null }>;
      steps: unknown[];
    }>('runbooks', 'show', 'ws-3am');
    expect(r.id).toBe('ws-3am');
    expect(r.nodes[0]).toMatchObject({ id: 'ALERT', kind: 'start' });
    expect(r.nodes.find((n) => n.id === 'SCOPE')).toMatchObject({
      label: 'Where does it break?',
      kind: 'decision',
    });
    expect(r.edges).toContainEqual({ from: 'SCOPE', to: 'BALANCER', label: 'Load balancer' });
    expect(r.steps.length).toBeGreaterThan(15);
    const md = await fl('runbooks', 'show', 'ws-3am', '--markdown');
    expect(md.stdout).toMatch(/^---\nid: ws-3am\n/);
  });

  it('validates files: exit 0 when valid, exit 2 with FILE:LINE: problem when not', async () => {
    const good = await fl('runbooks', 'validate', join(FIXTURES, 'custom.md'));
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/a valid runbook "idle-drops" \(Idle connections dropped\): 6 nodes/);
    const file = join(FIXTURES, 'broken-chart.md');
    const bad = await fl('runbooks', 'validate', file);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      `${file}:8: node C: "[" is never closed with "]" on this line (quote a label that holds brackets: C["..."])\n`,
    );
    const missing = await fl('runbooks', 'validate', join(FIXTURES, 'nope.md'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.md \(ENOENT\)/);
  });

  it('imports a file once, replaces it only when asked, and walks it', async () => {
    const file = join(FIXTURES, 'custom.md');
    expect((await fl('runbooks', 'import', file)).stdout).toMatch(/^imported runbook idle-drops/);
    const again = await fl('runbooks', 'import', file);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already imported; pass --replace/);
    expect((await fl('runbooks', 'import', file, '--replace')).stdout).toMatch(
      /^replaced runbook idle-drops/,
    );
    const list = await json<RunbookSummary[]>('runbooks');
    expect(list.find((r) => r.id === 'idle-drops')).toMatchObject({
      source: 'imported',
      fileName: 'custom.md',
    });
    const broken = await fl('runbooks', 'import', join(FIXTURES, 'broken-step.md'));
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken-step\.md:8: action "teleport/);

    const inc = await json<Incident>('incident', 'create', '--title', 'Idle drops');
    let w = await json<WalkView>('walk', 'start', String(inc.id), '--runbook', 'idle-drops');
    w = await json<WalkView>('walk', 'choose', String(w.id));
    expect(w.current.visit).toMatchObject({ node: 'HOLD', timeboxSeconds: 180 });
    const noTarget = await fl('walk', 'action', String(w.id));
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toMatch(/needs an endpoint URL: give --url .*, or start the walk with --target/);
  });

  it('imports the seed document with the 3 AM flowchart as it is and walks it to "monitor"', async () => {
    const seed = readdirSync(SEEDS).find((f) =>
      readFileSync(join(SEEDS, f), 'utf8').includes('3 AM Debugging Flowchart'),
    );
    expect(seed, `a seed with the 3 AM flowchart in ${SEEDS}`).toBeDefined();
    const imported = await fl('runbooks', 'import', join(SEEDS, seed!));
    expect(imported.code, imported.stderr).toBe(0);
    const id = /imported runbook (\S+)/.exec(imported.stdout)![1]!;
    const inc = await json<Incident>('incident', 'create', '--title', 'Seed walk');
    let w = await json<WalkView>('walk', 'start', String(inc.id), '--runbook', id);
    expect(w.current.visit.label).toMatch(/WebSocket Alert/);
    for (const answer of ['', 'client-side', '', '', 'reconnect storms', '', ''])
      w = await json<WalkView>('walk', 'choose', String(w.id), ...(answer ? [answer] : []));
    expect(w.current.visit.node).toBe('VERIFY_STABILITY');
    w = await json<WalkView>('walk', 'choose', String(w.id), 'YES');
    expect(w.current.visit.node).toBe('MONITOR_LONG_TERM');
    expect(w.status).toBe('finished');
  });
});
