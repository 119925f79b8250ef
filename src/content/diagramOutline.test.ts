import { describe, expect, it } from 'vitest';
import { diagramTitle, outlineDiagram, withReadableTextColors } from './diagramOutline';

describe('outlineDiagram: flowcharts', () => {
  it('reads node labels, shapes, edge labels and skips style lines', () => {
    const o = outlineDiagram(
      [
        'flowchart TD',
        '    OPERATOR[Operator] --> API[Kubernetes API]',
        '    API --> OVERLOAD{Too Many<br/>Requests?}',
        '    OVERLOAD -->|Yes| THROTTLE[API Throttles]',
        '    OVERLOAD -->|No| SUCCESS[Success]',
        '',
        '    style THROTTLE fill:#FFB6C1',
      ].join('\n'),
    );
    expect(o).toEqual({
      kind: 'flowchart',
      direction: 'TD',
      nodes: [
        { id: 'OPERATOR', label: 'Operator' },
        { id: 'API', label: 'Kubernetes API' },
        { id: 'OVERLOAD', label: 'Too Many Requests?' },
        { id: 'THROTTLE', label: 'API Throttles' },
        { id: 'SUCCESS', label: 'Success' },
      ],
      edges: [
        { from: 'OPERATOR', to: 'API', label: undefined },
        { from: 'API', to: 'OVERLOAD', label: undefined },
        { from: 'OVERLOAD', to: 'THROTTLE', label: 'Yes' },
        { from: 'OVERLOAD', to: 'SUCCESS', label: 'No' },
      ],
    });
  });

  it('reads chains, & groups, text links, other arrows and quoted labels', () => {
    const o = outlineDiagram(
      'graph LR\n  A(("Start")) --> B & C --> D\n  D -- retries --> E[(Store)]\n  E -.-> F\n  F ==> A;G{{x}}',
    );
    if (o.kind !== 'flowchart') throw new Error(o.kind);
    expect(o.nodes.map((n) => `${n.id}:${n.label}`)).toEqual([
      'A:Start',
      'B:B',
      'C:C',
      'D:D',
      'E:Store',
      'F:F',
      'G:x',
    ]);
    expect(o.edges.map((e) => `${e.from}>${e.to}${e.label ? `(${e.label})` : ''}`)).toEqual([
      'A>B',
      'A>C',
      'B>D',
      'C>D',
      'D>E(retries)',
      'E>F',
      'F>A',
    ]);
  });

  it('keeps a label given after the node was first used, and < > inside labels', () => {
    const o = outlineDiagram('graph TB\n  S --> M\n  M[Medium: <100 Resources]');
    if (o.kind !== 'flowchart') throw new Error(o.kind);
    expect(o.nodes).toEqual([
      { id: 'S', label: 'S' },
      { id: 'M', label: 'Medium: <100 Resources' },
    ]);
  });
});

describe('outlineDiagram: sequence diagrams', () => {
  it('reads participants with aliases, messages, replies and notes in order', () => {
    const o = outlineDiagram(
      [
        'sequenceDiagram',
        '    participant Queue',
        '    participant API as API Server',
        '    Queue->>Controller: Batch of Requests',
        '    API-->>Controller: Results',
        '    Note over Controller: Process multiple<br/>resources together',
      ].join('\n'),
    );
    expect(o).toEqual({
      kind: 'sequence',
      participants: [
        { id: 'Queue', label: 'Queue' },
        { id: 'API', label: 'API Server' },
        { id: 'Controller', label: 'Controller' },
      ],
      steps: [
        {
          type: 'message',
          from: 'Queue',
          to: 'Controller',
          text: 'Batch of Requests',
          reply: false,
        },
        { type: 'message', from: 'API', to: 'Controller', text: 'Results', reply: true },
        {
          type: 'note',
          position: 'over',
          participants: ['Controller'],
          text: 'Process multiple resources together',
        },
      ],
    });
  });
});

describe('outlineDiagram: other diagram types', () => {
  it('names the type and lists nothing', () => {
    expect(outlineDiagram('pie title Pets\n "Dogs" : 3')).toEqual({ kind: 'other', type: 'pie' });
  });
});

describe('diagramTitle', () => {
  it('reads accTitle or title, else nothing', () => {
    expect(diagramTitle('graph TB\n accTitle: Request flow\n A-->B')).toBe('Request flow');
    expect(diagramTitle('pie title Pets adopted')).toBeUndefined();
    expect(diagramTitle('gantt\n title A plan\n')).toBe('A plan');
    expect(diagramTitle('graph TB\n A-->B')).toBeUndefined();
  });
});

describe('withReadableTextColors', () => {
  it('gives light fills black text and dark fills white text, leaving explicit colours', () => {
    const src = [
      'graph TB',
      '    style A fill:#90EE90',
      '    style B fill:#003',
      '    style C fill:#FFB6C1,color:#333',
      '    A --> B',
    ].join('\n');
    expect(withReadableTextColors(src).split('\n')).toEqual([
      'graph TB',
      '    style A fill:#90EE90,color:#000',
      '    style B fill:#003,color:#fff',
      '    style C fill:#FFB6C1,color:#333',
      '    A --> B',
    ]);
  });
});
