// The scorecard's numbers against sessions whose outcome the Python `websockets` peer decides: it
// refuses chosen upgrades, leaves a message unanswered, closes after each message, and stops
// answering pings after the first two. Each number is checked exactly, with the evidence it cites,
// in `show`, `diagnose`, the service's `diagnose:scorecard` for an incident, and the report.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scorecard } from '../../../shared/contract/diagnose.js';
import type { ConnectionView } from '../../../shared/contract.js';
import type { Report } from '../../../shared/contract/reports.js';
import { FramelineService } from '../../../electron/engine/service.js';
import { parseMicros } from '../../../shared/time.js';
import { cli, cliJson, workspace, type Workspace } from '../../support/cli.js';
import { recordRefusals } from '../../support/fixtures-sessions.js';
import { callService } from '../../support/service.js';
import { pythonServer, Stack } from './helpers.js';

const stack = new Stack();
let ws: Workspace;
/** Session 1: refusals, a lost answer and drops; session 2: pongs that stop coming. */
let drops: number;
let heartbeats: number;

async function capture(args: string[]): Promise<number> {
  const r = await cli(['capture', ...args, '--quiet', '--db', ws.db], {}, 60_000);
  expect(r.code, r.stderr).toBe(0);
  return Number(/session (\d+)/.exec(r.stdout)![1]);
}

interface ShowJson {
  connections: ConnectionView[];
  scorecard: Scorecard;
}

beforeAll(async () => {
  ws = workspace();
  drops = await recordRefusals(ws.db);
  // Four pings in a row, of which the server answers the first two; the capture closes 1.2 s later,
  // long enough for the other two to count as unanswered (a pong is late after 1 s).
  const deaf = stack.push(await pythonServer(['--answer-pings', '2']));
  const script = join(ws.dir, 'pings.script');
  writeFileSync(script, 'ping\nping\nping\nping\nsleep 1200ms\nclose\n');
  heartbeats = await capture([deaf.url, '--script', script]);
}, 120_000);

afterAll(async () => {
  await stack.unwind();
  ws?.cleanup();
});

describe('a session the server refuses, drops and leaves unanswered', () => {
  it('show --json scores each metric with the counts behind it', async () => {
    const { json } = await cliJson<ShowJson>(['show', String(drops), '--db', ws.db]);
    const card = json.scorecard;
    expect(json.connections.map((c) => c.status)).toEqual([101, 503, 101, 503]);
    expect(card.connectionSuccess).toEqual({
      value: 50,
      threshold: 99.5,
      pass: false,
      evidence: '2 of 4 connections opened',
    });
    expect(card.delivery).toEqual({
      value: 50,
      threshold: 99.9,
      pass: false,
      evidence: '1 of 2 requests answered (paired by id)',
    });
    expect(card.reconnection).toEqual({
      value: 50,
      threshold: 95,
      pass: false,
      evidence: '1 of 2 drops reconnected (3 attempts after a drop)',
    });
    expect(card.heartbeat).toEqual({
      value: null,
      threshold: 99.5,
      pass: null,
      evidence: 'no ping or protocol heartbeat was sent either way',
    });
    // Connected time: the two open connections' lives, as the recorded rows say, over the recording.
    const m = /^(\d+\.\d{3}) s connected of (\d+\.\d{3}) s recorded$/.exec(card.uptime.evidence);
    expect(m, card.uptime.evidence).not.toBeNull();
    const lived = json.connections
      .filter((c) => c.openedAt !== null)
      .reduce((sum, c) => sum + parseMicros(c.closedAt!) - parseMicros(c.openedAt!), 0);
    expect(Number(m![1])).toBeCloseTo(lived / 1e6, 3);
    expect(card.uptime.value!).toBeCloseTo((Number(m![1]) / Number(m![2])) * 100, 0);
    expect(card.uptime).toMatchObject({ threshold: 99, pass: false });
  });

  it('show and diagnose say the same, in words too', async () => {
    const shown = await cliJson<ShowJson>(['show', String(drops), '--db', ws.db]);
    const diagnosed = await cliJson<{ scorecard: Scorecard }>(['diagnose', String(drops), '--db', ws.db]);
    expect(diagnosed.json.scorecard).toEqual(shown.json.scorecard);
    const text = await cli(['show', String(drops), '--db', ws.db]);
    expect(text.stdout).toMatch(/FAIL +connection success +50 % +\(> 99\.5 %\) +2 of 4 connections opened/);
    expect(text.stdout).toMatch(/- +heartbeat success +n\/a/);
    const words = await cli(['diagnose', String(drops), '--db', ws.db]);
    expect(words.stdout).toMatch(/FAIL +reconnection success +50 % +\(> 95 %\) +1 of 2 drops reconnected/);
  });
});

describe('a session whose pongs stop coming', () => {
  it('counts pongs per ping', async () => {
    const { json } = await cliJson<ShowJson>(['show', String(heartbeats), '--db', ws.db]);
    expect(json.scorecard.heartbeat).toEqual({
      value: 50,
      threshold: 99.5,
      pass: false,
      evidence: '2 of 4 heartbeats answered (4 WebSocket)',
    });
    expect(json.scorecard.connectionSuccess).toMatchObject({ value: 100, pass: true });
    expect(json.scorecard.reconnection).toEqual({
      value: null,
      threshold: 95,
      pass: null,
      evidence: 'no connection dropped while the client meant to stay',
    });
    expect(json.scorecard.delivery.value).toBeNull();
  });
});

describe("an incident's scorecard", () => {
  let incident: number;
  beforeAll(async () => {
    const created = await cliJson<{ id: number }>(['incident', 'create', '--title', 'Drops', '--db', ws.db]);
    incident = created.json.id;
    for (const s of [drops, heartbeats]) {
      const r = await cli(['incident', 'link', String(incident), '--session', String(s), '--db', ws.db]);
      expect(r.code, r.stderr).toBe(0);
    }
  });

  it('adds up the counts of its linked sessions, in the service and the report', async () => {
    const service = new FramelineService({ dbPath: ws.db, shell: 'cli' });
    let answer: { scorecard: Scorecard; sessions: Array<{ sessionId: number; scorecard: Scorecard }> };
    try {
      answer = await callService(service, 'diagnose:scorecard', { incidentId: incident });
    } finally {
      await service.close();
    }
    expect(answer.sessions.map((s) => s.sessionId)).toEqual([drops, heartbeats]);
    expect(answer.scorecard.connectionSuccess).toMatchObject({
      value: 60,
      evidence: '3 of 5 connections opened',
    });
    expect(answer.scorecard.heartbeat).toMatchObject({
      value: 50,
      evidence: '2 of 4 heartbeats answered (4 WebSocket)',
    });
    expect(answer.scorecard.delivery.evidence).toBe('1 of 2 requests answered (paired by id)');
    expect(answer.scorecard.reconnection.evidence).toBe('1 of 2 drops reconnected (3 attempts after a drop)');

    const json = await cli(['report', String(incident), '--format', 'json', '--db', ws.db], {}, 60_000);
    const report = JSON.parse(json.stdout) as Report;
    expect(report.scorecard).toEqual(answer.scorecard);
    expect(report.sessions.map((s) => s.scorecard)).toEqual(answer.sessions.map((s) => s.scorecard));

    const md = await cli(['report', String(incident), '--format', 'md', '--db', ws.db], {}, 60_000);
    expect(md.stdout).toContain(
      '| connection success | 60 % | > 99.5 % | FAIL | 3 of 5 connections opened |',
    );
    expect(md.stdout).toContain(
      '| heartbeat success | 50 % | > 99.5 % | FAIL | 2 of 4 heartbeats answered (4 WebSocket) |',
    );

    const pdf = join(ws.dir, 'incident.pdf');
    const printed = await cli(['report', String(incident), '-o', pdf, '--db', ws.db], {}, 90_000);
    expect(printed.code, printed.stderr).toBe(0);
    const text = execFileSync('pdftotext', ['-layout', pdf, '-']).toString();
    expect(text).toMatch(/connection success +60 % +> 99\.5 % +FAIL +3 of 5 connections opened/);
    const html = join(ws.dir, 'incident.html');
    expect((await cli(['report', String(incident), '-o', html, '--db', ws.db], {}, 60_000)).code).toBe(0);
    expect(readFileSync(html, 'utf8')).toMatch(
      /<tr data-metric="reconnection"><td>reconnection success<\/td><td class="num">50 %<\/td>/,
    );
  }, 120_000);
});
