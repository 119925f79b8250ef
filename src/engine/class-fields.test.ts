import { describe, expect, it } from 'vitest';

/**
 * The engine is compiled with assignment semantics for class fields
 * (`useDefineForClassFields: false` in tsconfig.app.json, read by vite, vitest and the bench
 * bundler). With define semantics a field declared without an initializer is first defined as
 * `undefined`, and V8 then keeps a numeric field tagged, boxing every number stored in it
 * that is not a small integer (nanosecond times past 2.1 s, fractions): README, Performance.
 */
describe('class fields', () => {
  class Clocked {
    last: number;
    later: number | undefined;
    constructor(now: number) {
      this.last = now;
    }
  }

  it('a field declared without an initializer is created by its first assignment', () => {
    const c = new Clocked(5_000_000_000.5);
    expect(Object.keys(c)).toEqual(['last']);
    expect('later' in c).toBe(false);
    c.later = 1.5;
    expect(Object.keys(c)).toEqual(['last', 'later']);
  });
});
