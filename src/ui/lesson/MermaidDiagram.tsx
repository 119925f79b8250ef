import { useCallback, useEffect, useId, useState } from 'react';
import { diagramTitle, type LessonCodeBlock } from '../../content';
import { useEffectiveTheme, type ThemeName } from '../theme/themeStore';
import { testIds } from '../testIds';
import { ErrorBoundary } from '../app/ErrorBoundary';
import { DiagramTextAlternative } from './DiagramTextAlternative';
import { DiagramViewer } from './DiagramViewer';
import { renderMermaid, type RenderedDiagram } from './mermaidRenderer';
import { SvgHost } from './SvgHost';
import { useNearViewport } from './useNearViewport';

/** Labels stay at least ~11.5px (Mermaid draws them at 16px); wide diagrams scroll sideways. */
const FIT = { min: 0.72, max: 0.9 };

type RenderState =
  | { status: 'waiting' }
  | { status: 'rendered'; diagram: RenderedDiagram; theme: ThemeName }
  | { status: 'failed'; message: string };

interface Props {
  block: LessonCodeBlock;
}

/** A diagram's name: its own title, else the heading it sits under. */
export function diagramCaption(block: LessonCodeBlock): string {
  return diagramTitle(block.code) ?? block.heading?.text ?? 'Diagram';
}

/**
 * One Mermaid diagram of the lesson, as a figure: rendered when the reader nears it (and again
 * when the theme changes), named by its caption, with a text alternative (nodes and edges) and
 * a full-screen view. A diagram that cannot be rendered shows the error and its source in place.
 */
export function MermaidDiagram({ block }: Props) {
  const caption = diagramCaption(block);
  return (
    <ErrorBoundary
      fallback={(error) => (
        <DiagramFailure caption={caption} message={error.message} source={block.code} />
      )}
    >
      <MermaidFigure block={block} caption={caption} />
    </ErrorBoundary>
  );
}

function MermaidFigure({ block, caption }: Props & { caption: string }) {
  const theme = useEffectiveTheme();
  const [ref, near] = useNearViewport<HTMLDivElement>();
  const [state, setState] = useState<RenderState>({ status: 'waiting' });
  const [showText, setShowText] = useState(false);
  const [fullScreen, setFullScreen] = useState(false);
  const captionId = useId();
  const textId = useId();

  useEffect(() => {
    if (!near) return;
    let live = true;
    renderMermaid(block.code, theme).then(
      (diagram) => live && setState({ status: 'rendered', diagram, theme }),
      (e: unknown) =>
        live && setState({ status: 'failed', message: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      live = false;
    };
  }, [near, theme, block.code]);

  const closeViewer = useCallback(() => setFullScreen(false), []);

  // A diagram wider than the column (at a legible size) scrolls sideways: say so.
  const [overflows, setOverflows] = useState(false);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas || state.status !== 'rendered' || typeof ResizeObserver === 'undefined') return;
    const check = () => setOverflows(canvas.scrollWidth > canvas.clientWidth + 1);
    const observer = new ResizeObserver(check);
    observer.observe(canvas);
    check();
    return () => observer.disconnect();
  }, [ref, state]);

  if (state.status === 'failed') {
    return <DiagramFailure caption={caption} message={state.message} source={block.code} />;
  }
  return (
    <figure
      className="diagram"
      aria-labelledby={captionId}
      data-testid={testIds.diagram}
      data-block-id={block.id}
      data-state={state.status}
      data-rendered-theme={state.status === 'rendered' ? state.theme : undefined}
    >
      <div className="diagram-bar">
        <figcaption id={captionId} className="diagram-caption">
          <span className="visually-hidden">Diagram:</span> {caption}
        </figcaption>
        <div className="diagram-actions">
          <button
            type="button"
            className="button button-small"
            aria-expanded={showText}
            aria-controls={textId}
            onClick={() => setShowText((v) => !v)}
          >
            {showText ? 'Hide text version' : 'Text version'}
          </button>
          <button
            type="button"
            className="button button-small"
            disabled={state.status !== 'rendered'}
            onClick={() => setFullScreen(true)}
          >
            Full screen
          </button>
        </div>
      </div>
      <div
        ref={ref}
        className="diagram-canvas"
        aria-busy={state.status === 'waiting'}
        tabIndex={0}
        aria-labelledby={captionId}
      >
        {state.status === 'rendered' ? (
          <SvgHost svg={state.diagram.svg} label={caption} className="diagram-svg" fit={FIT} />
        ) : (
          <p className="diagram-placeholder">Drawing the diagram…</p>
        )}
      </div>
      {overflows && (
        <p className="diagram-hint">
          Wider than the column: scroll it sideways, or open it in full screen.
        </p>
      )}
      {showText && <DiagramTextAlternative source={block.code} id={textId} />}
      {fullScreen && state.status === 'rendered' && (
        <DiagramViewer
          svg={state.diagram.svg}
          svgId={state.diagram.svgId}
          title={caption}
          onClose={closeViewer}
        />
      )}
    </figure>
  );
}

export function DiagramFailure({
  caption,
  message,
  source,
}: {
  caption: string;
  message: string;
  source: string;
}) {
  return (
    <figure className="diagram diagram-failed" data-testid={testIds.diagram} data-state="failed">
      <figcaption className="diagram-caption">
        <span className="visually-hidden">Diagram:</span> {caption}
      </figcaption>
      <p className="diagram-error">
        <strong>This diagram could not be drawn.</strong> {message}
      </p>
      <pre className="diagram-error-source" tabIndex={0} aria-label="Diagram source">
        <code>{source}</code>
      </pre>
    </figure>
  );
}
