// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Heading } from '../../content';
import { TableOfContents } from './TableOfContents';

afterEach(cleanup);

const toc: Heading[] = [
  { depth: 2, text: 'Rate Limiting', slug: 'rate-limiting', line: 3 },
  { depth: 3, text: 'Why Rate Limit?', slug: 'why-rate-limit', line: 5 },
];

describe('TableOfContents', () => {
  it('links each section, marks the current one, and toggles read markers', () => {
    const onToggleRead = vi.fn();
    render(
      <TableOfContents
        lessonId="7.4-x"
        toc={toc}
        current="why-rate-limit"
        read={new Set(['rate-limiting'])}
        onToggleRead={onToggleRead}
      />,
    );
    expect(screen.getByRole('link', { name: 'Rate Limiting' }).getAttribute('href')).toBe(
      '#/lesson/7.4-x/rate-limiting',
    );
    expect(screen.getByRole('link', { name: 'Why Rate Limit?' }).getAttribute('aria-current')).toBe(
      'location',
    );
    expect(screen.getByText('1 of 2 sections read')).toBeTruthy();
    const read = screen.getByRole('button', { name: 'Read: Rate Limiting' });
    expect(read.getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(read);
    expect(onToggleRead).toHaveBeenCalledWith('rate-limiting', false);
    fireEvent.click(screen.getByRole('button', { name: 'Read: Why Rate Limit?' }));
    expect(onToggleRead).toHaveBeenCalledWith('why-rate-limit', true);
  });
});
