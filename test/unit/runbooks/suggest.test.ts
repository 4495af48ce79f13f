// Suggestions: which way on the findings point to, with the evidence; and how typed answers match choices.
import { describe, expect, it } from 'vitest';
import { builtinRunbooks } from '../../../shared/runbooks/builtin/index.js';
import { ChoiceError, choicesAt, matchChoice } from '../../../shared/runbooks/graph.js';
import { parseRunbook } from '../../../shared/runbooks/parse.js';
import { suggestChoices } from '../../../shared/runbooks/suggest.js';

const byId = (id: string) => builtinRunbooks().find((r) => r.id === id)!;

describe('suggestChoices', () => {
  it('points a direct-vs-proxy finding at the load balancer branch, with its evidence', () => {
    const evidence = 'direct: 101 Switching Protocols; through the proxy: 400 Bad Request';
    const s = suggestChoices(byId('ws-3am'), 'SCOPE', [{ id: 'proxy-missing-upgrade', evidence }]);
    expect(s).toEqual([
      {
        label: 'Load balancer',
        to: 'BALANCER',
        findings: [{ id: 'proxy-missing-upgrade', evidence }],
        reason: expect.stringContaining('FIX_UPGRADE "Forward the upgrade"'),
      },
    ]);
  });

  it('sends each finding to its own branch of the 3 AM chart', () => {
    const at = (id: string) =>
      suggestChoices(byId('ws-3am'), 'SCOPE', [{ id, evidence: '' }]).map((s) => s.label);
    expect(at('reconnect-storm')).toEqual(['Client side']);
    expect(at('idle-timeout')).toEqual(['Load balancer']);
    expect(at('high-latency')).toEqual(['Server side']);
    expect(at('mixed-content')).toEqual([]);
  });

  it('orders by how many findings support a way, and merges the evidence', () => {
    const s = suggestChoices(byId('ws-3am'), 'SCOPE', [
      { id: 'reconnect-storm', evidence: '14 reconnects in 2 s' },
      { id: 'idle-timeout', evidence: 'dropped after 60 s idle' },
      { id: 'no-heartbeat', evidence: 'no ping in 120 s' },
    ]);
    expect(s.map((x) => [x.label, x.findings.map((f) => f.id)])).toEqual([
      ['Load balancer', ['idle-timeout', 'no-heartbeat']],
      ['Client side', ['reconnect-storm']],
    ]);
  });

  it('names each finding once in the reason, however many times it was seen', () => {
    const [s] = suggestChoices(byId('ws-3am'), 'SCOPE', [
      { id: 'idle-timeout', evidence: 'cut after 3 s idle' },
      { id: 'idle-timeout', evidence: 'cut after 3.1 s idle' },
    ]);
    expect(s!.findings.map((f) => f.evidence)).toEqual(['cut after 3 s idle', 'cut after 3.1 s idle']);
    expect(s!.reason).toMatch(/^idle-timeout points to "Load balancer"/);
  });

  it('picks the nearer fix when several ways reach one (the symptom matrix, the root causes)', () => {
    expect(
      suggestChoices(byId('symptom-matrix'), 'SYMPTOM', [{ id: 'idle-timeout', evidence: '' }]).map(
        (s) => s.label,
      ),
    ).toEqual(['1006 after about a minute idle']);
    expect(
      suggestChoices(byId('symptom-matrix'), 'DIRECT', [{ id: 'proxy-missing-upgrade', evidence: '' }]).map(
        (s) => s.label,
      ),
    ).toEqual(['Yes, only the proxy fails']);
    expect(
      suggestChoices(byId('root-causes'), 'PROXY', [{ id: 'no-heartbeat', evidence: '' }]).map(
        (s) => s.label,
      ),
    ).toEqual(['No']);
    expect(
      suggestChoices(byId('root-causes'), 'PROXY', [{ id: 'proxy-missing-upgrade', evidence: '' }]).map(
        (s) => s.label,
      ),
    ).toEqual(['Yes']);
  });

  it('says nothing without findings, at a node with one way on, or when every way fixes the finding', () => {
    const r = parseRunbook(
      '```mermaid\nflowchart TD\n  Q{Which?} -->|a| A --> FIX\n  Q -->|b| B --> FIX\n```\n## Fix {#FIX}\nFixes: idle-timeout\n',
    );
    expect(suggestChoices(r, 'Q', [{ id: 'idle-timeout', evidence: '' }])).toEqual([]);
    expect(suggestChoices(byId('ws-3am'), 'SCOPE', [])).toEqual([]);
    expect(suggestChoices(byId('ws-3am'), 'ALERT', [{ id: 'idle-timeout', evidence: '' }])).toEqual([]);
  });
});

describe('choices and answers', () => {
  const r = parseRunbook(
    '```mermaid\nflowchart TD\n  S --> Q{Where?}\n  Q -->|Load balancer| LB[Balancer]\n  Q -->|Load test| LT\n  Q --> SRV[Server side]\n  Q -->|yes| Y1\n  Q -->|yes| Y2\n```',
  );

  it('names each way by its label, else its target; a lone unlabelled way is "next"; twins stay apart', () => {
    expect(choicesAt(r, 'S')).toEqual([{ label: 'next', to: 'Q', toLabel: 'Where?' }]);
    expect(choicesAt(r, 'Q').map((c) => c.label)).toEqual([
      'Load balancer',
      'Load test',
      'Server side',
      'yes',
      'yes → Y2',
    ]);
  });

  it('matches a label in any case, a target id, a number, or a unique beginning', () => {
    const c = choicesAt(r, 'Q');
    expect(matchChoice(c, 'load  BALANCER').to).toBe('LB');
    expect(matchChoice(c, 'lt').to).toBe('LT');
    expect(matchChoice(c, 'server side').to).toBe('SRV');
    expect(matchChoice(c, '3').to).toBe('SRV');
    expect(matchChoice(c, 'Server').to).toBe('SRV');
    expect(matchChoice(choicesAt(r, 'S'), undefined).to).toBe('Q');
  });

  it('refuses what matches nothing or several, listing the choices', () => {
    const c = choicesAt(r, 'Q');
    expect(() => matchChoice(c, 'load')).toThrow(/could mean "Load balancer" or "Load test"/);
    expect(() => matchChoice(c, 'client')).toThrow(
      /not a way on from here; choose one of 1\. "Load balancer"/,
    );
    expect(() => matchChoice(c, undefined)).toThrow(ChoiceError);
    expect(() => matchChoice([], 'x')).toThrow(/the walk ends here/);
  });
});

describe('labelTitle', () => {
  it('reads a label broken over two lines whole, and a three-line one by its title', async () => {
    const { labelTitle } = await import('../../../shared/runbooks/graph.js');
    expect(labelTitle('Connections\nstable again?')).toBe('Connections stable again?');
    expect(labelTitle('Debug the balancer\nproxy settings\nstickiness')).toBe('Debug the balancer');
    expect(labelTitle(' One line ')).toBe('One line');
  });
});
