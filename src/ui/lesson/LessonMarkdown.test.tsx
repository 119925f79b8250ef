// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseLesson } from '../../content/parseLesson';
import { useLessonStore } from '../../store/lessonStore';
import { useLayoutStore } from '../app/layoutStore';
import { LessonMarkdown } from './LessonMarkdown';
import { renderMermaid } from './mermaidRenderer';

vi.mock('./mermaidRenderer', () => ({ renderMermaid: vi.fn() }));
const render_ = vi.mocked(renderMermaid);

const lesson = parseLesson(
  '/lessons/1.1-demo/lesson.md',
  [
    '---',
    'id: 1.1-demo',
    'module: 1',
    'order: 1',
    'title: Demo',
    '---',
    '# Demo lesson',
    '',
    '## Rate Limiting',
    '',
    'Text with <b>raw html</b> and a [link](#rate-limiting).',
    '',
    '```mermaid',
    'graph TB',
    '    A[Start] --> B[End]',
    '```',
    '',
    '### Code',
    '',
    '```go',
    'func main() {}',
    '```',
  ].join('\n'),
);

beforeEach(() => {
  render_.mockReset();
  useLessonStore.setState({ tryInLab: null });
  useLayoutStore.setState({ labOpen: false, narrowTab: 'lesson' });
});
afterEach(cleanup);

describe('LessonMarkdown', () => {
  it('gives headings the loader slugs as ids and rewrites in-page links to routes', () => {
    render_.mockReturnValue(new Promise(() => undefined));
    render(<LessonMarkdown lesson={lesson} />);
    expect(screen.getByRole('heading', { level: 2, name: 'Rate Limiting' }).id).toBe(
      'rate-limiting',
    );
    expect(screen.getByRole('heading', { level: 3, name: 'Code' }).id).toBe('code');
    expect(screen.getByRole('link', { name: 'link' }).getAttribute('href')).toBe(
      '#/lesson/1.1-demo/rate-limiting',
    );
  });

  it('never renders raw HTML from the lesson', () => {
    render_.mockReturnValue(new Promise(() => undefined));
    const { container } = render(<LessonMarkdown lesson={lesson} />);
    expect(container.querySelector('b')).toBeNull();
  });

  it('renders a diagram as a named figure with the SVG Mermaid produced', async () => {
    render_.mockResolvedValue({
      svg: '<svg id="m1" viewBox="0 0 100 50" role="graphics-document document"><text>Start</text></svg>',
      svgId: 'm1',
    });
    render(<LessonMarkdown lesson={lesson} />);
    const figure = screen.getByRole('figure', { name: 'Diagram: Rate Limiting' });
    await waitFor(() =>
      expect(within(figure).getByRole('img', { name: 'Rate Limiting' })).toBeTruthy(),
    );
    expect(render_).toHaveBeenCalledWith('graph TB\n    A[Start] --> B[End]', 'light');
    fireEvent.click(within(figure).getByRole('button', { name: 'Text version' }));
    expect(
      within(figure).getByText((_, el) => el?.tagName === 'LI' && el.textContent === 'Start → End'),
    ).toBeTruthy();
  });

  it('shows a diagram that fails to render as its error and source, and keeps the rest', async () => {
    render_.mockRejectedValue(new Error('Parse error on line 2'));
    render(<LessonMarkdown lesson={lesson} />);
    await waitFor(() => expect(screen.getByText(/Parse error on line 2/)).toBeTruthy());
    expect(screen.getByText('This diagram could not be drawn.')).toBeTruthy();
    expect(screen.getByLabelText('Diagram source').textContent).toContain('A[Start] --> B[End]');
    expect(screen.getByRole('heading', { name: 'Code' })).toBeTruthy();
    expect(screen.getByRole('button', { name: /^Copy/ })).toBeTruthy();
  });

  it('highlights Go code and hands it to the lab with its block id', async () => {
    render_.mockReturnValue(new Promise(() => undefined));
    const { container } = render(<LessonMarkdown lesson={lesson} />);
    await waitFor(
      () => expect(container.querySelector('pre[data-highlighted="true"]')).not.toBeNull(),
      { timeout: 15000 },
    );
    expect(
      container.querySelector('pre[data-highlighted="true"] .token.keyword')?.textContent,
    ).toBe('func');
    fireEvent.click(screen.getByRole('button', { name: /^Try in lab/ }));
    expect(useLessonStore.getState().tryInLab).toMatchObject({
      code: 'func main() {}',
      blockId: '1.1-demo#go-1',
    });
    expect(useLayoutStore.getState()).toMatchObject({ labOpen: true, narrowTab: 'lab' });
    expect(screen.getByRole('status').textContent).toBe('Sent to the lab editor');
  });
});
