// An incident's post-mortem as the console and the command line keep it: every field through
// `incidents:update` (and `frameline incident update`), times in order and the metrics derived from
// them, action items, linked sessions, and each change on the timeline.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResponseOf } from '../../../shared/contract.js';
import type { ActionItem, Incident, LinkedSession } from '../../../shared/contract/incidents.js';
import { FramelineService } from '../../../electron/engine/service.js';
import { cli, cliJson, workspace, type Workspace } from '../../support/cli.js';
import { callService, failedCall } from '../../support/service.js';
import { echo, wsServer, type WsScenario } from '../../servers/scenarios.js';

let ws: Workspace;

beforeEach(() => {
  ws = workspace();
});

afterEach(() => {
  ws.cleanup();
});

describe('the post-mortem through the contract', () => {
  let service: FramelineService;
  beforeEach(() => {
    service = new FramelineService({ dbPath: ws.db, shell: 'browser' });
  });
  afterEach(async () => {
    await service.close();
  });
  const call = <T = unknown>(channel: string, payload: unknown) => callService<T>(service, channel, payload);

  it('keeps every field, derives the metrics and writes each change on the timeline', async () => {
    const created = await call<Incident>('incidents:create', {
      title: 'Chat drops every minute',
      severity: 'P1',
    });
    // Detection is stamped when the incident is opened; the engineer corrects it to the minute.
    const base = Math.floor(Date.parse(created.detectedAt) / 60_000) * 60_000;
    const at = (minutes: number) => new Date(base + minutes * 60_000).toISOString();
    const updated = await call<Incident>('incidents:update', {
      id: created.id,
      detectedAt: at(0),
      impactStartedAt: at(-12),
      acknowledgedAt: at(3),
      mitigatedAt: at(40),
      resolvedAt: at(95),
      responders: ['Ana', ' Bo ', 'Ana'],
      summary: 'Chat sockets dropped every 60 s.',
      impact: 'All chat users for 107 minutes.',
      trigger: 'A load balancer change set the idle timeout to 60 s.',
      rootCause: 'Idle timeout below the heartbeat interval.',
      detection: 'Reconnect alert.',
      resolution: 'Idle timeout raised to 3600 s.',
      wentWell: 'The runbook found it.',
      wentWrong: 'No heartbeat.',
      gotLucky: 'Low traffic at night.',
    });
    expect(updated).toMatchObject({
      responders: ['Ana', 'Bo'],
      trigger: 'A load balancer change set the idle timeout to 60 s.',
      gotLucky: 'Low traffic at night.',
      metrics: {
        timeToDetectSeconds: 720,
        timeToAcknowledgeSeconds: 180,
        timeToMitigateSeconds: 52 * 60,
        timeToResolveSeconds: 107 * 60,
        measuredFrom: 'impact-start',
      },
    });
    expect(Date.parse(updated.impactStartedAt!)).toBe(base - 12 * 60_000);

    const detail = await call<ResponseOf<'incidents', 'get'>>('incidents:get', { id: created.id });
    const change = detail.timeline.filter((e) => e.kind === 'incident-updated');
    expect(change).toHaveLength(1);
    for (const words of [
      'impact start',
      'detected',
      'acknowledged',
      'mitigated',
      'resolved',
      'responders Ana, Bo',
      'summary written',
      'trigger written',
      'what went well written',
      'where we got lucky written',
    ])
      expect(change[0]!.text).toContain(words);

    // Clearing a time and a field is a change too; the status keeps the stamps it had.
    const cleared = await call<Incident>('incidents:update', {
      id: created.id,
      impactStartedAt: null,
      gotLucky: '',
    });
    expect(cleared.metrics).toMatchObject({ timeToDetectSeconds: null, measuredFrom: 'detected' });
    expect(cleared.metrics.timeToMitigateSeconds).toBe(40 * 60);
    const last = (
      await call<ResponseOf<'incidents', 'get'>>('incidents:get', { id: created.id })
    ).timeline.at(-1)!;
    expect(last.text).toBe('incident impact start time cleared, where we got lucky cleared');

    // Nothing changed, nothing written.
    const before = detail.timeline.length + 1;
    await call('incidents:update', { id: created.id, summary: 'Chat sockets dropped every 60 s.' });
    expect(
      (await call<ResponseOf<'incidents', 'get'>>('incidents:get', { id: created.id })).timeline,
    ).toHaveLength(before);
  });

  it('refuses times out of order and malformed ones, saying which', async () => {
    const i = await call<Incident>('incidents:create', { title: 'Order' });
    const early = new Date(Date.parse(i.detectedAt) - 3_600_000).toISOString();
    const error = await failedCall(service, 'incidents:update', { id: i.id, mitigatedAt: early });
    expect(error.code).toBe('bad-request');
    expect(error.message).toMatch(/^mitigation \(.+\) would come before detection \(.+\); check the day/);
    const malformed = await failedCall(service, 'incidents:update', { id: i.id, resolvedAt: '02:10' });
    expect(malformed.message).toBe(
      'incidents:update: resolvedAt must be a time such as 2026-11-22T01:53:00Z (ISO-8601, with Z or an offset)',
    );
    const feb30 = await failedCall(service, 'incidents:update', {
      id: i.id,
      resolvedAt: '2026-02-30T01:00:00Z',
    });
    expect(feb30.code).toBe('bad-request');
    // Nothing half-written.
    expect(await call('incidents:get', { id: i.id })).toMatchObject({
      incident: { mitigatedAt: null, resolvedAt: null },
    });
  });

  it('keeps action items: added, edited, done, undone and removed, each on the timeline', async () => {
    const i = await call<Incident>('incidents:create', { title: 'Actions' });
    const a = await call<ActionItem>('incidents:addAction', {
      incidentId: i.id,
      title: 'Raise the proxy idle timeout',
      type: 'prevent',
      owner: 'Ana',
      due: '2026-12-01',
      link: 'https://tickets.example/OPS-1',
    });
    expect(a).toMatchObject({ type: 'prevent', owner: 'Ana', due: '2026-12-01', done: false, doneAt: null });
    const done = await call<ActionItem>('incidents:updateAction', { id: a.id, done: true, owner: 'Bo' });
    expect(done).toMatchObject({ done: true, owner: 'Bo' });
    expect(done.doneAt).not.toBeNull();
    const undone = await call<ActionItem>('incidents:updateAction', { id: a.id, done: false });
    expect(undone).toMatchObject({ done: false, doneAt: null });
    const b = await call<ActionItem>('incidents:addAction', {
      incidentId: i.id,
      title: 'Page on 1006',
      type: 'process',
    });
    await call('incidents:removeAction', { id: b.id });
    const bad = await failedCall(service, 'incidents:addAction', {
      incidentId: i.id,
      title: 'x',
      type: 'later',
    });
    expect(bad.message).toBe('incidents:addAction: type must be mitigate, prevent or process');
    const badDate = await failedCall(service, 'incidents:addAction', {
      incidentId: i.id,
      title: 'x',
      type: 'process',
      due: '2026-13-01',
    });
    expect(badDate.message).toBe('incidents:addAction: due must be a date such as 2026-12-01 (YYYY-MM-DD)');

    const detail = await call<ResponseOf<'incidents', 'get'>>('incidents:get', { id: i.id });
    expect(detail.actionItems.map((x) => [x.id, x.title, x.done])).toEqual([
      [a.id, 'Raise the proxy idle timeout', false],
    ]);
    expect(detail.timeline.map((e) => e.kind).slice(1)).toEqual([
      'action-added',
      'action-updated',
      'action-done',
      'action-reopened',
      'action-added',
      'action-removed',
    ]);
    expect(detail.timeline[1]!.text).toBe(
      `action item ${a.id} added (prevent): Raise the proxy idle timeout, owner Ana, due 2026-12-01`,
    );
  });

  it('links and unlinks sessions as evidence, once each', async () => {
    const server: WsScenario = await wsServer(echo);
    try {
      const i = await call<Incident>('incidents:create', { title: 'Links' });
      const r = await cliJson<{ session: { id: number } }>([
        'capture',
        server.url,
        '--duration',
        '0.3',
        '--quiet',
        '--db',
        ws.db,
      ]);
      const session = r.json.session.id;
      const linked = await call<LinkedSession[]>('incidents:link', { id: i.id, session });
      expect(linked.map((s) => [s.id, s.via, s.kind])).toEqual([[session, 'user', 'capture']]);
      expect(await call<LinkedSession[]>('incidents:link', { id: i.id, session })).toHaveLength(1);
      expect(await call<LinkedSession[]>('incidents:unlink', { id: i.id, session })).toEqual([]);
      const missing = await failedCall(service, 'incidents:link', { id: i.id, session: 999 });
      expect(missing).toEqual({
        code: 'not-found',
        message: 'no session 999 in this database; list them with "frameline sessions"',
      });
      const kinds = (await call<ResponseOf<'incidents', 'get'>>('incidents:get', { id: i.id })).timeline.map(
        (e) => e.kind,
      );
      expect(kinds).toEqual(['incident-created', 'session-linked', 'session-unlinked']);
    } finally {
      await server.close();
    }
  });
});

describe('frameline incident', () => {
  it('updates, keeps action items and links sessions from the command line', async () => {
    const created = await cliJson<Incident>([
      'incident',
      'create',
      '--title',
      'CLI post-mortem',
      '--db',
      ws.db,
    ]);
    const id = String(created.json.id);
    const upd = await cliJson<Incident>([
      'incident',
      'update',
      id,
      '--acknowledged',
      'now',
      '--trigger',
      'Deploy 42',
      '--responders',
      'Ana, Bo',
      '--went-wrong',
      'No alert on 1006',
      '--db',
      ws.db,
    ]);
    expect(upd.result.code).toBe(0);
    expect(upd.json).toMatchObject({
      trigger: 'Deploy 42',
      responders: ['Ana', 'Bo'],
      wentWrong: 'No alert on 1006',
    });
    expect(upd.json.acknowledgedAt).not.toBeNull();

    const cleared = await cliJson<Incident>(['incident', 'update', id, '--responders', '', '--db', ws.db]);
    expect(cleared.json.responders).toEqual([]);

    const add = await cliJson<ActionItem>([
      'incident',
      'action',
      'add',
      id,
      '--title',
      'Alert on 1006 closes',
      '--type',
      'Process',
      '--owner',
      'Bo',
      '--due',
      '2026-12-01',
      '--db',
      ws.db,
    ]);
    expect(add.json).toMatchObject({ type: 'process', owner: 'Bo', due: '2026-12-01' });
    const done = await cliJson<ActionItem>([
      'incident',
      'action',
      'done',
      String(add.json.id),
      '--db',
      ws.db,
    ]);
    expect(done.json.done).toBe(true);

    const show = await cli(['incident', 'show', id, '--db', ws.db]);
    expect(show.code).toBe(0);
    expect(show.stdout).not.toContain('responders:');
    expect(show.stdout).toContain('  trigger: Deploy 42');
    expect(show.stdout).toMatch(
      /action items:\n {2}#\d+ \[x\] process +Alert on 1006 closes {2}\(owner Bo, due 2026-12-01\)/,
    );
    expect(show.stdout).toMatch(/time to acknowledge \d/);
    expect(show.stdout).toContain('action-done');
  });

  it('refuses bad input with one line and exit 2, naming the flag', async () => {
    await cli(['incident', 'create', '--title', 'Bad input', '--db', ws.db]);
    const cases: Array<[string[], RegExp]> = [
      [
        ['incident', 'update', '1', '--mitigated', 'yesterday'],
        /^frameline: --mitigated must be a time such as 2026-11-22T01:53:00Z .*, not "yesterday"\n$/,
      ],
      [
        ['incident', 'action', 'add', '1', '--title', 'x', '--type', 'soon'],
        /^frameline: --type must be mitigate, prevent or process, not "soon"\n$/,
      ],
      [
        ['incident', 'action', 'add', '1', '--title', 'x'],
        /^frameline: frameline incident action add needs --title and --type/,
      ],
      [
        ['incident', 'action', 'done', '77'],
        /^frameline: no action item 77; list them with "frameline incident show INCIDENT"\n$/,
      ],
      [['incident', 'link', '1'], /^frameline: frameline incident link needs --session S/],
      [['incident', 'link', '1', '--session', '5'], /^frameline: no session 5 in this database/],
      [
        ['incident', 'update', '1', '--resolved', '2000-01-01T00:00:00Z'],
        /^frameline: resolution \(.+\) would come before detection/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await cli([...args, '--db', ws.db]);
      expect({ args, code: r.code, stderr: r.stderr }).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(message),
      });
    }
  });
});
