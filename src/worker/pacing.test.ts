import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Hour, Millisecond, Minute, Second } from '../engine/time';
import { MAX_LAG_WALL_MS, MAX_SAMPLES, Pacer, sampleEveryFor } from './pacing';

describe('Pacer', () => {
  it('at 10× reaches 1 virtual second after 100 wall milliseconds', () => {
    const p = new Pacer(10);
    p.anchor(1000, 0);
    expect(p.target(1100, 0)).toBe(Second);
  });

  it('at 0.1× advances 100 ms of virtual time per wall second', () => {
    const p = new Pacer(0.1);
    p.anchor(0, 5 * Second);
    let virt = 5 * Second;
    for (let wall = 100; wall <= 1000; wall += 100) virt = p.target(wall, virt);
    expect(virt).toBe(5 * Second + 100 * Millisecond);
  });

  it('"as fast as possible" has no target bound', () => {
    expect(new Pacer('max').target(0, 0)).toBe(Infinity);
  });

  it('re-anchors on a speed change so the clock never jumps', () => {
    const p = new Pacer(1);
    p.anchor(0, 0);
    expect(p.target(100, 0)).toBe(100 * Millisecond);
    p.setSpeed(100, 100, 100 * Millisecond);
    expect(p.target(100, 100 * Millisecond)).toBe(100 * Millisecond);
    expect(p.target(110, 100 * Millisecond)).toBe(100 * Millisecond + Second);
  });

  it('bounds the lead when the simulation falls behind, and says so', () => {
    const p = new Pacer(1000);
    p.anchor(0, 0);
    // 10 s of wall at 1000× would be 10,000 s; the sim is still at 0.
    const t = p.target(10_000, 0);
    expect(t).toBe(MAX_LAG_WALL_MS * 1000 * Millisecond);
    expect(p.behind).toBe(true);
  });

  it('never targets a time before the simulation (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0.1, 0.5, 1, 10, 100, 1000),
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 0, max: 1e12 }),
        (speed, wall, virt) => {
          const p = new Pacer(speed);
          p.anchor(0, 0);
          expect(p.target(wall, virt)).toBeGreaterThanOrEqual(virt);
        },
      ),
    );
  });
});

describe('sampleEveryFor', () => {
  it('samples every second for lesson-sized runs', () => {
    expect(sampleEveryFor(3 * Minute)).toBe(Second);
  });
  it('keeps long runs under the sample cap with whole-second intervals', () => {
    expect(sampleEveryFor(Hour)).toBe(5 * Second);
    for (const d of [Hour, 6 * Hour, 24 * Hour, 100 * Hour]) {
      const e = sampleEveryFor(d);
      expect(d / e).toBeLessThanOrEqual(MAX_SAMPLES);
      expect(e % Second).toBe(0);
    }
  });
});
