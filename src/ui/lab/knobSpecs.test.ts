import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Knob } from '../../lab-config/types';
import { Millisecond, Second } from '../../engine/time';
import { sliderFor, sliderKnobs, speakDuration, stopsWith } from './knobSpecs';

function knob(id: string, value: number, kind: Knob['kind'] = 'int'): Knob {
  const range = {
    startLineNumber: 1,
    startColumn: 1,
    endLineNumber: 1,
    endColumn: 2,
    startOffset: 0,
    endOffset: 1,
  };
  return { id, label: id, kind, value, range };
}

describe('knob sliders', () => {
  it("merge the text's own value into the stops, sorted", () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { minLength: 1 }), fc.integer(), (raw, v) => {
        const stops = [...new Set(raw)].sort((a, b) => a - b);
        const out = stopsWith(stops, v);
        expect(out).toContain(v);
        expect([...out].sort((a, b) => a - b)).toEqual(out);
        expect(new Set(out).size).toBe(out.length);
      }),
    );
  });

  it('announce values with units', () => {
    expect(sliderFor('maxConcurrentReconciles')?.speak(1)).toBe('1 worker');
    expect(sliderFor('maxConcurrentReconciles')?.speak(10)).toBe('10 workers');
    expect(sliderFor('rateLimiter.baseDelay')?.speak(5 * Millisecond)).toBe('5 milliseconds');
    expect(sliderFor('rateLimiter.maxDelay')?.speak(1000 * Second)).toBe('16 minutes 40 seconds');
    expect(sliderFor('rateLimiter.maxDelay')?.show(1000 * Second)).toBe('16m40s');
    expect(sliderFor('client.qps')?.speak(-1)).toBe('off: no client-side limit');
    expect(sliderFor('apiLimiter.limit')?.show(Infinity)).toBe('rate.Inf');
    expect(sliderFor('apiLimiter.limit')?.speak(0.5)).toBe('0.5 per second');
  });

  it('speak durations the way people say them', () => {
    expect(speakDuration(0)).toBe('0 seconds');
    expect(speakDuration(1500 * Millisecond)).toBe('1.5 seconds');
    expect(speakDuration(-2 * Second)).toBe('minus 2 seconds');
  });

  it('cover nested rate limiters (MaxOf, WithMaxWait) by their last path element', () => {
    expect(sliderFor('rateLimiter.limiters[1].qps')?.group).toBe('rateLimiter');
    expect(sliderFor('rateLimiter.limiter.baseDelay')?.speak(Millisecond)).toBe('1 millisecond');
    expect(sliderFor('manager.syncPeriod')).toBeUndefined();
  });

  it('are ordered controller, rate limiter, client, apiLimiter, manager', () => {
    const ks = [
      knob('replicas', 1),
      knob('apiLimiter.limit', 10, 'float'),
      knob('client.qps', 20, 'float'),
      knob('rateLimiter.baseDelay', 5 * Millisecond, 'duration'),
      knob('maxConcurrentReconciles', 2),
      { ...knob('manager.leaderElection', 0, 'bool'), value: true },
    ];
    expect(sliderKnobs(ks).map((s) => s.knob.id)).toEqual([
      'maxConcurrentReconciles',
      'rateLimiter.baseDelay',
      'client.qps',
      'apiLimiter.limit',
      'replicas',
    ]);
  });
});
