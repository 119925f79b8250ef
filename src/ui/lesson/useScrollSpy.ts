import { useEffect, useState } from 'react';

/**
 * The slug of the section being read: the last of `slugs` whose heading has scrolled to within
 * `offset` px of the top of `scroller` (the last one when scrolled to the very bottom), or
 * undefined above the first. Measured on scroll, once per animation frame.
 */
export function useScrollSpy(
  scroller: HTMLElement | null,
  slugs: readonly string[],
  offset = 40,
): string | undefined {
  const [current, setCurrent] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (!scroller) return;
    let frame = 0;
    const measure = () => {
      frame = 0;
      const top = scroller.getBoundingClientRect().top;
      let found: string | undefined;
      for (const slug of slugs) {
        const el = document.getElementById(slug);
        if (!el) continue;
        if (el.getBoundingClientRect().top - top <= offset) found = slug;
        else break;
      }
      const atBottom = scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 2;
      if (atBottom && scroller.scrollTop > 0 && slugs.length > 0) found = slugs[slugs.length - 1];
      setCurrent(found);
    };
    const onScroll = () => {
      if (!frame) frame = requestAnimationFrame(measure);
    };
    measure();
    scroller.addEventListener('scroll', onScroll, { passive: true });
    window.addEventListener('resize', onScroll);
    return () => {
      scroller.removeEventListener('scroll', onScroll);
      window.removeEventListener('resize', onScroll);
      if (frame) cancelAnimationFrame(frame);
    };
  }, [scroller, slugs, offset]);
  return current;
}
