import { describe, expect, it } from 'vitest';
import { headingPlainText, Slugger, slugify } from './slug';

describe('slugify', () => {
  it('makes GitHub-style anchors', () => {
    expect(slugify('Rate Limiting')).toBe('rate-limiting');
    expect(slugify('Theory: Performance and Scalability')).toBe(
      'theory-performance-and-scalability',
    );
    expect(slugify('Using Controller-Runtime’s Built-in Rate Limiting')).toBe(
      'using-controller-runtimes-built-in-rate-limiting',
    );
    expect(slugify('Why Rate Limit?')).toBe('why-rate-limit');
    expect(slugify('Lesson 7.4: Performance')).toBe('lesson-74-performance');
    expect(slugify('Größe  und_Maß')).toBe('größe--und_maß');
  });
});

describe('Slugger', () => {
  it('numbers repeated slugs like GitHub does', () => {
    const s = new Slugger();
    expect(['Intro', 'Intro', 'Intro-1', 'Intro', '???'].map((t) => s.slug(t))).toEqual([
      'intro',
      'intro-1',
      'intro-1-1',
      'intro-2',
      'section',
    ]);
  });
});

describe('headingPlainText', () => {
  it('drops inline markup and keeps link text', () => {
    expect(headingPlainText('Use `client.MatchingFields` [docs](https://x) **now**')).toBe(
      'Use client.MatchingFields docs now',
    );
  });
});
