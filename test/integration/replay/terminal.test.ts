// `frameline replay` and `frameline mock` as a person at a terminal stops and reads them: Ctrl+C in
// the middle of a replay keeps and compares the partial run; a mock bound beyond loopback says so
// loudly, one on loopback does not.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { quoteService } from '../../servers/quote-service.js';
import { cli, cliJson, finished, startCli, workspace, type Workspace } from '../../support/cli.js';
import type { ShowJson } from '../../support/session-json.js';
import { QUOTE_REQUESTS, recordQuotes, startMock } from '../../support/replay.js';
import { until } from '../../support/wait.js';

let ws: Workspace;

beforeEach(() => {
  ws = workspace();
});
afterEach(() => ws.cleanup());

describe('frameline replay at the terminal', () => {
  it('stops on Ctrl+C, compares what was sent so far, keeps the partial run and exits 1', async () => {
    const recording = await quoteService();
    await cli([
      'capture',
      `${recording.url}/quotes`,
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
    await recording.close();
    const { json: list } = await cliJson<Array<{ id: number; name: string }>>(['sessions', '--db', ws.db]);
    const paced = list.find((s) => s.name === 'paced')!.id;
    const server = await quoteService();
    try {
      // A twentieth of the recorded pace: three seconds between requests.
      const child = startCli([
        'replay',
        String(paced),
        '--to',
        `${server.url}/quotes`,
        '--speed',
        '0.05',
        '--db',
        ws.db,
      ]);
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const done = finished(child, 60_000);
      // The progress line comes at most once a second, after a request went out.
      await until(
        'a progress line while sending',
        () => /sending: sent [1-9]\d* of \d+/.test(stderr),
        30_000,
      );
      child.kill('SIGINT');
      const r = await done;
      expect(r.code).toBe(1);
      expect(stderr).toContain('stopping: comparing and keeping what was sent and received so far…');
      const [sent, planned] = /sent (\d+) of (\d+), received/.exec(r.stdout)!.slice(1).map(Number) as [
        number,
        number,
      ];
      expect(planned).toBeGreaterThanOrEqual(4);
      expect(sent).toBeGreaterThanOrEqual(1);
      expect(sent).toBeLessThan(planned);
      const id = Number(/the partial run is recorded in session (\d+)\n/.exec(r.stdout)?.[1]);
      expect(r.stdout).toContain(`the connection ended after ${sent} of ${planned} messages`);
      expect(r.stdout).toContain('The answers differ from the original’s.');
      const { json: show } = await cliJson<ShowJson & { session: { kind: string } }>([
        'show',
        String(id),
        '--frames',
        '--db',
        ws.db,
      ]);
      expect(show.session.kind).toBe('replay');
      expect(show.frames!.filter((f) => f.direction === 'out' && f.opcode === 'text')).toHaveLength(sent);
    } finally {
      await server.close();
    }
  });
});

describe('frameline mock at the terminal', () => {
  it('warns loudly when it listens beyond loopback, and not on loopback', async () => {
    const source = await recordQuotes(ws.db);
    const local = await startMock([String(source), '--db', ws.db]);
    await until('the serving line', () => local.stderr().includes('serving session'));
    const quiet = await local.stop();
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).not.toContain('WARNING');
    expect(quiet.stderr).toMatch(/session \d+: 0 client connections recorded/);

    const exposed = await startMock([String(source), '--host', '0.0.0.0', '--db', ws.db]);
    expect(exposed.url).toMatch(/^ws:\/\/0\.0\.0\.0:\d+\/$/);
    await until('the serving line', () => exposed.stderr().includes('serving session'));
    // Reached here over loopback only.
    const c = new WebSocket(exposed.url.replace('0.0.0.0', '127.0.0.1'));
    c.on('error', () => {});
    await new Promise((resolve) => c.once('open', resolve));
    c.close(1000);
    await until('the client’s end', () => exposed.stderr().includes('client 1 ended:'));
    const stopped = await exposed.stop();
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toMatch(
      /WARNING: serving on 0\.0\.0\.0, which is not a loopback address: anyone who can reach it\ncan connect to this mock and read the recorded traffic it serves\. Prefer 127\.0\.0\.1 with an SSH tunnel\./,
    );
    expect(stopped.stderr).toMatch(/client 1 connected from 127\.0\.0\.1:\d+/);
    expect(stopped.stderr).toMatch(/session \d+: 1 client connection recorded/);
  });
});
