// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadLessons } from '../content/loadLessons';
import { App } from './App';
import { useLayoutStore } from './app/layoutStore';

vi.mock('./lesson/mermaidRenderer', () => ({ renderMermaid: () => new Promise(() => undefined) }));

const good = [
  '---',
  'id: 7.4-demo',
  'module: 7',
  'order: 4',
  'title: Demo Lesson',
  'summary: A short demo.',
  '---',
  '# Lesson 7.4: Demo Lesson',
  '## Rate Limiting',
  'Text.',
].join('\n');
const loaded = loadLessons({
  '/lessons/7.4-demo/lesson.md': good,
  '/lessons/7.5-bad/lesson.md': '---\nid: 7.5-bad\nmodule: 7\norder: 5\n---\n# X\n',
});

function go(hash: string) {
  act(() => {
    window.history.replaceState(null, '', `/${hash}`);
    window.dispatchEvent(new PopStateEvent('popstate'));
  });
}

beforeEach(() => {
  // The lab pane (Monaco) is not part of these tests.
  useLayoutStore.setState({ labOpen: false, narrowTab: 'lesson' });
});
afterEach(() => {
  cleanup();
  go('');
});

describe('App', () => {
  it('lists the lessons on the home page and names files that failed to load', () => {
    go('#/');
    render(<App loaded={loaded} />);
    expect(screen.getByRole('heading', { level: 1, name: 'Reconcile Lab' })).toBeTruthy();
    const link = screen.getByRole('link', { name: /Lesson 7\.4 Demo Lesson/ });
    expect(link.getAttribute('href')).toBe('#/lesson/7.4-demo');
    expect(screen.getByText('A short demo.')).toBeTruthy();
    expect(
      screen.getByText('/lessons/7.5-bad/lesson.md: front matter field "title" is missing'),
    ).toBeTruthy();
  });

  it('opens a lesson from its route', () => {
    go('#/lesson/7.4-demo');
    render(<App loaded={loaded} />);
    expect(screen.getByRole('heading', { level: 1, name: 'Lesson 7.4: Demo Lesson' })).toBeTruthy();
    expect(document.title).toBe('Lesson 7.4: Demo Lesson · Reconcile Lab');
  });

  it('rewrites a bare #section anchor to the lesson route, scrolls to it and focuses it', () => {
    const scrolled: Element[] = [];
    // jsdom has no layout: record what would be scrolled into view.
    Element.prototype.scrollIntoView = function (this: Element) {
      scrolled.push(this);
    };
    go('#rate-limiting');
    render(<App loaded={loaded} />);
    expect(window.location.hash).toBe('#/lesson/7.4-demo/rate-limiting');
    const heading = screen.getByRole('heading', { level: 2, name: 'Rate Limiting' });
    expect(heading.id).toBe('rate-limiting');
    expect(scrolled[0]).toBe(heading);
    expect(document.activeElement).toBe(heading);
  });

  it('says so for an unknown lesson', () => {
    go('#/lesson/9.9-nope');
    render(<App loaded={loaded} />);
    expect(screen.getByText('There is no lesson with the id “9.9-nope”.')).toBeTruthy();
  });
});
