// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorBoundary } from './ErrorBoundary';

afterEach(cleanup);

function Broken(): never {
  throw new Error('layout exploded');
}

describe('ErrorBoundary', () => {
  it('replaces a child that throws with the fallback and leaves its siblings alone', () => {
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    render(
      <div>
        <p>Before</p>
        <ErrorBoundary fallback={(e) => <p>Failed: {e.message}</p>}>
          <Broken />
        </ErrorBoundary>
        <p>After</p>
      </div>,
    );
    expect(screen.getByText('Failed: layout exploded')).toBeTruthy();
    expect(screen.getByText('Before')).toBeTruthy();
    expect(screen.getByText('After')).toBeTruthy();
    quiet.mockRestore();
  });
});
