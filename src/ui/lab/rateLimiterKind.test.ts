import { beforeAll, describe, expect, it } from 'vitest';
import labGo from '../../../lessons/7.4-performance-and-scalability/lab.go?raw';
import { initGoParserForNode } from '../../lab-config/parser-node';
import { compileLabText } from '../../lab-config/compile';
import { applyRangeEdit } from '../../store/labStore';
import { LIMITER_CHOICES, rateLimiterEdit, type LimiterKind } from './rateLimiterKind';

beforeAll(async () => {
  await initGoParserForNode();
});

function switchTo(text: string, kind: LimiterKind): string {
  const e = rateLimiterEdit(text, kind);
  if (!e) throw new Error(`no edit for ${kind}`);
  return applyRangeEdit(text, e.range, e.text);
}

function compiled(text: string) {
  const r = compileLabText(text, { version: 'v0.23' });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.settings!.controller.rateLimiter;
}

describe('choosing the rate limiter kind in the form', () => {
  it.each(LIMITER_CHOICES.map((c) => c.kind))('writes code that compiles to %s', (kind) => {
    const spec = compiled(switchTo(labGo, kind));
    expect(spec.kind).toBe(kind);
  });

  it('removes the option (and its comment) for the version default, and adds it back', () => {
    const none = switchTo(labGo, 'default');
    expect(none).not.toContain('RateLimiter:');
    expect(none).not.toMatch(/\/\/.*RateLimiter controls/);
    expect(compiled(none).kind).toBe('default');
    expect(rateLimiterEdit(none, 'default')).toBeUndefined();

    const back = switchTo(none, 'itemExponentialFailure');
    expect(compiled(back)).toEqual({
      kind: 'itemExponentialFailure',
      baseDelay: 5_000_000,
      maxDelay: 1_000_000_000_000,
    });
  });

  it('replaces exactly the RateLimiter value, nothing around it', () => {
    const e = rateLimiterEdit(labGo, 'bucket')!;
    const old = labGo.slice(e.range.startOffset, e.range.endOffset);
    expect(
      old.startsWith('workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request]('),
    ).toBe(true);
    expect(old.endsWith(')')).toBe(true);
    expect(labGo.slice(e.range.startOffset - 'RateLimiter: '.length, e.range.startOffset)).toBe(
      'RateLimiter: ',
    );
    const r = compileLabText(switchTo(labGo, 'bucket'), { version: 'v0.23' });
    expect(r.settings?.controller.maxConcurrentReconciles).toBe(2);
    expect(r.settings?.controller.rateLimiter).toEqual({ kind: 'bucket', qps: 10, burst: 100 });
  });

  it('does nothing when the code has no controller.Options', () => {
    expect(rateLimiterEdit('package x\n', 'bucket')).toBeUndefined();
  });
});
