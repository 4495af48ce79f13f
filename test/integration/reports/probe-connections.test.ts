// A probe opens its connections side by side (the idle hold stays open while the other checks run):
// against Python's `websockets`, the report (and the console's preview of it) must not call them
// reconnects, and the report's connection timeline must draw overlapping connections on rows of their own, as
// the console does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../shared/contract/reports.js';
import { FramelineService } from '../../../electron/engine/service.js';
import { serverScript, PYTHON, startPeer, type Peer } from '../../support/processes.js';
import { callService } from '../../support/service.js';

type Rendered = { content: string };

let dir: string;
let peer: Peer;
let service: FramelineService;
let report: Report;
let html: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'frameline-probe-connections-'));
  peer = await startPeer(PYTHON, [serverScript('python_ws.py')]);
  service = new FramelineService({ dbPath: join(dir, 'frameline.db'), shell: 'browser' });
  const probe = await callService<{ sessionId: number }>(service, 'diagnose:probe', {
    url: `ws://127.0.0.1:${peer.port}/`,
    idleLimitSeconds: 1,
    echo: 2,
    timeoutSeconds: 5,
  });
  const incident = await callService<{ id: number }>(service, 'incidents:create', { title: 'Probe only' });
  await callService(service, 'incidents:link', { id: incident.id, session: probe.sessionId });
  report = JSON.parse(
    (await callService<Rendered>(service, 'reports:render', { incidentId: incident.id, format: 'json' }))
      .content,
  ) as Report;
  html = (await callService<Rendered>(service, 'reports:render', { incidentId: incident.id, format: 'html' }))
    .content;
}, 60_000);

afterAll(async () => {
  await service?.close();
  await peer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Whether two spans of the report's timeline share some time. */
const overlap = (a: { attemptAt: number; endAt: number }, b: { attemptAt: number; endAt: number }) =>
  a.attemptAt < b.endAt && b.attemptAt < a.endAt;

describe("a probe's connections in the report", () => {
  it('were opened side by side by the probe (what the rest of this file relies on)', () => {
    const spans = report.sessions[0]!.timeline.spans;
    expect(spans.length).toBeGreaterThan(2);
    expect(spans.some((a, i) => spans.some((b, j) => i !== j && overlap(a, b)))).toBe(true);
  });

  it('counts as reconnects only the connections opened after every earlier one had ended', () => {
    const s = report.sessions[0]!;
    const spans = [...s.timeline.spans].sort((a, b) => a.attemptAt - b.attemptAt);
    const after = spans.filter((span, i) =>
      spans.slice(0, i).every((before) => before.endAt <= span.attemptAt),
    );
    expect(s.reconnects.count).toBe(after.length - 1);
    expect(s.reconnects.count).toBeLessThan(s.connections.total - 1);
  });

  it('draws overlapping connections on rows of their own, each bar at its own place', () => {
    const svg = /<svg class="chart connection-timeline"[\s\S]*?<\/svg>/.exec(html)![0];
    const rowOf = new Map<number, number>();
    for (const m of svg.matchAll(
      /<rect class="conn cls-[\w-]+" x="[\d.]+" y="([\d.]+)"[^>]*data-connection="(\d+)"/g,
    ))
      rowOf.set(Number(m[2]), Number(m[1]));
    const spans = report.sessions[0]!.timeline.spans.filter((s) => s.openedAt !== null);
    expect(rowOf.size).toBe(spans.length);
    for (const a of spans)
      for (const b of spans)
        if (
          a !== b &&
          overlap({ attemptAt: a.openedAt!, endAt: a.endAt }, { attemptAt: b.openedAt!, endAt: b.endAt })
        )
          expect(rowOf.get(a.ordinal), `#${a.ordinal} and #${b.ordinal}`).not.toBe(rowOf.get(b.ordinal));
  });
});
