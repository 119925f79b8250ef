import { useEffect, useState, type RefObject } from 'react';

/** True while the element is on screen (IntersectionObserver; true where unsupported). */
export function useVisible(ref: RefObject<Element | null>, margin = '100px'): boolean {
  // Until the observer reports, assume off-screen (where there is no observer: on-screen).
  const [visible, setVisible] = useState(() => typeof IntersectionObserver === 'undefined');
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver(
      (entries) => {
        for (const e of entries) setVisible(e.isIntersecting);
      },
      { rootMargin: margin },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [ref, margin]);
  return visible;
}
