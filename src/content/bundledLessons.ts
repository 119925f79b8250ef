import { loadLessons, type LoadedLessons } from './loadLessons';

/**
 * The lessons shipped with the app, bundled by Vite at build time (no request at run time).
 * This is the only module that uses `import.meta.glob`, so everything else in src/content runs
 * in plain Node (tests, scripts).
 */
const files = import.meta.glob<string>('/lessons/*/lesson.md', {
  query: '?raw',
  import: 'default',
  eager: true,
});

export const bundledLessons: LoadedLessons = loadLessons(files);
