// `frameline export --format artillery|k6`: the recorded quote session as a load test. The Artillery
// scenario is run by Artillery itself against a `frameline mock` of the same session, and fails when
// an answer differs; the k6 script is type-checked against @types/k6. Secrets never reach either file.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, cliJson, workspace, type Workspace } from '../../support/cli.js';
import { artilleryMissing, k6TypeErrors, runArtillery as runIn } from '../../support/load-tests.js';
import type { ShowJson } from '../../support/session-json.js';
import { recordQuotes, startMock } from '../../support/replay.js';

let ws: Workspace;
let source: number;

beforeEach(async () => {
  ws = workspace();
  source = await recordQuotes(ws.db);
});
afterEach(() => ws.cleanup());

const SECRETS = ['s3cret-token-123', 'tok-3b1f9c2e7d', 'k-55aa'];

const runArtillery = (script: string, env: Record<string, string>) => runIn(ws.dir, script, env);

describe('frameline export', () => {
  it.skipIf(artilleryMissing)(
    'writes an Artillery scenario that Artillery runs against a mock of the session',
    async () => {
      const file = join(ws.dir, 'quotes.yml');
      const r = await cli(['export', String(source), '--format', 'artillery', '-o', file, '--db', ws.db]);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(
        /reads 3 environment variables instead of the secrets the session recorded: TOKEN, API_KEY, AUTHORIZATION/,
      );
      const script = readFileSync(file, 'utf8');
      for (const s of SECRETS) expect(script).not.toContain(s);
      expect(script).toContain('"Authorization": "Bearer {{ $env.AUTHORIZATION }}"');
      expect(script).toMatch(/^# {3}TOKEN +the "token" field of a message$/m);
      expect(script).toContain('engine: ws');
      expect(script).toContain('maxErrorRate: 0');

      const mock = await startMock([String(source), '--mode', 'reactive', '--db', ws.db]);
      const env = { AUTHORIZATION: 'ci-bearer', TOKEN: 'ci-token', API_KEY: 'ci-key' };
      let mockSession: number;
      try {
        const target = mock.url.replace(/\/$/, '');
        writeFileSync(
          file,
          script.replace(/target: .*/, `target: "${target}/quotes?api_key={{ $env.API_KEY }}"`),
        );
        const run = await runArtillery(file, env);
        expect(run.code, `${run.stdout}${run.stderr}`.slice(-3000)).toBe(0);
        expect(run.counters).toMatchObject({
          'websocket.messages_sent': 4,
          'websocket.messages_received': 4,
          'vusers.completed': 1,
        });
        expect(run.counters['vusers.failed'] ?? 0).toBe(0);
      } finally {
        const stopped = await mock.stop();
        mockSession = Number(/into session (\d+)/.exec(stopped.stderr)![1]);
      }
      // The mock recorded Artillery's connection: the secrets came from the environment.
      const { json } = await cliJson<ShowJson>(['show', String(mockSession), '--frames', '--db', ws.db]);
      const headers = Object.fromEntries(
        Object.entries(json.connections[0]!.requestHeaders).map(([k, v]) => [k.toLowerCase(), v]),
      );
      expect(headers.authorization).toBe('Bearer ci-bearer');
      expect(json.connections[0]!.url).toMatch(/api_key=ci-key$/);
      expect(json.frames!.some((f) => f.direction === 'in' && f.payload.includes('"token":"ci-token"'))).toBe(
        true,
      );

      // When an answer differs from the recorded one, its match fails and so does the run.
      const again = await startMock([String(source), '--mode', 'reactive', '--db', ws.db]);
      try {
        const broken = script.replace('"quote"', '"not-a-quote"');
        expect(broken).not.toBe(script);
        writeFileSync(file, broken.replace(/target: .*/, `target: "${again.url}"`));
        const run = await runArtillery(file, env);
        expect(run.code).not.toBe(0);
        expect(run.counters['vusers.failed']).toBe(1);
      } finally {
        await again.stop();
      }
    },
    // Two Artillery runs, each a Node program of some hundred megabytes that starts in seconds here
    // and in tens of seconds beside a CPU hog: bounded by each run's own limit, not by a test-wide minute.
    300_000,
  );

  it('names the load test with its tool’s proper name and the right article', async () => {
    const artillery = await cli([
      'export',
      String(source),
      '--format',
      'artillery',
      '-o',
      join(ws.dir, 'named.yml'),
      '--db',
      ws.db,
    ]);
    expect(artillery.code, artillery.stderr).toBe(0);
    expect(artillery.stderr).toMatch(new RegExp(`session ${source} as an Artillery load test`));
    const k6 = await cli([
      'export',
      String(source),
      '--format',
      'k6',
      '-o',
      join(ws.dir, 'named.js'),
      '--db',
      ws.db,
    ]);
    expect(k6.stderr).toMatch(new RegExp(`session ${source} as a k6 load test`));
  });

  it('writes a k6 script that type-checks against @types/k6, secrets as __ENV', async () => {
    const file = join(ws.dir, 'quotes.k6.js');
    const r = await cli([
      'export',
      String(source),
      '--format',
      'k6',
      '-o',
      file,
      '--users',
      '20',
      '--duration',
      '10',
      '--db',
      ws.db,
    ]);
    expect(r.code).toBe(0);
    const script = readFileSync(file, 'utf8');
    for (const s of SECRETS) expect(script).not.toContain(s);
    expect(script).toContain('"Authorization": "Bearer " + __ENV.AUTHORIZATION');
    expect(script).toContain("import { WebSocket } from 'k6/websockets';");
    expect(script).toContain("executor: 'constant-arrival-rate', rate: 20, timeUnit: '10s'");
    const check = k6TypeErrors;
    expect(check(file)).toEqual([]);
    // The check can fail: the same script with a wrong call does not pass.
    writeFileSync(file, script.replace('ws.send(', 'ws.sendd('));
    expect(check(file).join('\n')).toMatch(/sendd/);
  });

  it('refuses an unknown format, users without a duration, and an unknown session', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[String(source), '--format', 'jmeter'], /--format must be one of har, ndjson, artillery, k6/],
      [[String(source)], /needs --format/],
      [[String(source), '--format', 'k6', '--users', '5'], /--duration is needed with more than one user/],
      [['404', '--format', 'k6'], /no session 404 in this database/],
      [[String(source), '--format', 'k6', '--no-redact'], /--no-redact does not apply to --format k6/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(['export', ...args, '--db', ws.db]);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(message);
    }
  });
});
