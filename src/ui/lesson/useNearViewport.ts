import { useContext, useEffect, useRef, useState, type RefObject } from 'react';
import { ScrollRootContext } from './scrollRoot';

/**
 * True once the element has come within `margin` of the visible part of the lesson pane (and
 * stays true): heavy content (diagrams, highlighting) is prepared just before the reader gets
 * there. Without IntersectionObserver (old browsers, jsdom) it is true at once.
 */
export function useNearViewport<T extends Element>(
  margin = '800px',
): [RefObject<T | null>, boolean] {
  const ref = useRef<T>(null);
  const root = useContext(ScrollRootContext);
  const [near, setNear] = useState(() => typeof IntersectionObserver === 'undefined');
  useEffect(() => {
    const el = ref.current;
    if (near || !el) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          setNear(true);
          observer.disconnect();
        }
      },
      { root, rootMargin: `${margin} 0px ${margin} 0px` },
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, [near, margin, root]);
  return [ref, near];
}
