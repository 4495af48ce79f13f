// The 3 AM walk's VERIFY step from the command line, against a real fix: the Python server behind
// nginx with proxy_read_timeout 3s is captured at the alert, "Yes, stable" is nudged while there is
// no capture after the fix, then nginx is started again at the same address with 3600s, the endpoint
// is captured at APPLY, and at VERIFY the two captures are compared: the idle cuts are gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNginx, type Proxy } from '../../servers/proxies.js';
import { cli, workspace, type Workspace } from '../../support/cli.js';
import { PYTHON, serverScript, startPeer, type Peer } from '../../support/processes.js';

let ws: Workspace;
let backend: Peer;
let proxy: Proxy | null = null;

const fl = (...args: string[]) => cli([...args, '--db', ws.db], {}, 60_000);

beforeAll(async () => {
  ws = workspace();
  backend = await startPeer(PYTHON, [serverScript('python_ws.py')]);
  proxy = await startNginx({ upstreamPort: backend.port, websocket: true, readTimeoutSeconds: 3 });
});

afterAll(async () => {
  await proxy?.stop();
  await backend?.stop();
  ws.cleanup();
});

describe('walk choose at VERIFY', () => {
  it('nudges "Yes" without a capture after the fix, then compares the captures before and after it', async () => {
    const ok = async (...args: string[]) => {
      const r = await fl(...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r;
    };
    await ok('incident', 'create', '--title', 'Prices drop every 3 s');
    await ok('walk', 'start', '1', '--runbook', 'ws-3am', '--target', `${proxy!.url}/prices`);
    // The alert's capture: nginx cuts the idle connection every 3 s, the walk's capture reconnects.
    await ok('walk', 'action', '1', '--step', '2', '--duration', '8');
    for (const way of ['', 'Load balancer', '', '', 'Timeouts', '', ''])
      await ok('walk', 'choose', '1', ...(way ? [way] : []));

    // "Yes" with nothing captured after the fix: said, and taken (the terminal does not ask).
    const early = await ok('walk', 'choose', '1', 'Yes');
    expect(early.stderr).toMatch(
      /frameline: No capture was made after the fix: session 1 is from before it\./,
    );
    await ok('walk', 'back', '1');
    await ok('walk', 'back', '1');

    // The fix: the same address, proxy_read_timeout 3600s.
    const port = proxy!.port;
    await proxy!.stop();
    proxy = null;
    proxy = await startNginx({ upstreamPort: backend.port, websocket: true, readTimeoutSeconds: 3600, port });
    // Longer than the 3 s cut it has to show gone.
    await ok('walk', 'action', '1', '--step', '1', '--duration', '5');
    await ok('walk', 'choose', '1');
    const verified = await ok('walk', 'choose', '1', 'Yes');
    expect(verified.stderr).toMatch(
      /^compared session 1 \(before the fix\) with session 2 \(after\): The \d(\.\d)? s idle cuts are gone/m,
    );
    expect(verified.stderr).not.toMatch(/No capture was made|still has/);
    expect(verified.stdout).toMatch(/MONITOR/);
  });
});
