import { useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { testIds } from '../testIds';
import { SPLIT_DEFAULT, SPLIT_MAX, SPLIT_MIN, useLayoutStore } from './layoutStore';

/**
 * The draggable bar between the lesson and the lab (a focusable separator: ← → resize by 5%,
 * Home/End go to the limits, Enter or a double click restores the default).
 */
export function PaneDivider({ container }: { container: HTMLElement | null }) {
  const split = useLayoutStore((s) => s.split);
  const setSplit = useLayoutStore((s) => s.setSplit);
  const dragging = useRef(false);

  const fromPointer = (clientX: number) => {
    if (!container) return;
    const box = container.getBoundingClientRect();
    if (box.width > 0) setSplit(((clientX - box.left) / box.width) * 100);
  };
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    dragging.current = true;
    e.currentTarget.setPointerCapture(e.pointerId);
    e.preventDefault();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const next =
      e.key === 'ArrowLeft'
        ? split - 5
        : e.key === 'ArrowRight'
          ? split + 5
          : e.key === 'Home'
            ? SPLIT_MIN
            : e.key === 'End'
              ? SPLIT_MAX
              : e.key === 'Enter'
                ? SPLIT_DEFAULT
                : undefined;
    if (next === undefined) return;
    e.preventDefault();
    setSplit(next);
  };
  return (
    <div
      className="pane-divider"
      role="separator"
      aria-orientation="vertical"
      aria-label="Resize the lesson and lab panes"
      aria-controls="lesson-pane"
      aria-valuemin={SPLIT_MIN}
      aria-valuemax={SPLIT_MAX}
      aria-valuenow={split}
      aria-valuetext={`Lesson ${split}%, lab ${100 - split}%`}
      tabIndex={0}
      data-testid={testIds.divider}
      onPointerDown={onPointerDown}
      onPointerMove={(e) => dragging.current && fromPointer(e.clientX)}
      onPointerUp={() => (dragging.current = false)}
      onPointerCancel={() => (dragging.current = false)}
      onDoubleClick={() => setSplit(SPLIT_DEFAULT)}
      onKeyDown={onKeyDown}
    />
  );
}
