import { describe, expect, it } from 'vitest';
import { formatRoute, parseRoute, sectionHref } from './routes';

const ID = '7.4-performance-and-scalability';

describe('parseRoute', () => {
  it('reads home, lesson and section routes', () => {
    expect(parseRoute('')).toEqual({ name: 'home' });
    expect(parseRoute('#/')).toEqual({ name: 'home' });
    expect(parseRoute(`#/lesson/${ID}`)).toEqual({
      name: 'lesson',
      lessonId: ID,
      section: undefined,
    });
    expect(parseRoute(`#/lesson/${ID}/rate-limiting`)).toEqual({
      name: 'lesson',
      lessonId: ID,
      section: 'rate-limiting',
    });
  });

  it('reads the ?section= forms', () => {
    expect(parseRoute(`#/lesson/${ID}?section=caching-strategies`)).toMatchObject({
      section: 'caching-strategies',
    });
    expect(parseRoute(`#/lesson/${ID}`, '?section=key-metrics')).toMatchObject({
      section: 'key-metrics',
    });
  });

  it('treats a bare hash as a section anchor', () => {
    expect(parseRoute('#rate-limiting')).toEqual({ name: 'anchor', section: 'rate-limiting' });
  });

  it('decodes percent-encoding and survives malformed encoding', () => {
    expect(parseRoute('#/lesson/a%2Eb/gr%C3%B6%C3%9Fe')).toMatchObject({
      lessonId: 'a.b',
      section: 'größe',
    });
    expect(parseRoute('#/lesson/x/%E0%A4%A')).toMatchObject({ section: '%E0%A4%A' });
  });

  it('reports unknown paths', () => {
    expect(parseRoute('#/nope')).toEqual({ name: 'not-found', path: '/nope' });
    expect(parseRoute('#/lesson/a/b/c')).toEqual({ name: 'not-found', path: '/lesson/a/b/c' });
  });
});

describe('formatRoute', () => {
  it('round-trips through parseRoute', () => {
    for (const hash of ['#/', `#/lesson/${ID}`, sectionHref(ID, 'rate-limiting'), '#key-metrics']) {
      expect(formatRoute(parseRoute(hash))).toBe(hash);
    }
  });
});
