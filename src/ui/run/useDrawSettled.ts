import { useEffect, type RefObject } from 'react';

/** A scheduled draw waiting to reach the page: the view it draws and its job's resolve. */
export interface PendingDraw<V> {
  view: V;
  resolve(): void;
}

/**
 * Settles a pending draw once `view` is committed and its passive effects ran (recharts' store
 * updates and the re-render of its subscribers follow them in the same task), so the draw
 * scheduler's next job never shares that task.
 */
export function useDrawSettled<V>(pending: RefObject<PendingDraw<V> | null>, view: V): void {
  useEffect(() => {
    const p = pending.current;
    if (p && p.view === view) {
      pending.current = null;
      p.resolve();
    }
  }, [pending, view]);
}
