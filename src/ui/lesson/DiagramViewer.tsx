import { useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { SvgHost } from './SvgHost';

interface Props {
  svg: string;
  svgId: string;
  title: string;
  onClose(): void;
}

const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3, 4];

/**
 * A full-screen view of one diagram (a modal dialog: Esc or Close returns to the lesson) with
 * zoom buttons (also + − 0 keys) and panning by dragging or scrolling.
 */
export function DiagramViewer({ svg, svgId, title, onClose }: Props) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const stageRef = useRef<HTMLDivElement>(null);
  const [zoomIndex, setZoomIndex] = useState(ZOOMS.indexOf(1.5));
  const zoom = ZOOMS[zoomIndex] ?? 1;
  const drag = useRef<{ x: number; y: number; left: number; top: number } | null>(null);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    const close = () => onClose();
    dialog.addEventListener('close', close);
    return () => dialog.removeEventListener('close', close);
  }, [onClose]);

  useEffect(() => {
    const svgEl = stageRef.current?.querySelector('svg');
    if (!svgEl) return;
    const box = svgEl.viewBox.baseVal;
    if (!box || box.width === 0) return;
    svgEl.style.maxWidth = 'none';
    svgEl.style.minWidth = '0';
    svgEl.style.width = '';
    svgEl.setAttribute('width', String(Math.round(box.width * zoom)));
    svgEl.setAttribute('height', String(Math.round(box.height * zoom)));
  }, [zoom, svg]);

  const step = (d: number) => setZoomIndex((i) => Math.min(ZOOMS.length - 1, Math.max(0, i + d)));

  const onPointerDown = (e: ReactPointerEvent<HTMLDivElement>) => {
    const stage = stageRef.current;
    if (!stage || e.button !== 0) return;
    drag.current = { x: e.clientX, y: e.clientY, left: stage.scrollLeft, top: stage.scrollTop };
    stage.setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: ReactPointerEvent<HTMLDivElement>) => {
    const stage = stageRef.current;
    const d = drag.current;
    if (!stage || !d) return;
    stage.scrollLeft = d.left - (e.clientX - d.x);
    stage.scrollTop = d.top - (e.clientY - d.y);
  };
  const endDrag = () => {
    drag.current = null;
  };

  return (
    <dialog
      ref={dialogRef}
      className="diagram-viewer"
      aria-label={`${title} (full screen)`}
      onKeyDown={(e) => {
        if (e.key === '+' || e.key === '=') step(1);
        else if (e.key === '-') step(-1);
        else if (e.key === '0') setZoomIndex(ZOOMS.indexOf(1));
        else return;
        e.preventDefault();
      }}
    >
      <div className="diagram-viewer-bar">
        <h2 className="diagram-viewer-title">{title}</h2>
        <div className="diagram-viewer-actions" role="group" aria-label="Zoom">
          <button type="button" className="button" onClick={() => step(-1)} aria-label="Zoom out">
            −
          </button>
          <output className="diagram-zoom" aria-live="polite">
            {Math.round(zoom * 100)}%
          </output>
          <button type="button" className="button" onClick={() => step(1)} aria-label="Zoom in">
            +
          </button>
          <button type="button" className="button" onClick={() => setZoomIndex(ZOOMS.indexOf(1))}>
            Actual size
          </button>
          <button
            type="button"
            className="button"
            onClick={() => dialogRef.current?.close()}
            autoFocus
          >
            Close
          </button>
        </div>
      </div>
      <div
        ref={stageRef}
        className="diagram-viewer-stage"
        tabIndex={0}
        aria-label="Diagram, drag or scroll to pan"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={endDrag}
        onPointerCancel={endDrag}
      >
        <SvgHost svg={svg} label={title} idFrom={svgId} idTo={`${svgId}-zoom`} />
      </div>
    </dialog>
  );
}
