import { useMemo } from 'react';
import { outlineDiagram, type DiagramNode } from '../../content';

function labelOf(nodes: DiagramNode[], id: string): string {
  return nodes.find((n) => n.id === id)?.label ?? id;
}

/** The diagram as lists: nodes and connections, or participants and steps, plus its source. */
export function DiagramTextAlternative({ source, id }: { source: string; id: string }) {
  const outline = useMemo(() => outlineDiagram(source), [source]);
  return (
    <div className="diagram-text" id={id}>
      {outline.kind === 'flowchart' && (
        <>
          <p className="diagram-text-heading">Nodes</p>
          <ul>
            {outline.nodes.map((n) => (
              <li key={n.id}>{n.label}</li>
            ))}
          </ul>
          <p className="diagram-text-heading">Connections</p>
          <ul>
            {outline.edges.map((e, i) => (
              <li key={i}>
                {labelOf(outline.nodes, e.from)} <span aria-label="leads to">→</span>{' '}
                {labelOf(outline.nodes, e.to)}
                {e.label ? ` (${e.label})` : ''}
              </li>
            ))}
          </ul>
        </>
      )}
      {outline.kind === 'sequence' && (
        <>
          <p className="diagram-text-heading">Participants</p>
          <ul>
            {outline.participants.map((p) => (
              <li key={p.id}>{p.label}</li>
            ))}
          </ul>
          <p className="diagram-text-heading">Steps, in order</p>
          <ol>
            {outline.steps.map((s, i) =>
              s.type === 'message' ? (
                <li key={i}>
                  {labelOf(outline.participants, s.from)} <span aria-label="to">→</span>{' '}
                  {labelOf(outline.participants, s.to)}: {s.text}
                  {s.reply ? ' (reply)' : ''}
                </li>
              ) : (
                <li key={i}>
                  Note {s.position}{' '}
                  {s.participants.map((p) => labelOf(outline.participants, p)).join(', ')}: {s.text}
                </li>
              ),
            )}
          </ol>
        </>
      )}
      {outline.kind === 'other' && (
        <p>
          This kind of diagram ({outline.type || 'unknown'}) has no outline; its source is below.
        </p>
      )}
      <details className="diagram-source">
        <summary>Diagram source (Mermaid)</summary>
        <pre tabIndex={0}>
          <code>{source}</code>
        </pre>
      </details>
    </div>
  );
}
