import { createContext } from 'react';

/**
 * The element the lesson scrolls in (the lesson pane), for IntersectionObserver roots: with the
 * implicit (viewport) root, a root margin cannot reach past the pane's own clipping.
 */
export const ScrollRootContext = createContext<Element | null>(null);
