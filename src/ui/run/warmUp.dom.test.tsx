// @vitest-environment jsdom
import { cleanup, render, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// recharts' ResponsiveContainer observes its size; jsdom has no ResizeObserver.
class NoResize {
  observe() {}
  unobserve() {}
  disconnect() {}
}

/** A fresh copy of the modules (the warm-up runs once per page: once per module instance). */
async function load() {
  vi.resetModules();
  const warm = await import('./warmUp');
  const store = await import('../../store/runStore');
  const hooks = await import('./testHooks');
  return { ...warm, ...store, ...hooks };
}

beforeEach(() => {
  vi.stubGlobal('ResizeObserver', NoResize);
  delete window.__reconcileLab;
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('ChartWarmUp', () => {
  it('draws its hidden chart step by step in idle time, then removes it', async () => {
    const { ChartWarmUp, hooks } = await load();
    let seen = 0;
    let hidden = true;
    const mo = new MutationObserver(() => {
      const el = document.querySelector('.rp-warmup');
      if (!el) return;
      seen++;
      // Kept from assistive technology and from the keyboard.
      hidden &&= el.getAttribute('aria-hidden') === 'true' && el.hasAttribute('inert');
    });
    mo.observe(document.body, { childList: true, subtree: true });
    render(<ChartWarmUp />);
    // Nothing is drawn in the task that mounted it.
    expect(document.querySelector('.rp-warmup')).toBeNull();
    await waitFor(() => expect(hooks().warmUpSteps?.length).toBe(7), { timeout: 8000 });
    mo.disconnect();
    expect(seen).toBeGreaterThan(0);
    expect(hidden).toBe(true);
    expect(document.querySelector('.rp-warmup')).toBeNull();
  }, 10_000);

  it('draws nothing once a run has started', async () => {
    const { ChartWarmUp, hooks, useRunStore } = await load();
    useRunStore.setState({ status: 'running' });
    render(<ChartWarmUp />);
    await new Promise((r) => setTimeout(r, 600));
    expect(hooks().warmUpSteps).toBeUndefined();
    expect(document.querySelector('.rp-warmup')).toBeNull();
  });

  it('ends when a run starts between two steps', async () => {
    const { ChartWarmUp, hooks, useRunStore } = await load();
    render(<ChartWarmUp />);
    await waitFor(() => expect(hooks().warmUpSteps?.length ?? 0).toBeGreaterThan(0), {
      timeout: 4000,
    });
    useRunStore.setState({ status: 'running' });
    const drawn = hooks().warmUpSteps!.length;
    await new Promise((r) => setTimeout(r, 800));
    // At most the step already on its way is drawn; then the chart is removed.
    expect(hooks().warmUpSteps!.length).toBeLessThanOrEqual(drawn + 1);
    expect(hooks().warmUpSteps!.length).toBeLessThan(7);
    await waitFor(() => expect(document.querySelector('.rp-warmup')).toBeNull());
  });
});
