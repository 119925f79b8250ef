import { useLayoutEffect, useRef } from 'react';

interface Props {
  svg: string;
  /** Accessible name of the picture. */
  label: string;
  /** Rewrites Mermaid's svg id (a second copy of the same diagram needs its own ids). */
  idFrom?: string;
  idTo?: string;
  className?: string;
  /**
   * Display scale limits relative to the diagram's natural size: it fills the available width
   * but is never drawn smaller than `min` (the container scrolls sideways instead, so labels
   * stay legible) nor larger than `max`.
   */
  fit?: { min: number; max: number };
}

/**
 * Places a Mermaid SVG in the page. Mermaid (securityLevel strict) has already sanitised it;
 * it is parsed into DOM nodes and inserted, exposed to assistive technology as one image with
 * a name (the figure's text alternative carries the detail).
 */
export function SvgHost({ svg, label, idFrom, idTo, className, fit }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const host = ref.current;
    if (!host) return;
    const text = idFrom && idTo ? svg.split(idFrom).join(idTo) : svg;
    const parsed = new DOMParser().parseFromString(text, 'text/html').body.querySelector('svg');
    if (!parsed) {
      host.replaceChildren();
      return;
    }
    const el = document.importNode(parsed, true);
    el.removeAttribute('aria-roledescription');
    el.removeAttribute('aria-labelledby');
    el.removeAttribute('aria-describedby');
    el.setAttribute('role', 'img');
    el.setAttribute('aria-label', label);
    el.setAttribute('focusable', 'false');
    const box = el instanceof SVGSVGElement ? el.viewBox.baseVal : null;
    if (fit && box && box.width > 0) {
      el.removeAttribute('height');
      el.style.width = '100%';
      el.style.minWidth = `${Math.round(box.width * fit.min)}px`;
      el.style.maxWidth = `${Math.round(box.width * fit.max)}px`;
    }
    host.replaceChildren(el);
  }, [svg, label, idFrom, idTo, fit]);
  return <div ref={ref} className={className} />;
}
