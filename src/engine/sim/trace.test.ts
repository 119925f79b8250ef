import { describe, expect, it } from 'vitest';
import { MAX_TRACED_KEYS, SPANS_PER_KEY, TraceRecorder } from './trace';

describe('the why-waiting trace', () => {
  it('keeps the first MAX_TRACED_KEYS keys; a key asked about before the trace filled up is refused once it is full', () => {
    const t = new TraceRecorder();
    expect(t.traced('late')).toBe(true);
    for (let i = 0; i < MAX_TRACED_KEYS; i++) t.span(`k${i}`, 'reconcile', i, i + 1);
    // Same key again: the answer changes because the trace filled up since the last check.
    expect(t.traced('late')).toBe(false);
    expect(t.traced('k0')).toBe(true);
    expect(t.traced('late')).toBe(false);
    t.span('late', 'reconcile', 0, 1);
    expect(t.spansFor('late')).toEqual([]);
    expect(t.keys()).toHaveLength(MAX_TRACED_KEYS);
  });

  it('keeps the last SPANS_PER_KEY spans of a key, oldest first', () => {
    const t = new TraceRecorder();
    for (let i = 0; i < SPANS_PER_KEY + 3; i++) t.span('a', 'dedup', i, i + 1, `#${i}`);
    const s = t.spansFor('a');
    expect(s).toHaveLength(SPANS_PER_KEY);
    expect(s[0]).toEqual({ key: 'a', stage: 'dedup', start: 3, end: 4, detail: '#3' });
    expect(s.at(-1)!.start).toBe(SPANS_PER_KEY + 2);
  });
});
