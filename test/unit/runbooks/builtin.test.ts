// The built-in runbooks: they parse, every node can be reached and left, every walk can end, the
// seeds' facts are there (time boxes, escalation levels, shares), and every finding links to a step
// that fixes it.
import { describe, expect, it } from 'vitest';
import { builtinRunbooks, BUILTIN_SOURCES } from '../../../shared/runbooks/builtin/index.js';
import { FINDING_IDS } from '../../../shared/runbooks/finding-ids.js';
import { findingRunbookStep } from '../../../shared/runbooks/finding-steps.js';
import { choicesAt, nodeOf, pathTo } from '../../../shared/runbooks/graph.js';
import { parseRunbook } from '../../../shared/runbooks/parse.js';
import type { Runbook } from '../../../shared/runbooks/schemas.js';

const all = builtinRunbooks();
const byId = (id: string): Runbook => all.find((r) => r.id === id)!;
const box = (r: Runbook, node: string) => nodeOf(r, node)!.timeboxSeconds;

describe('every built-in runbook', () => {
  it('parses, with a unique id', () => {
    expect(all.map((r) => r.id)).toEqual([
      'ws-3am',
      'incident-checklist',
      'symptom-matrix',
      'service-runbook',
      'root-causes',
    ]);
    for (const b of BUILTIN_SOURCES)
      expect(() => parseRunbook(b.source, { fileName: b.fileName })).not.toThrow();
  });

  it.each(all.map((r) => [r.id, r] as const))(
    '%s: every node is reachable, and every walk can end',
    (_id, r) => {
      const ends = r.nodes.filter((n) => n.kind === 'end');
      expect(ends.length).toBeGreaterThan(0);
      for (const n of r.nodes) {
        expect(pathTo(r, n.id), `${n.id} unreachable`).not.toBeNull();
        // From anywhere, some end can still be reached.
        const fromHere = { ...r, start: n.id };
        expect(
          ends.some((e) => pathTo(fromHere, e.id) !== null),
          `no end reachable from ${n.id}`,
        ).toBe(true);
      }
    },
  );

  it.each(all.map((r) => [r.id, r] as const))(
    '%s: decisions offer labelled choices, every node has text or steps',
    (_id, r) => {
      for (const n of r.nodes) {
        if (n.kind === 'decision') {
          const choices = choicesAt(r, n.id);
          expect(choices.length, n.id).toBeGreaterThanOrEqual(2);
          for (const c of r.edges.filter((e) => e.from === n.id))
            expect(c.label, `${n.id}→${c.to}`).not.toBeNull();
        }
        const steps = r.steps.filter((s) => s.node === n.id);
        expect(n.text !== '' || steps.length > 0, `${n.id} says nothing`).toBe(true);
      }
    },
  );

  it('name only finding ids of the catalogue', () => {
    for (const r of all) {
      for (const f of [...r.appliesTo, ...r.nodes.flatMap((n) => n.fixes)])
        expect(FINDING_IDS as readonly string[], `${r.id}: ${f}`).toContain(f);
    }
  });
});

describe("the seeds' facts", () => {
  it('the 3 AM flowchart: scope, three branches, fixes, verify, monitor or escalate, with commands and actions', () => {
    const r = byId('ws-3am');
    expect(choicesAt(r, 'SCOPE').map((c) => c.label)).toEqual([
      'Client side',
      'Load balancer',
      'Server side',
    ]);
    expect(choicesAt(r, 'CLIENT_FIX').map((c) => c.label)).toEqual([
      'Reconnect storm',
      'Browser connection limit',
    ]);
    expect(choicesAt(r, 'SERVER_FIX').map((c) => c.label)).toEqual(['Memory leak', 'Event loop lag']);
    expect(choicesAt(r, 'VERIFY').map((c) => [c.label, c.to])).toEqual([
      ['Yes', 'MONITOR'],
      ['No', 'ESCALATE'],
    ]);
    expect(box(r, 'ALERT')).toBe(120);
    const steps = r.steps;
    expect(steps.some((s) => s.command?.includes('ESTABLISHED'))).toBe(true);
    expect(steps.some((s) => s.command?.includes('show stat'))).toBe(true);
    expect(
      steps.find((s) => s.title === 'Test the endpoint directly, bypassing the load balancer')!.action,
    ).toEqual({
      kind: 'probe',
      direct: true,
    });
    expect(steps.find((s) => s.title === 'Hold an idle connection')!.action).toEqual({
      kind: 'probe',
      idleLimit: 120,
    });
    expect(steps.find((s) => s.title === 'Count the close codes')!.action).toEqual({
      kind: 'diagnose',
      session: 'latest',
    });
    // The client branch records the real client through a relay, then diagnoses what it recorded.
    const client = steps.filter((s) => s.node === 'CLIENT_DEBUG');
    expect(client.map((s) => s.action?.kind)).toEqual(['capture', 'relay', 'diagnose']);
    expect(client.find((s) => s.title === 'Record the real client through a relay')!.action).toEqual({
      kind: 'relay',
      duration: 300,
    });
    // Every node on the way from the alert to a fix has something to do or read.
    for (const n of ['ALERT', 'SCOPE', 'LB_DEBUG', 'SERVER_DEBUG', 'CLIENT_DEBUG', 'APPLY', 'VERIFY'])
      expect(steps.filter((s) => s.node === n).length, n).toBeGreaterThan(0);
  });

  it('the incident checklist: four phases time-boxed at 5, 10, 20 and 30 minutes', () => {
    const r = byId('incident-checklist');
    expect(['IMMEDIATE', 'INVESTIGATE', 'RESOLVE', 'FOLLOW_UP'].map((n) => box(r, n))).toEqual([
      300, 600, 1200, 1800,
    ]);
    expect(r.steps.filter((s) => s.node === 'IMMEDIATE')).toHaveLength(5);
    expect(r.steps.filter((s) => s.node === 'FOLLOW_UP')).toHaveLength(5);
    expect(r.steps.find((s) => s.node === 'IMMEDIATE' && s.action)!.action).toEqual({
      kind: 'probe',
      direct: true,
    });
  });

  it('the symptom matrix: nine symptoms, each to its cause and fix', () => {
    const r = byId('symptom-matrix');
    const symptoms = choicesAt(r, 'SYMPTOM').map((c) => c.label);
    expect(symptoms).toHaveLength(9);
    expect(symptoms).toContain('Opens, then the protocol refuses');
    expect(nodeOf(r, 'FIX_PROTOCOL')!.fixes).toEqual([
      'subprotocol-refused',
      'auth-refused',
      'subscription-refused',
    ]);
    expect(symptoms).toContain('1006 after about a minute idle');
    expect(symptoms).toContain('403 on connect');
    expect(nodeOf(r, 'FIX_IDLE')!.fixes).toEqual(['idle-timeout', 'no-heartbeat', 'heartbeat-timeout']);
    expect(choicesAt(r, 'DIRECT').map((c) => c.to)).toEqual(['FIX_UPGRADE', 'FIX_ORIGIN']);
  });

  it('the service runbook: triage, recovery, tuning, advanced, and escalation at 15, 30 and 60 minutes', () => {
    const r = byId('service-runbook');
    expect(['TRIAGE', 'RECOVER', 'OPTIMISE', 'ADVANCED'].map((n) => box(r, n))).toEqual([
      300, 600, 900, 1800,
    ]);
    expect(
      ['RECOVERED_1', 'RECOVERED_2', 'RECOVERED_3'].map(
        (n) => choicesAt(r, n).find((c) => c.label.startsWith('No'))!.label,
      ),
    ).toEqual(['No, 15 minutes gone', 'No, 30 minutes gone', 'No, 60 minutes gone']);
    expect(nodeOf(r, 'LEVEL_3')!.kind).toBe('end');
    expect(r.steps.some((s) => s.command?.includes('kubectl rollout restart'))).toBe(true);
    expect(r.steps.some((s) => s.command?.includes('openssl s_client'))).toBe(true);
  });

  it('the root causes: checked in the order of their observed shares', () => {
    const r = byId('root-causes');
    const order: string[] = [];
    for (let at = 'PROXY'; ;) {
      order.push(nodeOf(r, at)!.label.split('\n')[1]!);
      const no = choicesAt(r, at).find((c) => c.label === 'No')!;
      if (nodeOf(r, no.to)!.kind !== 'decision') break;
      at = no.to;
    }
    expect(order).toEqual([
      '35-40% of cases',
      '30% of cases',
      '25% of cases',
      '20% of cases',
      '7-20% of cases',
      '15% of cases',
      '3-5% of cases',
    ]);
  });
});

describe('findingRunbookStep', () => {
  it('links every finding of the catalogue to a built-in node that says it fixes it', () => {
    expect(Object.keys(findingRunbookStep).sort()).toEqual([...FINDING_IDS].sort());
    for (const [finding, ref] of Object.entries(findingRunbookStep)) {
      const node = nodeOf(byId(ref.runbook), ref.node);
      expect(node, `${finding} → ${ref.runbook}#${ref.node}`).toBeDefined();
      expect(node!.fixes, `${ref.runbook}#${ref.node}`).toContain(finding);
    }
  });
});
