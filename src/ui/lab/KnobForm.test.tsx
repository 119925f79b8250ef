// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import labGo from '../../../lessons/7.4-performance-and-scalability/lab.go?raw';
import { COMPILE_DEBOUNCE_MS, useLabStore } from '../../store/labStore';
import { KnobForm } from './KnobForm';

// The store loads the parser with the browser loader (wasm URLs). Under jsdom, hand the same
// two wasm files to web-tree-sitter as bytes read from node_modules.
vi.mock('../../lab-config/parser-browser', async () => {
  const { initGoParser, Parser, Language } = await import('../../lab-config/parser');
  const fsName = 'node:fs';
  const fs = (await import(/* @vite-ignore */ fsName)) as { readFileSync(p: string): Uint8Array };
  // jsdom gives modules http: URLs; the tests run from the repository root.
  const root = (globalThis as unknown as { process: { cwd(): string } }).process.cwd();
  const file = (rel: string) => `${root}/node_modules/${rel}`;
  return {
    initGoParserForBrowser: () =>
      initGoParser({
        initCore: () =>
          Parser.init({ locateFile: () => file('web-tree-sitter/web-tree-sitter.wasm') }),
        loadGo: () =>
          Language.load(
            Uint8Array.from(fs.readFileSync(file('tree-sitter-go/tree-sitter-go.wasm'))),
          ),
      }),
  };
});

beforeAll(async () => {
  useLabStore.getState().openDocument({ lessonId: 'knob-form-test', exerciseId: null }, labGo);
  await useLabStore.getState().ensureCompiled();
  expect(useLabStore.getState().compilerError).toBeNull();
});
afterEach(() => {
  cleanup();
  useLabStore.getState().replaceText(labGo, { kind: 'reset', message: '' });
});

function workers(): HTMLInputElement {
  return screen.getByRole('slider', { name: 'MaxConcurrentReconciles (workers)' });
}

describe('the knob form', () => {
  it('shows the knobs of the code with their values announced in units', () => {
    render(<KnobForm />);
    expect(workers().getAttribute('aria-valuetext')).toBe('2 workers');
    expect(
      screen
        .getByRole('slider', { name: 'Exponential backoff max delay' })
        .getAttribute('aria-valuetext'),
    ).toBe('16 minutes 40 seconds');
    expect(screen.getByRole('combobox', { name: 'controller-runtime version' })).toBeTruthy();
  });

  it('writes the value into the code when the slider commits', () => {
    render(<KnobForm />);
    const s = workers();
    fireEvent.input(s, { target: { value: '7' } }); // dragging: React's onChange, no commit
    expect(useLabStore.getState().text).toContain('MaxConcurrentReconciles: 2,');
    expect(s.getAttribute('aria-valuetext')).toBe('10 workers');
    act(() => {
      s.dispatchEvent(new Event('change', { bubbles: false })); // native change: committed
    });
    expect(useLabStore.getState().text).toContain('MaxConcurrentReconciles: 10,');
    expect(workers().getAttribute('aria-valuetext')).toBe('10 workers');
  });

  it('writes durations the way Go does', () => {
    render(<KnobForm />);
    const base = screen.getByRole('slider', { name: 'Exponential backoff base delay' });
    act(() => {
      (base as HTMLInputElement).value = '4'; // stops: 1 2 5 10 20 ms
      base.dispatchEvent(new Event('change'));
    });
    expect(useLabStore.getState().text).toContain('20*time.Millisecond');
  });

  it('follows edits of the code', () => {
    vi.useFakeTimers();
    try {
      render(<KnobForm />);
      act(() => {
        useLabStore
          .getState()
          .setText(
            useLabStore
              .getState()
              .text.replace('MaxConcurrentReconciles: 2,', 'MaxConcurrentReconciles: 16,'),
          );
        vi.advanceTimersByTime(COMPILE_DEBOUNCE_MS);
      });
      expect(workers().getAttribute('aria-valuetext')).toBe('16 workers');
    } finally {
      vi.useRealTimers();
    }
  });

  it('sets the controller-runtime version', () => {
    render(<KnobForm />);
    fireEvent.change(screen.getByRole('combobox', { name: 'controller-runtime version' }), {
      target: { value: 'v0.19' },
    });
    expect(useLabStore.getState().version).toBe('v0.19');
    expect(useLabStore.getState().lastGoodSettings?.version).toBe('v0.19');
  });

  it('switches the rate limiter kind and then offers its parameters', () => {
    render(<KnobForm />);
    const kind = screen.getByRole('combobox', { name: 'RateLimiter' }) as HTMLSelectElement;
    expect(kind.value).toBe('itemExponentialFailure');
    fireEvent.change(kind, { target: { value: 'bucket' } });
    expect(useLabStore.getState().text).toContain(
      'RateLimiter: &workqueue.TypedBucketRateLimiter[reconcile.Request]{Limiter: rate.NewLimiter(rate.Limit(10), 100)}',
    );
    expect(useLabStore.getState().lastGoodSettings?.controller.rateLimiter).toEqual({
      kind: 'bucket',
      qps: 10,
      burst: 100,
    });
    expect(kind.value).toBe('bucket');
    expect(screen.queryByRole('slider', { name: 'Exponential backoff base delay' })).toBeNull();
    const sliders = screen.getAllByRole('slider').map((el) => el.getAttribute('data-knob'));
    expect(sliders).toContain('rateLimiter.qps');
    expect(sliders).toContain('rateLimiter.burst');
  });

  it('adds a knob the code does not set', () => {
    useLabStore.getState().replaceText(labGo.replace(/\n\t*MaxConcurrentReconciles: 2,/, ''), {
      kind: 'reset',
      message: '',
    });
    render(<KnobForm />);
    expect(screen.queryByRole('slider', { name: 'MaxConcurrentReconciles (workers)' })).toBeNull();
    fireEvent.click(
      screen.getByRole('button', { name: 'Add MaxConcurrentReconciles to the code' }),
    );
    expect(useLabStore.getState().text).toContain('MaxConcurrentReconciles: 1,');
    expect(workers().getAttribute('aria-valuetext')).toBe('1 worker');
  });
});
