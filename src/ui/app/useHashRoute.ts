import { useMemo, useSyncExternalStore } from 'react';
import { parseRoute, type Route } from './routes';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  window.addEventListener('popstate', onChange);
  return () => {
    window.removeEventListener('hashchange', onChange);
    window.removeEventListener('popstate', onChange);
  };
}

const SEP = '\u0000';
const snapshot = () => `${window.location.search}${SEP}${window.location.hash}`;

/** The current route (see routes.ts), updated on every hash change. */
export function useHashRoute(): Route {
  const key = useSyncExternalStore(subscribe, snapshot, () => SEP);
  return useMemo(() => {
    const [search = '', hash = ''] = key.split(SEP);
    return parseRoute(hash, search);
  }, [key]);
}

/** Replaces the URL's hash without a new history entry (and tells subscribers). */
export function replaceHash(hash: string): void {
  const url = `${window.location.pathname}${window.location.search}${hash}`;
  window.history.replaceState(window.history.state, '', url);
  window.dispatchEvent(new PopStateEvent('popstate'));
}
