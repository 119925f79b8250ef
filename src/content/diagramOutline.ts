/**
 * A text alternative for a Mermaid diagram, read from its source: the nodes and edges of a
 * flowchart, the participants and messages of a sequence diagram. It is a deliberately simple
 * reader of the common syntax (not a Mermaid parser): what it cannot read it leaves out, and the
 * UI always offers the diagram's source beside it.
 */

export interface DiagramNode {
  id: string;
  label: string;
}

export interface DiagramEdge {
  from: string;
  to: string;
  label: string | undefined;
}

export type SequenceStep =
  | { type: 'message'; from: string; to: string; text: string; reply: boolean }
  | { type: 'note'; position: string; participants: string[]; text: string };

export type DiagramOutline =
  | { kind: 'flowchart'; direction: string; nodes: DiagramNode[]; edges: DiagramEdge[] }
  | { kind: 'sequence'; participants: DiagramNode[]; steps: SequenceStep[] }
  | { kind: 'other'; type: string };

/** The diagram's title, from `accTitle:` or a `title` line, if it declares one. */
export function diagramTitle(source: string): string | undefined {
  const m = /^\s*(?:accTitle\s*:|title[:\s])\s*(.+?)\s*$/m.exec(source);
  return m?.[1] ? cleanLabel(m[1]) : undefined;
}

/** Reads the nodes/edges (flowchart) or participants/messages (sequence diagram) of a source. */
export function outlineDiagram(source: string): DiagramOutline {
  const lines = source
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('%%'));
  const header = lines[0] ?? '';
  const type = header.split(/\s+/)[0] ?? '';
  if (type === 'graph' || type === 'flowchart') {
    return outlineFlowchart(header.split(/\s+/)[1] ?? 'TB', lines.slice(1));
  }
  if (type === 'sequenceDiagram') return outlineSequence(lines.slice(1));
  return { kind: 'other', type };
}

/** Label text as a reader should hear it: quotes and line-break tags removed. */
export function cleanLabel(raw: string): string {
  return raw
    .trim()
    .replace(/^"(.*)"$/s, '$1')
    .replace(/^`(.*)`$/s, '$1')
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<[^>]+>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

const FLOW_SKIP =
  /^(style|classDef|class|linkStyle|click|direction|end|subgraph|accTitle|accDescr)\b/;
// Node shapes, longest opening first so `([` wins over `(`.
const SHAPES: ReadonlyArray<readonly [string, string]> = [
  ['(((', ')))'],
  ['([', '])'],
  ['[[', ']]'],
  ['[(', ')]'],
  ['((', '))'],
  ['{{', '}}'],
  ['[/', '/]'],
  ['[\\', '\\]'],
  ['[', ']'],
  ['(', ')'],
  ['{', '}'],
  ['>', ']'],
];
const NODE_ID = /^[\p{L}\p{N}_]+(?:-(?![-.>=])[\p{L}\p{N}_]+)*/u;
const LABELLED_LINK =
  /^\s*[<ox]?(?:--|==|-\.)\s+(.+?)\s+(?:-{2,}[->ox]|={2,}[=>ox]|\.-+>?|-{3,}|={3,})\s*/;
const PLAIN_LINK = /^\s*[<ox]?(?:-{2,}[->ox]?|={2,}[=>ox]?|-\.+->?|~~~)\s*(?:\|([^|]*)\|)?\s*/;

function outlineFlowchart(direction: string, lines: string[]): DiagramOutline {
  const nodes = new Map<string, DiagramNode>();
  const edges: DiagramEdge[] = [];
  const see = (id: string, label: string | undefined) => {
    const known = nodes.get(id);
    if (!known) nodes.set(id, { id, label: label ?? id });
    else if (label !== undefined) known.label = label;
  };
  for (const line of lines.flatMap((l) => l.split(';'))) {
    const statement = line.trim();
    if (statement === '' || FLOW_SKIP.test(statement)) continue;
    let rest = statement;
    let group = readNodeGroup(rest);
    if (!group) continue;
    group.nodes.forEach((n) => see(n.id, n.label));
    rest = group.rest;
    while (rest.trim() !== '') {
      const link = readLink(rest);
      if (!link) break;
      const next = readNodeGroup(link.rest);
      if (!next) break;
      next.nodes.forEach((n) => see(n.id, n.label));
      for (const a of group.nodes) {
        for (const b of next.nodes) edges.push({ from: a.id, to: b.id, label: link.label });
      }
      group = next;
      rest = next.rest;
    }
  }
  return { kind: 'flowchart', direction, nodes: [...nodes.values()], edges };
}

interface ReadNode {
  id: string;
  label: string | undefined;
}

function readNodeGroup(text: string): { nodes: ReadNode[]; rest: string } | undefined {
  const nodes: ReadNode[] = [];
  let rest = text;
  for (;;) {
    const node = readNode(rest);
    if (!node) return nodes.length ? { nodes, rest } : undefined;
    nodes.push(node.node);
    rest = node.rest;
    const amp = /^\s*&\s*/.exec(rest);
    if (!amp) return { nodes, rest };
    rest = rest.slice(amp[0].length);
  }
}

function readNode(text: string): { node: ReadNode; rest: string } | undefined {
  const trimmed = text.trimStart();
  const id = NODE_ID.exec(trimmed)?.[0];
  if (!id) return undefined;
  let rest = trimmed.slice(id.length);
  let label: string | undefined;
  const shape = SHAPES.find(([open]) => rest.startsWith(open));
  if (shape) {
    const [open, close] = shape;
    const end = rest.indexOf(close, open.length);
    if (end >= 0) {
      label = cleanLabel(rest.slice(open.length, end));
      rest = rest.slice(end + close.length);
    }
  }
  rest = rest.replace(/^:::[\w-]+/, '');
  return { node: { id, label }, rest };
}

function readLink(text: string): { label: string | undefined; rest: string } | undefined {
  const labelled = LABELLED_LINK.exec(text);
  if (labelled)
    return { label: cleanLabel(labelled[1] ?? ''), rest: text.slice(labelled[0].length) };
  const plain = PLAIN_LINK.exec(text);
  if (!plain || !/[-=~]/.test(plain[0])) return undefined;
  const label = plain[1] === undefined ? undefined : cleanLabel(plain[1]);
  return { label: label || undefined, rest: text.slice(plain[0].length) };
}

const PARTICIPANT = /^(participant|actor)\s+(.+?)(?:\s+as\s+(.+))?$/;
const MESSAGE = /^(.+?)\s*(-->>|->>|-->|->|--x|-x|--\)|-\))\s*[+-]?\s*(.+?)\s*:\s*(.*)$/;
const NOTE = /^note\s+(over|left of|right of)\s+(.+?)\s*:\s*(.*)$/i;

function outlineSequence(lines: string[]): DiagramOutline {
  const participants = new Map<string, DiagramNode>();
  const steps: SequenceStep[] = [];
  const see = (id: string, label?: string) => {
    if (!participants.has(id)) participants.set(id, { id, label: label ?? id });
  };
  for (const line of lines) {
    const p = PARTICIPANT.exec(line);
    if (p) {
      see((p[2] ?? '').trim(), p[3] === undefined ? undefined : cleanLabel(p[3]));
      continue;
    }
    const note = NOTE.exec(line);
    if (note) {
      const over = (note[2] ?? '').split(',').map((s) => s.trim());
      over.forEach((id) => see(id));
      steps.push({
        type: 'note',
        position: (note[1] ?? 'over').toLowerCase(),
        participants: over,
        text: cleanLabel(note[3] ?? ''),
      });
      continue;
    }
    const msg = MESSAGE.exec(line);
    if (msg) {
      const from = (msg[1] ?? '').trim();
      const to = (msg[3] ?? '').trim();
      see(from);
      see(to);
      steps.push({
        type: 'message',
        from,
        to,
        text: cleanLabel(msg[4] ?? ''),
        reply: (msg[2] ?? '').startsWith('--'),
      });
    }
  }
  return { kind: 'sequence', participants: [...participants.values()], steps };
}

/**
 * Makes `style` fills readable in any theme: a `style` line that sets a light `fill:#rrggbb`
 * but no `color` gets `color:#000` (and a dark fill gets `color:#fff`), so node text keeps its
 * contrast when the theme's own text colour is light. Only the rendered copy changes; the lesson
 * source stays as written.
 */
export function withReadableTextColors(source: string): string {
  return source
    .split('\n')
    .map((line) => {
      const m = /^(\s*style\s+\S+\s+)(.*)$/.exec(line);
      if (!m || /(^|,)\s*color\s*:/.test(m[2] ?? '')) return line;
      const fill = /(?:^|,)\s*fill\s*:\s*#([0-9a-f]{3}|[0-9a-f]{6})\b/i.exec(m[2] ?? '');
      if (!fill?.[1]) return line;
      const text = relativeLuminance(fill[1]) > 0.18 ? '#000' : '#fff';
      return `${line.trimEnd()},color:${text}`;
    })
    .join('\n');
}

function relativeLuminance(hex: string): number {
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(full.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}
