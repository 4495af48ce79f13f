// The walk's SCOPE probe holds its idle connection for a few seconds only. Against a server that
// pings every 20 s, those seconds say nothing about its heartbeat: the probe must not raise
// no-heartbeat, and the walk must not be sent to the load balancer for it. A probe step also takes
// the protocol to speak, as `frameline probe` does: against a graphql-ws server refusing the token
// given, it finds auth-refused.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Incident, WalkRun, WalkView } from '../../../shared/contract/incidents.js';
import { cli, workspace, type Workspace } from '../../support/cli.js';
import { protocolToolMissing } from '../../support/test-tools.js';
import { graphqlWsServer } from '../../servers/graphql-ws.js';
import { pythonServer, Stack } from '../diagnose/helpers.js';

let ws: Workspace;
const stack = new Stack();

beforeEach(() => {
  ws = workspace();
});

afterEach(async () => {
  await stack.unwind();
  ws.cleanup();
});

async function json<T>(...args: string[]): Promise<T> {
  const r = await cli([...args, '--db', ws.db, '--json']);
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
}

/** A ws-3am walk of `target` (and `direct`), moved on to "Where does it break?". */
async function walkAtScope(target: string, direct?: string): Promise<number> {
  const incident = await json<Incident>('incident', 'create', '--title', 'Disconnects at 3 AM');
  const started = await json<WalkView>(
    'walk',
    'start',
    String(incident.id),
    '--runbook',
    'ws-3am',
    '--target',
    target,
    ...(direct ? ['--direct', direct] : []),
  );
  const walk = started.id;
  expect((await json<WalkView>('walk', 'choose', String(walk))).current.visit.node).toBe('SCOPE');
  return walk;
}

describe('the walk’s SCOPE probe and the server’s heartbeat', () => {
  it('a server pinging every 20 s: no no-heartbeat from the short hold, and no load balancer suggested', async () => {
    const server = stack.push(await pythonServer(['--ping-interval', '20']));
    const walk = await walkAtScope(`${server.url}/ws`, `${server.url}/direct`);

    const probe = await json<WalkRun>('walk', 'action', String(walk), '--step', '1');
    expect(probe).toMatchObject({ kind: 'probe', status: 'ok' });
    expect(probe.summary).not.toMatch(/no-heartbeat/);
    const result = probe.result as {
      checks: Array<{ name: string; ok: boolean; detail: Record<string, unknown> }>;
    };
    const heartbeat = result.checks.find((c) => c.name === 'heartbeat')!;
    expect(heartbeat).toMatchObject({ ok: true, detail: { serverPings: 0, verdict: 'not-observed' } });

    const w = await json<WalkView>('walk', 'show', String(walk));
    expect(w.findings.map((f) => f.id)).not.toContain('no-heartbeat');
    expect(w.current.suggestions.map((s) => s.to)).not.toContain('BALANCER');
  });
});

const graphqlMissing = protocolToolMissing('graphql-ws') ?? protocolToolMissing('graphql');
describe.skipIf(graphqlMissing)(
  `a walk's probe speaking graphql-ws${graphqlMissing ? ` (skipped: ${graphqlMissing})` : ''}`,
  () => {
    it('takes --protocol and --init-payload to the probe: a refused token is auth-refused', async () => {
      const server = stack.push(await graphqlWsServer());
      const walk = await walkAtScope(server.url, `${server.url}-direct`);
      const probe = await json<WalkRun>(
        'walk',
        'action',
        String(walk),
        '--step',
        '1',
        '--protocol',
        'graphql-ws',
        '--init-payload',
        '{"token":"wrong"}',
      );
      expect(probe).toMatchObject({ kind: 'probe', status: 'ok' });
      expect(probe.summary).toMatch(/auth-refused/);
      expect(probe.summary).not.toMatch(/subprotocol-refused|no-heartbeat/);
      const w = await json<WalkView>('walk', 'show', String(walk));
      expect(w.findings.find((f) => f.id === 'auth-refused')).toMatchObject({ source: 'probe' });
    });
  },
);
