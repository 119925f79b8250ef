/**
 * The URL scheme (hash routing, so the static build works from any folder and offline):
 *
 *   #/  (or no hash)                     home: the list of lessons
 *   #/lesson/<lesson id>                 a lesson, from the top
 *   #/lesson/<lesson id>/<section slug>  a lesson, scrolled to a section, e.g.
 *                                        #/lesson/7.4-performance-and-scalability/rate-limiting
 *   #/lesson/<lesson id>?section=<slug>  the same (query form inside the hash)
 *   ?section=<slug>#/lesson/<lesson id>  the same (page query form)
 *   #<section slug>                      a bare GitHub-style anchor such as #rate-limiting: the
 *                                        section of the current (or only) lesson that has it;
 *                                        the app rewrites it to the canonical form above
 */
export type Route =
  | { name: 'home' }
  | { name: 'lesson'; lessonId: string; section: string | undefined }
  | { name: 'anchor'; section: string }
  | { name: 'not-found'; path: string };

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function parseRoute(hash: string, search = ''): Route {
  const h = hash.replace(/^#/, '');
  if (h === '' || h === '/') return { name: 'home' };
  if (!h.startsWith('/')) return { name: 'anchor', section: decode(h) };
  const [path = '', query = ''] = h.split('?', 2);
  const parts = path.split('/').filter((p) => p !== '');
  if (parts[0] === 'lesson' && parts[1] !== undefined && parts.length <= 3) {
    const fromQuery =
      new URLSearchParams(query).get('section') ?? new URLSearchParams(search).get('section');
    const section = parts[2] !== undefined ? decode(parts[2]) : (fromQuery ?? undefined);
    return { name: 'lesson', lessonId: decode(parts[1]), section: section || undefined };
  }
  return { name: 'not-found', path: h };
}

export function formatRoute(route: Route): string {
  switch (route.name) {
    case 'home':
      return '#/';
    case 'lesson':
      return `#/lesson/${encodeURIComponent(route.lessonId)}${
        route.section ? `/${encodeURIComponent(route.section)}` : ''
      }`;
    case 'anchor':
      return `#${encodeURIComponent(route.section)}`;
    case 'not-found':
      return `#${route.path}`;
  }
}

/** Link to a section of a lesson. */
export function sectionHref(lessonId: string, section: string): string {
  return formatRoute({ name: 'lesson', lessonId, section });
}
