// Runbook files: front matter, the walk's flowchart, step sections with commands, actions, time boxes
// and fixes; a bare Markdown flowchart; and malformed files, each reported at its line.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAction, parseDuration, parseRunbook, RunbookError } from '../../../shared/runbooks/parse.js';

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../fixtures/runbooks/${name}`, import.meta.url)), 'utf8');

function problem(text: string, fileName = 'x.md'): RunbookError {
  try {
    parseRunbook(text, { fileName });
  } catch (err) {
    if (err instanceof RunbookError) return err;
    throw err;
  }
  throw new Error('parsed without an error');
}

describe('a full runbook file', () => {
  const r = parseRunbook(fixture('custom.md'), { fileName: 'custom.md' });

  it('takes id, title, version and applies-to from the front matter, ignoring other keys', () => {
    expect(r).toMatchObject({
      id: 'idle-drops',
      title: 'Idle connections dropped',
      version: '2.1',
      appliesTo: ['idle-timeout', 'no-heartbeat'],
      description: 'Sockets that carry no traffic are cut after a steady number of seconds.',
      start: 'START',
    });
  });

  it('gives nodes their kind: decision for rhombus, start without incoming, end without outgoing', () => {
    expect(r.nodes.map((n) => [n.id, n.kind])).toEqual([
      ['START', 'start'],
      ['HOLD', 'step'],
      ['CUT', 'decision'],
      ['PROXY', 'step'],
      ['OTHER', 'end'],
      ['DONE', 'end'],
    ]);
    expect(r.nodes.find((n) => n.id === 'CUT')!.label).toBe('Cut after a\nsteady time?');
    expect(r.edges).toContainEqual({ from: 'CUT', to: 'PROXY', label: 'Yes, ~60 s' });
    expect(r.edges).toContainEqual({ from: 'PROXY', to: 'DONE', label: null });
  });

  it('reads sub-headings as steps, with their command, action and time box', () => {
    const hold = r.steps.filter((s) => s.node === 'HOLD');
    expect(hold).toEqual([
      {
        node: 'HOLD',
        index: 1,
        title: 'Let Frameline hold it',
        text: '',
        command: null,
        action: { kind: 'probe', idleLimit: 90 },
        timeboxSeconds: null,
      },
      {
        node: 'HOLD',
        index: 2,
        title: 'Watch from the server',
        text: '',
        command: "ss -tn state established '( sport = :8080 )' | wc -l",
        action: null,
        timeboxSeconds: 60,
      },
    ]);
    const node = r.nodes.find((n) => n.id === 'HOLD')!;
    expect(node.timeboxSeconds).toBe(180);
    expect(node.text).toBe('Open a socket and send nothing.');
  });

  it('makes a section with a command one step, keeps other code blocks as its text, and reads Fixes', () => {
    const proxy = r.steps.filter((s) => s.node === 'PROXY');
    expect(proxy).toHaveLength(1);
    expect(proxy[0]).toMatchObject({
      title: 'Raise the proxy timeout',
      command: 'nginx -t && nginx -s reload',
    });
    expect(proxy[0]!.text).toContain('proxy_read_timeout 300s;');
    expect(proxy[0]!.text).not.toMatch(/Fixes|Time box/);
    const node = r.nodes.find((n) => n.id === 'PROXY')!;
    expect(node.fixes).toEqual(['idle-timeout', 'no-heartbeat']);
    expect(node.timeboxSeconds).toBe(600);
  });

  it('leaves a text-only section as the node text, without steps', () => {
    expect(r.steps.filter((s) => s.node === 'CUT')).toEqual([]);
    expect(r.nodes.find((n) => n.id === 'CUT')!.text).toBe('Compare the drop times.');
  });
});

describe('a Markdown file with a flowchart and nothing else', () => {
  it('is a runbook named after its heading and file, walkable from its first node', () => {
    const r = parseRunbook(fixture('only-flowchart.md'), { fileName: '/some/dir/Only Flowchart.md' });
    expect(r).toMatchObject({
      id: 'only-flowchart',
      title: 'A chart and nothing else',
      version: '1',
      start: 'A',
    });
    expect(r.steps).toEqual([]);
    expect(r.nodes.map((n) => n.kind)).toEqual(['start', 'decision', 'end', 'end']);
  });

  it('takes the first chart with a decision as the walk, unless the front matter names one', () => {
    const twoCharts = [
      '```mermaid',
      'graph LR',
      '  X --> Y',
      '```',
      '```mermaid',
      'flowchart TD',
      '  A --> B{Q}',
      '  B -->|a| C',
      '```',
    ].join('\n');
    expect(parseRunbook(twoCharts).start).toBe('A');
    expect(parseRunbook(`---\nflowchart: 1\n---\n${twoCharts}`).start).toBe('X');
    expect(problem(`---\nflowchart: 3\n---\n${twoCharts}`)).toMatchObject({ line: 2 });
  });

  it('skips other mermaid diagrams and plain code blocks', () => {
    const r = parseRunbook(
      '```mermaid\nsequenceDiagram\n  A->>B: hi\n```\n```js\nconst x = 1;\n```\n```mermaid\ngraph TD\n  A-->B\n```',
    );
    expect(r.nodes.map((n) => n.id)).toEqual(['A', 'B']);
  });

  it('ignores invisible links (layout only) when walking', () => {
    const r = parseRunbook('```mermaid\ngraph TD\n  A --> B\n  A ~~~ C\n```');
    expect(r.edges).toEqual([{ from: 'A', to: 'B', label: null }]);
    expect(r.nodes.find((n) => n.id === 'C')!.kind).toBe('start');
  });

  it('honours a start node named in the front matter', () => {
    expect(parseRunbook('---\nstart: B\n---\n```mermaid\ngraph TD\n  A --> B --> C\n```').start).toBe('B');
  });
});

describe('malformed files are reported at their line', () => {
  it.each([
    ['broken-front-matter.md', 2, /id "Not A Valid Id" must be lowercase/],
    ['broken-chart.md', 8, /node C: "\[" is never closed/],
    ['broken-step.md', 8, /action "teleport target=moon" is not one of probe, capture, relay, diagnose/],
  ])('%s: line %i', (name, line, message) => {
    const err = problem(fixture(name), name);
    expect(err.line).toBe(line);
    expect(err.message).toMatch(message);
  });

  const chart = '```mermaid\nflowchart TD\n  A --> B\n```\n';
  it.each([
    ['no flowchart at all', '# Title\n\nJust text.\n', 1, /no mermaid flowchart/],
    ['an unclosed front matter', '---\nid: x\n', 1, /never closed with "---"/],
    [
      'a front matter line that is not key: value',
      '---\nid: x\njust words\n---\n' + chart,
      3,
      /"key: value"/,
    ],
    [
      'a bad finding id in applies-to',
      '---\napplies-to: [idle-timeout, Idle Timeout]\n---\n' + chart,
      2,
      /not a finding id/,
    ],
    ['an unclosed code block', chart + '\n```sh\necho hi\n', 6, /never closed/],
    ['an unclosed mermaid block', '\n```mermaid\nflowchart TD\n  A --> B\n', 2, /never closed/],
    [
      'a chart error, offset into the file',
      'Intro\n\n```mermaid\nflowchart TD\n  A -->\n```\n',
      5,
      /no node at its other end/,
    ],
    [
      'a step section for an unknown node',
      chart + '\n## Nowhere {#Z}\n',
      6,
      /\{#Z\} names no node of the flowchart \(nodes: A, B\)/,
    ],
    ['an empty {#}', chart + '\n## Nothing {#}\n', 6, /names no node/],
    ['two sections for one node', chart + '\n## One {#A}\n\n## Two {#A}\n', 8, /second step section/],
    [
      'two commands in one step',
      chart + '\n## A {#A}\n```sh\na\n```\n```bash\nb\n```\n',
      10,
      /one command per step/,
    ],
    ['an empty command', chart + '\n## A {#A}\n```sh\n```\n', 7, /shell block of "A" is empty/],
    [
      'two actions in one step',
      chart + '\n## A {#A}\nAction: capture\nAction: diagnose\n',
      8,
      /already has an action/,
    ],
    [
      'an unknown action argument',
      chart + '\n## A {#A}\nAction: capture speed=9\n',
      7,
      /"speed" is not one of them/,
    ],
    [
      'a bad action value',
      chart + '\n## A {#A}\nAction: capture duration=-5\n',
      7,
      /action capture: duration/,
    ],
    [
      'a positional action argument',
      chart + '\n## A {#A}\nAction: probe fast\n',
      7,
      /"fast" is not key=value/,
    ],
    ['bad JSON arguments', chart + '\n## A {#A}\nAction: probe {direct: }\n', 7, /not valid JSON/],
    [
      'a mistake in a capture script',
      chart + '\n## A {#A}\nAction: capture {"script": "send hi\\nwait 5s"}\n',
      7,
      /^action capture: script line 2: "wait" is not a step/,
    ],
    ['an unreadable time box', chart + '\n## A {#A}\nTime box: soon\n', 7, /time box "soon"/],
    ['a bad finding in Fixes', chart + '\n## A {#A}\nFixes: idle_timeout\n', 7, /not a finding id/],
    ['an unknown start node', '---\nstart: Q\n---\n' + chart, 2, /start: "Q" is not a node/],
    ['an empty chart', '```mermaid\nflowchart TD\n```\n', 1, /no nodes to walk/],
  ])('%s', (_what, text, line, message) => {
    const err = problem(text);
    expect({ line: err.line, message: err.message }).toEqual({
      line,
      message: expect.stringMatching(message),
    });
  });
});

describe('durations and actions', () => {
  it.each([
    ['5m', 300],
    ['90s', 90],
    ['1h', 3600],
    ['2m30s', 150],
    ['< 5 minutes', 300],
    ['under 10 min', 600],
    ['1.5 hours', 5400],
  ])('%s is %i s', (raw, s) => {
    expect(parseDuration(raw, 1)).toBe(s);
  });

  it('reads key=value and JSON arguments, fills the capture duration', () => {
    expect(parseAction('probe url=ws://x/y direct=true idleLimit=120 checks=heartbeat,echo', 1)).toEqual({
      kind: 'probe',
      url: 'ws://x/y',
      direct: true,
      idleLimit: 120,
      checks: ['heartbeat', 'echo'],
    });
    expect(parseAction('`capture`', 1)).toEqual({ kind: 'capture', duration: 30 });
    expect(parseAction('capture {"duration": 5, "script": "send hi\\nexpect /hi/ 2s"}', 1)).toEqual({
      kind: 'capture',
      duration: 5,
      script: 'send hi\nexpect /hi/ 2s',
    });
    expect(parseAction('diagnose session=latest', 1)).toEqual({ kind: 'diagnose', session: 'latest' });
    expect(parseAction('diagnose {"session": 12}', 1)).toEqual({ kind: 'diagnose', session: 12 });
    expect(parseAction('probe direct="ws://backend:9000/ws" origin=\'https://app.example.com\'', 1)).toEqual({
      kind: 'probe',
      direct: 'ws://backend:9000/ws',
      origin: 'https://app.example.com',
    });
  });

  it("reads a probe's protocol, subprotocol and init payload, and refuses a protocol it does not know", () => {
    expect(
      parseAction(
        'probe protocol=graphql-ws subprotocol=graphql-transport-ws initPayload=\'{"token":"t-1"}\'',
        1,
      ),
    ).toEqual({
      kind: 'probe',
      protocol: 'graphql-ws',
      subprotocol: 'graphql-transport-ws',
      initPayload: '{"token":"t-1"}',
    });
    expect(parseAction('probe protocol=none', 1)).toEqual({ kind: 'probe', protocol: 'none' });
    expect(() => parseAction('probe protocol=carrier-pigeon', 3)).toThrow(/action probe: protocol/);
  });

  it('reads the headers and protocol a capture or probe step sends over the walk profile’s', () => {
    expect(parseAction('capture duration=5 header="X-Tenant: blue" subprotocol=v1', 1)).toEqual({
      kind: 'capture',
      duration: 5,
      subprotocol: 'v1',
      headers: ['X-Tenant: blue'],
    });
    expect(parseAction('probe {"header": ["X-Tenant: blue", "X-Region: eu"]}', 1)).toEqual({
      kind: 'probe',
      headers: ['X-Tenant: blue', 'X-Region: eu'],
    });
    expect(() => parseAction('probe header=X-Tenant', 2)).toThrow(
      /action probe: headers.0 is not a "Name: value" header line/,
    );
  });

  it('reads a relay: its upstream, duration and port, ten minutes when it names no duration', () => {
    expect(parseAction('relay to=wss://app.example.com/live duration=120 port=8089', 1)).toEqual({
      kind: 'relay',
      to: 'wss://app.example.com/live',
      duration: 120,
      port: 8089,
    });
    expect(parseAction('`relay`', 1)).toEqual({ kind: 'relay', duration: 600 });
    expect(() => parseAction('relay url=ws://x/', 4)).toThrow(/action relay takes to, duration, port/);
    expect(() => parseAction('relay port=70000', 4)).toThrow(/action relay: port/);
    expect(() => parseAction('relay duration=0', 4)).toThrow(/action relay: duration/);
  });
});

describe('success exit codes', () => {
  const RUNBOOK = (directive: string, command = "```sh\ngrep -c '\" 101 ' access.log\n```") => `---
id: counts
title: Counts
version: 1
---

\`\`\`mermaid
flowchart TD
    COUNT[Count the upgrades] --> DONE([Done])
\`\`\`

## Count the upgrades {#COUNT}

### Count them

${directive}

${command}
`;

  it('reads the exit codes that mean a step went well, sorted and without repeats', () => {
    const r = parseRunbook(RUNBOOK('Success exit codes: 1, 0, 1'), { fileName: 'counts.md' });
    expect(r.steps[0]).toMatchObject({ title: 'Count them', successExitCodes: [0, 1] });
  });

  it('leaves them out when a step says nothing: only 0 is a success', () => {
    const r = parseRunbook(RUNBOOK(''), { fileName: 'counts.md' });
    expect(r.steps[0]!.successExitCodes).toBeUndefined();
  });

  it('says which line is wrong: codes that are not 0–255, or codes on a step without a command', () => {
    const range = problem(RUNBOOK('Success exit codes: 0, 300'));
    expect(range.line).toBe(16);
    expect(range.message).toMatch(/success exit codes "0, 300" are not whole numbers from 0 to 255/);
    const orphan = problem(RUNBOOK('Success exit codes: 0, 1', 'No command here.'));
    expect(orphan.line).toBe(16);
    expect(orphan.message).toMatch(/"Count them" gives success exit codes but has no shell command/);
  });

  it('lets the built-in "Count the upgrades" count none as an answer', async () => {
    const { builtinRunbooks } = await import('../../../shared/runbooks/builtin/index.js');
    const step = builtinRunbooks()
      .find((r) => r.id === 'ws-3am')!
      .steps.find((s) => s.title === 'Count the upgrades in the access log')!;
    expect(step.command).toContain('grep -c');
    expect(step.successExitCodes).toEqual([0, 1]);
  });
});
