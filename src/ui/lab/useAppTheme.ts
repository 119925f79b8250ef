import { useSyncExternalStore } from 'react';

export type AppTheme = 'light' | 'dark';

/**
 * The app's theme: the `data-theme` attribute on <html> when the shell sets one ("light" or
 * "dark"), otherwise the system preference (prefers-color-scheme).
 */
export function readAppTheme(): AppTheme {
  if (typeof document === 'undefined') return 'light';
  const attr = document.documentElement.getAttribute('data-theme');
  if (attr === 'dark' || attr === 'light') return attr;
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches
    ? 'dark'
    : 'light';
}

function subscribe(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, {
    attributes: true,
    attributeFilter: ['data-theme', 'class'],
  });
  const mq = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
  mq?.addEventListener('change', onChange);
  return () => {
    observer.disconnect();
    mq?.removeEventListener('change', onChange);
  };
}

export function useAppTheme(): AppTheme {
  return useSyncExternalStore(subscribe, readAppTheme, () => 'light');
}
