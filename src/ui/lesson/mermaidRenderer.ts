import { withReadableTextColors } from '../../content';
import type { ThemeName } from '../theme/themeStore';

type Mermaid = (typeof import('mermaid'))['default'];

let loading: Promise<Mermaid> | undefined;
let initializedFor: ThemeName | undefined;
let queue: Promise<unknown> = Promise.resolve();
let sequence = 0;

/** Mermaid is large: it is fetched (a separate chunk) the first time a diagram is rendered. */
function loadMermaid(): Promise<Mermaid> {
  loading ??= import('mermaid').then((m) => m.default);
  return loading;
}

export interface RenderedDiagram {
  svg: string;
  /** The id Mermaid gave the <svg> (its CSS is scoped to it). */
  svgId: string;
}

/**
 * Renders one diagram to an SVG string. Renders run one at a time (Mermaid's configuration is
 * global, and the theme is part of it), with `securityLevel: 'strict'` (no HTML or scripts from
 * the source, no click handlers) and the dagre layout. Light `style` fills get dark text so
 * the labels stay legible in the dark theme (see withReadableTextColors). Rejects with Mermaid's
 * error for an invalid source.
 */
export function renderMermaid(source: string, theme: ThemeName): Promise<RenderedDiagram> {
  const run = async (): Promise<RenderedDiagram> => {
    const mermaid = await loadMermaid();
    if (initializedFor !== theme) {
      mermaid.initialize({
        startOnLoad: false,
        securityLevel: 'strict',
        layout: 'dagre',
        theme: theme === 'dark' ? 'dark' : 'default',
        suppressErrorRendering: true,
        fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
        flowchart: { useMaxWidth: true, htmlLabels: true },
        sequence: { useMaxWidth: true },
      });
      initializedFor = theme;
    }
    sequence += 1;
    const svgId = `mermaid-svg-${sequence}`;
    try {
      const { svg } = await mermaid.render(svgId, withReadableTextColors(source));
      return { svg, svgId };
    } finally {
      // Mermaid renders in a temporary element; make sure none is left behind on failure.
      document.getElementById(`d${svgId}`)?.remove();
      document.getElementById(svgId)?.remove();
    }
  };
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}
