// Query steps in runbook files: `Action: query promql=…` with its `Expect:` threshold, the source
// runbooks' `curl …/api/v1/query?query=…` commands read as the queries they run, and the mistakes a
// runbook author makes, each reported at its line.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtinRunbooks } from '../../../shared/runbooks/builtin/index.js';
import { parseAction, parseRunbook, RunbookError } from '../../../shared/runbooks/parse.js';
import { SERVICE_RUNBOOK_CHECKS } from '../../support/prometheus.js';

const SEED = fileURLToPath(new URL('../../fixtures/seeds/003_16aff6c045fdf15a.txt', import.meta.url));

const RUNBOOK = (step: string) => `---
id: metrics
title: Metrics
version: 1
---

\`\`\`mermaid
flowchart TD
    CHECK[Check the metrics] --> DONE([Done])
\`\`\`

## Check the metrics {#CHECK}

### Ask

${step}
`;

function problem(text: string): RunbookError {
  try {
    parseRunbook(text, { fileName: 'metrics.md' });
  } catch (err) {
    if (err instanceof RunbookError) return err;
    throw err;
  }
  throw new Error('parsed without an error');
}

describe('Action: query', () => {
  it('reads the PromQL (quotes inside escaped, or single-quoted) and the threshold of Expect', () => {
    const r = parseRunbook(
      RUNBOOK(
        'Action: query promql="sum(websocket_connections_active{environment=\\"production\\"})"\nExpect: < 10',
      ),
      { fileName: 'metrics.md' },
    );
    expect(r.steps[0]!.action).toEqual({
      kind: 'query',
      promql: ['sum(websocket_connections_active{environment="production"})'],
      expect: { op: '<', value: 10 },
    });
    expect(parseAction(`query promql='up{job="ws"}' expect=">= 0.995"`, 1)).toEqual({
      kind: 'query',
      promql: ['up{job="ws"}'],
      expect: { op: '>=', value: 0.995 },
    });
    expect(parseAction('query {"promql": ["a", "b"], "expect": {"op": "==", "value": 0}}', 1)).toEqual({
      kind: 'query',
      promql: ['a', 'b'],
      expect: { op: '==', value: 0 },
    });
  });

  it('reads thresholds as runbooks write them: ≤, =, a percentage', () => {
    const at = (e: string) =>
      parseRunbook(RUNBOOK(`Action: query promql=up\nExpect: ${e}`), { fileName: 'm.md' }).steps[0]!.action;
    expect(at('≤ 5')).toMatchObject({ expect: { op: '<=', value: 5 } });
    expect(at('= 0')).toMatchObject({ expect: { op: '==', value: 0 } });
    expect(at('> 99.5%')).toMatchObject({ expect: { op: '>', value: 0.995 } });
  });

  it('says which line is wrong: a threshold that is not one, an Expect without a query, no PromQL', () => {
    const bad = problem(RUNBOOK('Action: query promql=up\nExpect: below ten'));
    expect(bad.line).toBe(17);
    expect(bad.message).toMatch(/expect "below ten" is not a threshold such as "< 10"/);
    const orphan = problem(RUNBOOK('Expect: < 10\n\n```sh\nuptime\n```'));
    expect(orphan.line).toBe(16);
    expect(orphan.message).toMatch(/"Ask" expects a value but asks Prometheus nothing/);
    expect(problem(RUNBOOK('Action: query')).message).toMatch(/action query: promql/);
  });
});

describe('curl steps of the source runbooks', () => {
  it("reads the service runbook's three checks, written plain in the URL, as one query step", () => {
    const seed = readFileSync(SEED, 'utf8');
    const block = seed.slice(
      seed.indexOf('# Check active connections'),
      seed.indexOf('### 3. Check Service Health'),
    );
    const command = block.slice(0, block.lastIndexOf('```')).trim();
    const r = parseRunbook(RUNBOOK(`\`\`\`bash\n${command}\n\`\`\``), { fileName: 'm.md' });
    expect(r.steps[0]!.command).toBe(command);
    expect(r.steps[0]!.action).toEqual(SERVICE_RUNBOOK_CHECKS);
  });

  it('reads --data-urlencode and percent-encoded queries; a server behind a variable is left to the incident', () => {
    const triage = builtinRunbooks()
      .find((r) => r.id === 'service-runbook')!
      .steps.find((s) => s.title === 'Is the disconnect rate really up?')!;
    expect(triage.action).toEqual({
      kind: 'query',
      promql: ['sum(rate(websocket_disconnections_total[2m]))'],
    });
    const encoded = parseRunbook(
      RUNBOOK(
        '```sh\ncurl -s "https://prom.example:9090/api/v1/query?query=sum%28up%29&time=1700000000"\n```',
      ),
      { fileName: 'm.md' },
    );
    expect(encoded.steps[0]!.action).toEqual({
      kind: 'query',
      promql: ['sum(up)'],
      server: 'https://prom.example:9090',
    });
  });

  it('leaves other commands alone, and a step with its own action keeps it', () => {
    const plain = parseRunbook(RUNBOOK('```sh\ncurl -f http://websocket:8003/health\n```'), {
      fileName: 'm.md',
    });
    expect(plain.steps[0]!.action).toBeNull();
    const own = parseRunbook(
      RUNBOOK('Action: probe\n\n```sh\ncurl -s "http://p:9090/api/v1/query?query=up"\n```'),
      { fileName: 'm.md' },
    );
    expect(own.steps[0]!.action).toEqual({ kind: 'probe' });
  });
});
