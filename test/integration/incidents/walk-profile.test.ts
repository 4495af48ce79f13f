// A walk's connection profile against a real server that refuses an upgrade without a token (Python
// `websockets`, HTTP 401): the profile given to `walk start` carries `Authorization: Bearer …`, and
// the walk's capture and probe get through with it; a walk without it sees the refusal. The token is
// never stored: a later command reads it from FRAMELINE_AUTHORIZATION or is given it again, and it
// is in no `show --json`, no `walk show --json`, no report and no timeline — nor in the database file.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Incident, WalkRun, WalkView } from '../../../shared/contract/incidents.js';
import { cli, workspace, type Workspace } from '../../support/cli.js';
import type { ShowJson } from '../../support/session-json.js';
import { pythonServer, Stack } from '../diagnose/helpers.js';

const TOKEN = 'tok-walk-profile-7f3a91';
const BEARER = `Bearer ${TOKEN}`;

let ws: Workspace;
const stack = new Stack();

beforeEach(() => {
  ws = workspace();
});

afterEach(async () => {
  await stack.unwind();
  ws.cleanup();
});

async function json<T>(args: string[], env: NodeJS.ProcessEnv = {}): Promise<T> {
  const r = await cli([...args, '--db', ws.db, '--json'], env);
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
}

/** A ws-3am walk of `target` with the connection flags `flags`; answers the walk as started. */
async function walkWith(target: string, flags: string[]): Promise<WalkView> {
  const incident = await json<Incident>(['incident', 'create', '--title', 'Prices need a token']);
  return json<WalkView>([
    'walk',
    'start',
    String(incident.id),
    '--runbook',
    'ws-3am',
    '--target',
    target,
    '--direct',
    `${target}/direct`,
    ...flags,
  ]);
}

describe('a walk’s connection profile', () => {
  it('carries the token to every capture and probe of the walk, and never stores it', async () => {
    const server = stack.push(await pythonServer(['--require-header', `Authorization: ${BEARER}`]));
    const started = await walkWith(`${server.url}/prices`, [
      '-H',
      `Authorization: ${BEARER}`,
      '-H',
      'X-Tenant: blue',
      '--send',
      '{"op":"hello"}',
    ]);
    const walk = String(started.id);
    expect(started.profile!.profile.headers).toEqual([
      ['Authorization', '***'],
      ['X-Tenant', 'blue'],
    ]);
    // Held by the process it was given to, and by no other.
    const secret = {
      slot: 'header:authorization',
      what: 'the Authorization header',
      env: 'FRAMELINE_AUTHORIZATION',
    };
    expect(started.profile!.secrets).toEqual([{ ...secret, held: true }]);
    expect((await json<WalkView>(['walk', 'show', String(started.id)])).profile!.secrets).toEqual([
      { ...secret, held: false },
    ]);

    // Another process was not given the token: it says where to give it, and runs nothing.
    const refused = await cli(['walk', 'action', walk, '--step', '2', '--duration', '1', '--db', ws.db]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /sends the Authorization header of the walk's connection profile, whose value is not kept .*give it with -H "Authorization: …", or set FRAMELINE_AUTHORIZATION/,
    );

    // From the environment: the capture gets through, sending the profile's message on open.
    const env = { FRAMELINE_AUTHORIZATION: BEARER };
    const capture = await json<WalkRun>(['walk', 'action', walk, '--step', '2', '--duration', '1'], env);
    expect(capture).toMatchObject({ kind: 'capture', status: 'ok' });
    const session = await json<ShowJson>(['show', String(capture.sessionId), '--frames']);
    expect(session.connections[0]!.status).toBe(101);
    expect(session.connections[0]!.requestHeaders).toMatchObject({
      'X-Tenant': 'blue',
      Authorization: 'Bearer ***',
    });
    expect(session.frames!.filter((f) => f.direction === 'in').map((f) => f.payload)).toContain(
      '{"op":"hello"}',
    );

    // Given again for one run (-H, as capture takes it): the probe's handshakes get through too.
    await json(['walk', 'choose', walk]);
    const probe = await json<WalkRun>([
      'walk',
      'action',
      walk,
      '--step',
      '1',
      '-H',
      `Authorization: ${BEARER}`,
    ]);
    expect(probe).toMatchObject({ kind: 'probe', status: 'ok' });
    expect(probe.summary).not.toMatch(/upgrade-rejected/);

    // A wrong token for one run: the refusal is what the probe reports.
    const wrong = await json<WalkRun>([
      'walk',
      'action',
      walk,
      '--step',
      '1',
      '-H',
      'Authorization: Bearer nope',
    ]);
    expect(wrong.summary).toMatch(/upgrade-rejected/);

    // The token is nowhere: the walk, the sessions, the report, the timeline, the database file.
    const shown = await cli(['walk', 'show', walk, '--db', ws.db, '--json']);
    const report = await cli(['report', String(started.incident.id), '--format', 'json', '--db', ws.db]);
    const sessions = [capture.sessionId!, probe.sessionId!].map((id) =>
      cli(['show', String(id), '--frames', '--db', ws.db, '--json']),
    );
    const texts = [shown.stdout, report.stdout, ...(await Promise.all(sessions)).map((r) => r.stdout)];
    expect(report.code).toBe(0);
    for (const t of texts) expect(t).not.toContain(TOKEN);
    const timeline = (JSON.parse(shown.stdout) as WalkView).timeline.map((e) => e.text).join('\n');
    expect(timeline).toMatch(/connecting with headers Authorization \(secret\), X-Tenant; 1 message on open/);
    for (const file of [ws.db, `${ws.db}-wal`]) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch {
        continue;
      }
      expect(bytes.includes(TOKEN)).toBe(false);
    }
  });

  it('without the token, the walk’s capture and probe report the refusal at once', async () => {
    const server = stack.push(await pythonServer(['--require-header', `Authorization: ${BEARER}`]));
    const started = await walkWith(`${server.url}/prices`, []);
    expect(started.profile).toBeNull();
    const walk = String(started.id);

    // The walk's capture (a step of its first node) reports the refusal after one attempt: a 401 is
    // not retried for minutes with backoff (a retry cannot change it), so it ends long before its 60 s.
    const capture = await json<WalkRun>(['walk', 'action', walk, '--step', '2', '--duration', '60']);
    expect(capture.status).toBe('failed');
    expect(capture.summary).toMatch(/could not connect .*401/);
    // One connection: the refusal was not tried again.
    expect(capture.result).toMatchObject({ connections: 1, opened: false, stoppedBy: 'gave-up' });

    await json(['walk', 'choose', walk]);
    const probe = await json<WalkRun>(['walk', 'action', walk, '--step', '1']);
    expect(probe.summary).toMatch(/upgrade-rejected/);
    expect(JSON.stringify(probe.result)).toMatch(/401/);
  });
});
