// The flowchart parser on every construct of mermaid's flowchart language that a runbook may hold,
// and on broken charts (the error names the line).
import { describe, expect, it } from 'vitest';
import {
  cleanLabel,
  diagramType,
  FlowchartError,
  isFlowchart,
  parseFlowchart,
  type Flowchart,
} from '../../../shared/runbooks/mermaid.js';

const edges = (f: Flowchart) =>
  f.edges.map((e) => `${e.from}>${e.to}${e.label === null ? '' : `:${e.label}`}`);
const node = (f: Flowchart, id: string) => f.nodes.find((n) => n.id === id)!;

function fails(source: string): FlowchartError {
  try {
    parseFlowchart(source);
  } catch (err) {
    if (err instanceof FlowchartError) return err;
    throw err;
  }
  throw new Error(`parsed without an error:\n${source}`);
}

describe('headers', () => {
  it.each([
    ['flowchart TD', 'TB'],
    ['flowchart TB', 'TB'],
    ['flowchart LR', 'LR'],
    ['graph BT', 'BT'],
    ['graph RL;', 'RL'],
    ['graph', 'TB'],
    ['flowchart-elk LR', 'LR'],
  ])('%s reads as direction %s', (header, direction) => {
    expect(parseFlowchart(`${header}\n  A --> B`).direction).toBe(direction);
  });

  it('skips comments, blank lines, init directives and a config block before the header', () => {
    const f = parseFlowchart(
      '---\ntitle: x\n---\n\n%% a comment\n%%{init: {"theme": "dark"}}%%\nflowchart LR\n A-->B',
    );
    expect(edges(f)).toEqual(['A>B']);
  });

  it('tells flowcharts from other diagrams', () => {
    expect(isFlowchart('graph TB\nA-->B')).toBe(true);
    expect(isFlowchart('%% x\nflowchart LR')).toBe(true);
    expect(isFlowchart('sequenceDiagram\nA->>B: hi')).toBe(false);
    expect(diagramType('\n\nstateDiagram-v2\n')).toBe('stateDiagram-v2');
  });
});

describe('node shapes', () => {
  it.each([
    ['A[rect]', 'rect', 'rect'],
    ['A(round)', 'round', 'round'],
    ['A([stadium])', 'stadium', 'stadium'],
    ['A[[subroutine]]', 'subroutine', 'subroutine'],
    ['A[(cylinder)]', 'cylinder', 'cylinder'],
    ['A((circle))', 'circle', 'circle'],
    ['A(((double)))', 'double-circle', 'double'],
    ['A>asymmetric]', 'asymmetric', 'asymmetric'],
    ['A{rhombus}', 'rhombus', 'rhombus'],
    ['A{{hexagon}}', 'hexagon', 'hexagon'],
    ['A[/lean right/]', 'parallelogram', 'lean right'],
    ['A[\\lean left\\]', 'parallelogram-alt', 'lean left'],
    ['A[/trapezoid\\]', 'trapezoid', 'trapezoid'],
    ['A[\\trapezoid alt/]', 'trapezoid-alt', 'trapezoid alt'],
    ['A(-ellipse-)', 'ellipse', 'ellipse'],
    ['A@{ shape: diamond, label: "Is it up?" }', 'rhombus', 'Is it up?'],
    ['A@{ shape: cyl, label: "Redis" }', 'cylinder', 'Redis'],
    ['A', 'plain', 'A'],
  ])('%s is a %s labelled "%s"', (decl, shape, label) => {
    const f = parseFlowchart(`flowchart TD\n  ${decl} --> B`);
    expect(node(f, 'A')).toMatchObject({ shape, label });
    expect(edges(f)).toEqual(['A>B']);
  });

  it('reads quoted labels that hold brackets, markdown strings, entities and line breaks', () => {
    const f = parseFlowchart(
      [
        'flowchart TD',
        '  A["Is it [really] (down)?"]',
        '  B["`**Markdown** text`"]',
        '  C[Say #quot;hi#quot; #35;1 &amp; more]',
        '  D[First line<br/>second<br>third<br />fourth]',
        '  E[<b>bold</b> text]',
        '  F{ spaced }',
      ].join('\n'),
    );
    expect(node(f, 'A').label).toBe('Is it [really] (down)?');
    expect(node(f, 'B').label).toBe('**Markdown** text');
    expect(node(f, 'C').label).toBe('Say "hi" #1 & more');
    expect(node(f, 'D').label).toBe('First line\nsecond\nthird\nfourth');
    expect(node(f, 'E').label).toBe('bold text');
    expect(node(f, 'F')).toMatchObject({ label: 'spaced', shape: 'rhombus' });
  });

  it('lets a later declaration give a node first named in an edge its shape and label', () => {
    const f = parseFlowchart('graph TD\n  A --> B\n  B{Decide}');
    expect(node(f, 'B')).toMatchObject({ shape: 'rhombus', label: 'Decide', line: 2 });
  });

  it('accepts ids with digits, underscores, dashes and dots, and :::class suffixes', () => {
    const f = parseFlowchart('flowchart LR\n  api-gw_2[Gateway]:::edge --> v1.2:::old --> x');
    expect(f.nodes.map((n) => n.id)).toEqual(['api-gw_2', 'v1.2', 'x']);
    expect(edges(f)).toEqual(['api-gw_2>v1.2', 'v1.2>x']);
  });
});

describe('links', () => {
  it.each([
    ['A --> B', null, 'normal'],
    ['A --- B', null, 'normal'],
    ['A ----> B', null, 'normal'],
    ['A -.-> B', null, 'dotted'],
    ['A -.- B', null, 'dotted'],
    ['A -..-> B', null, 'dotted'],
    ['A ==> B', null, 'thick'],
    ['A === B', null, 'thick'],
    ['A ===> B', null, 'thick'],
    ['A --o B', null, 'normal'],
    ['A --x B', null, 'normal'],
    ['A ~~~ B', null, 'invisible'],
    ['A -->|yes| B', 'yes', 'normal'],
    ['A -->|"a | pipe"| B', 'a | pipe', 'normal'],
    ['A ---|open text| B', 'open text', 'normal'],
    ['A -.->|dotted text| B', 'dotted text', 'dotted'],
    ['A ==>|thick text| B', 'thick text', 'thick'],
    ['A -- two words --> B', 'two words', 'normal'],
    ['A -- non-blocking --> B', 'non-blocking', 'normal'],
    ['A -- open text --- B', 'open text', 'normal'],
    ['A -. dotted words .-> B', 'dotted words', 'dotted'],
    ['A == thick words ==> B', 'thick words', 'thick'],
    ['A -- "quoted -- text" --> B', 'quoted -- text', 'normal'],
    ['A-->B', null, 'normal'],
    // Without spaces, as mermaid's flowchart docs write them.
    ['A-.->B;', null, 'dotted'],
    ['A-.-B;', null, 'dotted'],
    ['A==>B;', null, 'thick'],
    ['A-.->|yes|B', 'yes', 'dotted'],
    ['A -->|"`**bold** yes`"| B', '**bold** yes', 'normal'],
    ['A -- "`markdown text`" --> B', 'markdown text', 'normal'],
    ['A-- x -->B', 'x', 'normal'],
    ['A e1@--> B', null, 'normal'],
  ])('%s', (line, label, stroke) => {
    const f = parseFlowchart(`flowchart LR\n  ${line}`);
    expect(f.edges).toEqual([{ from: 'A', to: 'B', label, stroke, line: 2 }]);
  });

  it.each(['A <--> B', 'A o--o B', 'A x--x B', 'A <-.-> B', 'A <==> B'])('%s goes both ways', (line) => {
    expect(edges(parseFlowchart(`graph LR\n${line}`))).toEqual(['A>B', 'B>A']);
  });

  it('reads chains and & groups, declaring shapes on the way', () => {
    const f = parseFlowchart(
      'flowchart TD\n  A[Start] --> B{Pick} -->|left| C & D --> E((End))\n  F & G --- H',
    );
    expect(edges(f)).toEqual(['A>B', 'B>C:left', 'B>D:left', 'C>E', 'D>E', 'F>H', 'G>H']);
    expect(node(f, 'B').shape).toBe('rhombus');
    expect(node(f, 'E').shape).toBe('circle');
  });

  it('splits statements on semicolons and ignores %% comments at the end of a line', () => {
    const f = parseFlowchart('graph TD;A-->B;B-->C; %% trailing comment\nC-->D %% another');
    expect(edges(f)).toEqual(['A>B', 'B>C', 'C>D']);
  });
});

describe('subgraphs and styling', () => {
  const chart = [
    'flowchart TB',
    '  subgraph EdgePlane[Edge Plane - #0066CC]',
    '    direction LR',
    '    LB[Load Balancer<br/>WebSocket Support]',
    '  end',
    '  subgraph "Service Plane"',
    '    GW[Gateway]',
    '    subgraph inner [Inner one]',
    '      H[Handler]',
    '    end',
    '  end',
    '  subgraph Plain title',
    '    X',
    '  end',
    '  LB --> GW --> H',
    '  X --> inner',
    '  classDef edgeStyle fill:#0066CC,stroke:#004499,color:#fff',
    '  class LB,GW edgeStyle',
    '  style H fill:#f9f,stroke:#333,stroke-width:4px',
    '  linkStyle 0 stroke:#ff3,stroke-width:4px',
    '  linkStyle default interpolate basis',
    '  click LB "https://example.com" "tooltip"',
    '  click GW callback',
    '  accTitle: Planes',
    '  accDescr: one line',
    '  accDescr {',
    '    several lines',
    '  }',
    '  e1@{ animate: true }',
  ].join('\n');

  it('records subgraphs and the subgraph of each node', () => {
    const f = parseFlowchart(chart);
    expect(f.subgraphs.map((s) => [s.id, s.title])).toEqual([
      ['EdgePlane', 'Edge Plane - #0066CC'],
      ['Service Plane', 'Service Plane'],
      ['inner', 'Inner one'],
      ['Plain title', 'Plain title'],
    ]);
    expect(node(f, 'LB').subgraph).toBe('EdgePlane');
    expect(node(f, 'H').subgraph).toBe('inner');
    expect(node(f, 'LB').label).toBe('Load Balancer\nWebSocket Support');
  });

  it('ignores classDef, class, style, linkStyle, click and acc* statements, and walks edges to a subgraph', () => {
    const f = parseFlowchart(chart);
    expect(edges(f)).toEqual(['LB>GW', 'GW>H', 'X>inner']);
    expect(node(f, 'inner').label).toBe('Inner one');
    expect(f.nodes.map((n) => n.id)).not.toContain('classDef');
  });
});

describe('subgraph membership, as mermaid draws it', () => {
  it('puts a bare node name inside a subgraph into it, even when the node was named before', () => {
    const f = parseFlowchart(
      ['flowchart TD', '  A --> B', '  subgraph one', '    A', '    C', '  end', '  B --> C'].join('\n'),
    );
    expect(node(f, 'A').subgraph).toBe('one');
    expect(node(f, 'C').subgraph).toBe('one');
    expect(node(f, 'B').subgraph).toBeNull();
  });

  it('keeps a node in the innermost subgraph and gives nested subgraphs their parent', () => {
    const f = parseFlowchart(
      [
        'flowchart TD',
        '  subgraph outer [Outer]',
        '    O1',
        '    subgraph middle [Middle]',
        '      subgraph inner [Inner]',
        '        I1 --> I2',
        '      end',
        '      M1',
        '    end',
        '  end',
        '  subgraph side',
        '    S1',
        '  end',
      ].join('\n'),
    );
    expect(f.subgraphs.map((s) => [s.id, s.parent])).toEqual([
      ['outer', null],
      ['middle', 'outer'],
      ['inner', 'middle'],
      ['side', null],
    ]);
    expect(['O1', 'M1', 'I1', 'I2', 'S1'].map((id) => node(f, id).subgraph)).toEqual([
      'outer',
      'middle',
      'inner',
      'inner',
      'side',
    ]);
  });

  it('drops the backticks of markdown strings from subgraph titles', () => {
    const f = parseFlowchart(
      [
        'flowchart TD',
        '  subgraph one ["`**Edge** plane`"]',
        '    A',
        '  end',
        '  subgraph "`Service plane`"',
        '    B',
        '  end',
      ].join('\n'),
    );
    expect(f.subgraphs.map((s) => s.title)).toEqual(['**Edge** plane', 'Service plane']);
  });
});

describe('errors name the line', () => {
  it.each([
    ['flowchart TD\n  A[never closed\n  B --> C', 2, /never closed/],
    ['flowchart TD\n  A --> B\n  B -->', 3, /no node at its other end/],
    ['flowchart TD\n  A -- text without arrow B', 2, /never closed with an arrow/],
    ['flowchart TD\n  subgraph S\n    A --> B', 2, /never closed; end it/],
    ['flowchart TD\n  A --> B\n  end', 3, /"end" without a subgraph/],
    ['graph XY\n  A --> B', 1, /not a flowchart direction/],
    ['flowchart TD\n\n  A B', 3, /unexpected "B" after node A/],
    ['flowchart TD\n  A["open quote]\n  B', 2, /never closed with "/],
    ['flowchart TD\n  A -->|no end B', 2, /never closed with "\|"/],
    ['flowchart TD\n  --> B', 2, /is not a node/],
    ['\n\nnot a chart', 3, /starts with "flowchart" or "graph"/],
    ['flowchart TD\n  A@{ shape: rect', 2, /never closed with "}"/],
  ])('%j fails at line %i', (source, line, message) => {
    const err = fails(source);
    expect(err.line).toBe(line);
    expect(err.message).toMatch(message);
  });

  it('offsets lines by where the chart starts in its file', () => {
    expect(() => parseFlowchart('flowchart TD\n  A[x', 41)).toThrow(expect.objectContaining({ line: 42 }));
  });
});

describe('cleanLabel', () => {
  it('collapses spaces, keeps inner empty lines out of the ends, and leaves unknown entities alone', () => {
    expect(cleanLabel('  a   b <br/> c  ')).toBe('a b\nc');
    expect(cleanLabel('<br/>x<br/>')).toBe('x');
    expect(cleanLabel('5 #beef; &bogus;')).toBe('5 #beef; &bogus;');
    expect(cleanLabel('#9829; love')).toBe('♥ love');
  });
});
