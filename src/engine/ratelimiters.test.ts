import { describe, expect, it } from 'vitest';
import { EventLoop } from './loop';
import { InfDuration, Limiter } from './rate';
import {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  ItemFastSlowRateLimiter,
  MaxOfRateLimiter,
  WithMaxWaitRateLimiter,
  defaultControllerRateLimiter,
  defaultItemBasedRateLimiter,
} from './ratelimiters';
import { Millisecond, Second } from './time';

const ms = Millisecond;

describe('ItemExponentialFailureRateLimiter (§2)', () => {
  it('5 ms / 1000 s: the first failure waits exactly base, doubling to 1000 s on the 19th', () => {
    const r = new ItemExponentialFailureRateLimiter<string>(5 * ms, 1000 * Second);
    const seq = Array.from({ length: 20 }, () => r.when('a'));
    expect(seq.slice(0, 18)).toEqual(
      [
        5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10240, 20480, 40960, 81920, 163840,
        327680, 655360,
      ].map((x) => x * ms),
    );
    expect(seq[18]).toBe(1000 * Second);
    expect(seq[19]).toBe(1000 * Second);
    expect(r.numRequeues('a')).toBe(20);
  });

  it('DefaultItemBased (1 ms / 1000 s): 524.288 s on the 20th failure, 1000 s from the 21st', () => {
    const r = defaultItemBasedRateLimiter<string>();
    const seq = Array.from({ length: 21 }, () => r.when('a'));
    expect(seq[0]).toBe(ms);
    expect(seq[19]).toBe(524_288 * ms);
    expect(seq[20]).toBe(1000 * Second);
  });

  it('counts per item; forget resets the backoff', () => {
    const r = new ItemExponentialFailureRateLimiter<string>(ms, Second);
    r.when('a');
    r.when('a');
    expect(r.when('b')).toBe(ms);
    expect(r.numRequeues('a')).toBe(2);
    r.forget('a');
    expect(r.numRequeues('a')).toBe(0);
    expect(r.when('a')).toBe(ms);
  });

  it('overflow: 1000 failures give the cap (TestItemExponentialFailureRateLimiterOverFlow)', () => {
    const r = new ItemExponentialFailureRateLimiter<string>(ms, 1000 * Second);
    let last = 0;
    for (let i = 0; i < 1000; i++) last = r.when('a');
    expect(last).toBe(1000 * Second);
    const r2 = new ItemExponentialFailureRateLimiter<string>(Second, 1000 * Second);
    for (let i = 0; i < 5; i++) r2.when('b');
    expect(r2.when('b')).toBe(32 * Second);
  });

  it('the 2^63 edge: base 1 ns, the 64th call returns MinInt64 (amd64), the 65th the cap', () => {
    const r = new ItemExponentialFailureRateLimiter<string>(1, 1000 * Second);
    for (let i = 0; i < 63; i++) r.when('a');
    expect(r.when('a')).toBe(-(2 ** 63));
    expect(r.when('a')).toBe(1000 * Second);
  });
});

describe('ItemFastSlowRateLimiter (§2)', () => {
  it('fast for maxFastAttempts failures, then slow; forget resets', () => {
    const r = new ItemFastSlowRateLimiter<string>(5 * ms, 10 * Second, 3);
    const seq = Array.from({ length: 5 }, () => r.when('a'));
    expect(seq).toEqual([5 * ms, 5 * ms, 5 * ms, 10 * Second, 10 * Second]);
    expect(r.numRequeues('a')).toBe(5);
    r.forget('a');
    expect(r.when('a')).toBe(5 * ms);
  });
});

describe('BucketRateLimiter (§2)', () => {
  it('one bucket shared by all items; NumRequeues 0; Forget does nothing', () => {
    const loop = new EventLoop();
    const r = new BucketRateLimiter<string>(new Limiter(10, 2), loop);
    expect([r.when('a'), r.when('b'), r.when('c'), r.when('a')]).toEqual([
      0,
      0,
      100 * ms,
      200 * ms,
    ]);
    expect(r.numRequeues('a')).toBe(0);
    r.forget('a');
    expect(r.when('d')).toBe(300 * ms);
    loop.advance(Second);
    expect(r.when('d')).toBe(0);
  });

  it('burst 0: the reservation is not OK, so When is InfDuration', () => {
    const r = new BucketRateLimiter<string>(new Limiter(10, 0), new EventLoop());
    expect(r.when('a')).toBe(InfDuration);
  });
});

describe('MaxOf and WithMaxWait (§2)', () => {
  it('MaxOf calls every limiter and returns the largest; NumRequeues is the max; Forget all', () => {
    const fastSlow = new ItemFastSlowRateLimiter<string>(5 * ms, 3 * Second, 3);
    const exp = new ItemExponentialFailureRateLimiter<string>(ms, Second);
    const r = new MaxOfRateLimiter<string>(fastSlow, exp);
    const seq = Array.from({ length: 5 }, () => r.when('one'));
    expect(seq).toEqual([5 * ms, 5 * ms, 5 * ms, 3 * Second, 3 * Second]);
    expect(exp.numRequeues('one')).toBe(5);
    expect(r.numRequeues('one')).toBe(5);
    r.forget('one');
    expect(r.numRequeues('one')).toBe(0);
    expect(r.when('one')).toBe(5 * ms);
  });

  it('WithMaxWait caps the inner delay; the other calls go to the inner limiter', () => {
    const inner = new ItemExponentialFailureRateLimiter<string>(Second, 1000 * Second);
    const r = new WithMaxWaitRateLimiter<string>(inner, 5 * Second);
    expect(Array.from({ length: 5 }, () => r.when('a'))).toEqual(
      [1, 2, 4, 5, 5].map((x) => x * Second),
    );
    expect(r.numRequeues('a')).toBe(5);
    r.forget('a');
    expect(inner.numRequeues('a')).toBe(0);
  });
});

describe('DefaultControllerRateLimiter (§2, §11.10)', () => {
  it('more than 100 failures at once spill into the shared 10 qps bucket', () => {
    const loop = new EventLoop();
    const r = defaultControllerRateLimiter<string>(loop);
    const delays = Array.from({ length: 103 }, (_, i) => r.when(`item-${i}`));
    expect(delays.slice(0, 100).every((d) => d === 5 * ms)).toBe(true);
    expect(delays.slice(100)).toEqual([100 * ms, 200 * ms, 300 * ms]);
    expect(r.lastCause).toBe('bucket');
    expect(r.when('item-0')).toBe(400 * ms);
  });

  it('reports backoff as the cause when the exponential delay dominates', () => {
    const loop = new EventLoop();
    const r = defaultControllerRateLimiter<string>(loop);
    for (let i = 0; i < 8; i++) r.when('a');
    expect(r.when('a')).toBe(1280 * ms);
    expect(r.lastCause).toBe('backoff');
  });
});
