import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Inf, InfDuration, Limiter, every, durationSeconds } from './rate';
import { TokenBucketRateLimiter } from './flowcontrol';
import { Millisecond, Second } from './time';

const d = 100 * Millisecond; // one token at 10/s
const t0 = 5 * Second;
const t = (k: number) => t0 + k * d;

/** runReserve from x/time's rate_test.go: reserve n at `at`, expect act time and ok. */
function reserve(lim: Limiter, at: number, n: number, act: number, ok: boolean, max?: number) {
  const r = lim.reserveN(at, n, max);
  expect(r.ok).toBe(ok);
  if (ok) expect(r.timeToAct).toBe(act);
  return r;
}

describe('rate.Limiter basics (x/time rate.go, §3)', () => {
  it('starts full: burst events are allowed at once, then one per 1/limit', () => {
    const lim = new Limiter(10, 3);
    expect([1, 2, 3, 4].map(() => lim.allowN(t0, 1))).toEqual([true, true, true, false]);
    expect(lim.allowN(t0 + 99 * Millisecond, 1)).toBe(false);
    expect(lim.allowN(t0 + 100 * Millisecond, 1)).toBe(true);
  });

  it('truncates delays to whole nanoseconds: 1 token at 3/s waits 333333333 ns', () => {
    const lim = new Limiter(3, 1);
    expect(lim.allowN(0, 1)).toBe(true);
    expect(lim.reserveN(0, 1).delayFrom(0)).toBe(333_333_333);
  });

  it('every(d) is 1/d.Seconds() and Inf for d <= 0', () => {
    expect(every(200 * Millisecond)).toBe(5);
    expect(every(0)).toBe(Inf);
    expect(every(-1)).toBe(Inf);
    expect(durationSeconds(1_500_000_001)).toBe(1.500000001);
  });

  it('reservations drive tokens negative and the debt is repaid over time', () => {
    const lim = new Limiter(10, 2);
    expect(lim.reserveN(t0, 2).delayFrom(t0)).toBe(0);
    expect(lim.reserveN(t0, 2).delayFrom(t0)).toBe(200 * Millisecond);
    expect(lim.tokensAt(t0)).toBe(-2);
    expect(lim.tokensAt(t(1))).toBeCloseTo(-1, 12);
    expect(lim.tokensAt(t(2))).toBeCloseTo(0, 12);
    expect(lim.tokensAt(t(3))).toBeCloseTo(1, 12);
    expect(lim.allowN(t(1), 1)).toBe(false);
  });

  it('allowN(n=0) succeeds unless the bucket is in debt', () => {
    const lim = new Limiter(10, 1);
    expect(lim.allowN(t0, 0)).toBe(true);
    lim.reserveN(t0, 1);
    lim.reserveN(t0, 1);
    expect(lim.allowN(t0, 0)).toBe(false);
  });

  it('a failed reservation changes nothing', () => {
    const lim = new Limiter(10, 2);
    reserve(lim, t0, 2, t0, true);
    reserve(lim, t0, 1, 0, false, 50 * Millisecond);
    expect(lim.tokensAt(t0)).toBe(0);
    reserve(lim, t0, 3, 0, false);
    reserve(lim, t0, 1, t(1), true);
  });

  it('a clock that jumps backwards adds no tokens and takes none away', () => {
    const lim = new Limiter(10, 5);
    lim.allowN(t(10), 5);
    expect(lim.tokensAt(t(5))).toBe(0);
    expect(lim.allowN(t(5), 1)).toBe(false);
    expect(lim.tokensAt(t(11))).toBeCloseTo(1, 12);
  });
});

describe('rate.Limiter special cases (§3)', () => {
  it('limit Inf allows any n immediately, even with burst 0, without state change', () => {
    const lim = new Limiter(Inf, 0);
    expect(lim.limit()).toBe(Infinity);
    expect(lim.allowN(t0, 1000)).toBe(true);
    const r = lim.reserveN(t0, 5);
    expect(r.ok).toBe(true);
    expect(r.delayFrom(t0)).toBe(0);
    expect(lim.waitN(t0, 7)).toEqual({ delay: 0, err: null, reservation: expect.anything() });
    expect(new Limiter(Number.MAX_VALUE, 0).limit()).toBe(Inf);
  });

  it('burst 0 with a finite limit: nothing allowed, Reserve not OK (InfDuration), Wait errors', () => {
    const lim = new Limiter(10, 0);
    expect(lim.allowN(t0, 1)).toBe(false);
    const r = lim.reserveN(t0, 1);
    expect(r.ok).toBe(false);
    expect(r.delayFrom(t0)).toBe(InfDuration);
    expect(lim.waitN(t0, 1).err).toBe("rate: Wait(n=1) exceeds limiter's burst 0");
  });

  it('limit 0 (v0.7.0+): exactly burst events, then Reserve is OK with InfDuration; SetLimit refills', () => {
    const lim = new Limiter(0, 3);
    expect([1, 2, 3, 4].map(() => lim.allowN(t0, 1))).toEqual([true, true, true, false]);
    expect(lim.allowN(t0 + 1000 * Second, 1)).toBe(false);
    const r = lim.reserveN(t0, 1);
    expect(r.ok).toBe(true);
    expect(r.delayFrom(t0)).toBe(InfDuration);
    expect(lim.burst()).toBe(3);
    const lim2 = new Limiter(0, 1);
    expect(lim2.allowN(t0, 1)).toBe(true);
    lim2.setLimitAt(t0, 10);
    expect(lim2.allowN(t0, 1)).toBe(false);
    expect(lim2.allowN(t(1), 1)).toBe(true);
  });

  it('limit 0 in x/time v0.3.0 spends the burst itself and stays shut after SetLimit', () => {
    const lim = new Limiter(0, 3, { xtime: 'v0.3.0' });
    expect([1, 2, 3].map(() => lim.allowN(t0, 1))).toEqual([true, true, true]);
    expect(lim.burst()).toBe(0);
    lim.setLimitAt(t0, 10);
    expect(lim.allowN(t0 + 10 * Second, 1)).toBe(false);
  });

  it('x/time v0.3.0 fills lazily from the zero time: a tiny limit gives less than one token', () => {
    expect(new Limiter(1e-10, 1, { xtime: 'v0.3.0' }).allowN(t0, 1)).toBe(false);
    expect(new Limiter(1e-10, 1).allowN(t0, 1)).toBe(true);
    expect(new Limiter(10, 4, { xtime: 'v0.3.0' }).tokensAt(0)).toBe(4);
  });

  it('durationFromTokens overflow: capped to InfDuration (master), wraps to no wait (v0.9.0)', () => {
    const capped = new Limiter(1e-12, 1);
    capped.allowN(t0, 1);
    expect(capped.reserveN(t0, 1).delayFrom(t0)).toBe(InfDuration);
    const wrapped = new Limiter(1e-12, 1, { xtime: 'v0.9.0' });
    wrapped.allowN(t0, 1);
    const r = wrapped.reserveN(t0, 1);
    expect(r.ok).toBe(true);
    expect(r.delayFrom(t0)).toBe(0);
  });
});

describe('rate.Limiter WaitN (§3)', () => {
  it('checks the burst before the context, with the exact text', () => {
    const lim = new Limiter(10, 2);
    expect(lim.waitN(t0, 3, { cancelled: true }).err).toBe(
      "rate: Wait(n=3) exceeds limiter's burst 2",
    );
  });

  it('returns ctx.Err() for a done context', () => {
    const lim = new Limiter(10, 2);
    expect(lim.waitN(t0, 1, { cancelled: true }).err).toBe('context canceled');
    expect(lim.waitN(t0, 1, { deadline: t0 }).err).toBe('context deadline exceeded');
    expect(lim.tokensAt(t0)).toBe(2);
  });

  it('fails at once without consuming tokens when the wait would pass the deadline', () => {
    const lim = new Limiter(10, 1);
    expect(lim.waitN(t0, 1)).toMatchObject({ delay: 0, err: null });
    expect(lim.waitN(t0, 1, { deadline: t0 + 50 * Millisecond })).toEqual({
      delay: 0,
      err: 'rate: Wait(n=1) would exceed context deadline',
    });
    expect(lim.tokensAt(t0)).toBe(0);
    expect(lim.waitN(t0, 1, { deadline: t(1) })).toMatchObject({ delay: d, err: null });
  });

  it('cancelling the reservation of an interrupted wait restores the tokens', () => {
    const lim = new Limiter(10, 1);
    lim.waitN(t0, 1);
    const w = lim.waitN(t0, 1);
    expect(w.delay).toBe(d);
    w.reservation!.cancelAt(t0 + 10 * Millisecond);
    expect(lim.tokensAt(t0 + 10 * Millisecond)).toBeCloseTo(0.1, 12);
  });
});

describe('Reservation.CancelAt (x/time TestCancel*)', () => {
  it('TestCancelInvalid: cancelling a failed reservation has no effect', () => {
    const lim = new Limiter(10, 2);
    reserve(lim, t0, 2, t0, true);
    const r = reserve(lim, t0, 3, t(3), false);
    r.cancelAt(t0);
    reserve(lim, t0, 2, t(2), true);
  });

  it('TestCancelLast: the latest reservation gets all tokens back', () => {
    const lim = new Limiter(10, 2);
    reserve(lim, t0, 2, t0, true);
    const r = reserve(lim, t0, 2, t(2), true);
    r.cancelAt(t(1));
    reserve(lim, t(1), 2, t(2), true);
  });

  it('TestCancelTooLate: cancelling after timeToAct has no effect', () => {
    const lim = new Limiter(10, 2);
    reserve(lim, t0, 2, t0, true);
    const r = reserve(lim, t0, 2, t(2), true);
    r.cancelAt(t(3));
    reserve(lim, t(3), 2, t(4), true);
  });

  it('TestCancel0Tokens: tokens reserved later are not restored', () => {
    const lim = new Limiter(10, 2);
    reserve(lim, t0, 2, t0, true);
    const r = reserve(lim, t0, 1, t(1), true, 2 * d);
    reserve(lim, t0, 1, t(2), true);
    r.cancelAt(t0);
    reserve(lim, t0, 1, t(3), true);
  });

  it('TestCancel1Token', () => {
    const lim = new Limiter(10, 2);
    reserve(lim, t0, 2, t0, true);
    const r = reserve(lim, t0, 2, t(2), true);
    reserve(lim, t0, 1, t(3), true);
    r.cancelAt(t(2));
    reserve(lim, t(2), 2, t(4), true);
  });

  it('TestCancelMulti', () => {
    const lim = new Limiter(10, 4);
    reserve(lim, t0, 4, t0, true);
    const rA = reserve(lim, t0, 3, t(3), true);
    reserve(lim, t0, 1, t(4), true);
    const rC = reserve(lim, t0, 1, t(5), true);
    rC.cancelAt(t(1));
    rA.cancelAt(t(1));
    reserve(lim, t(1), 3, t(5), true);
  });

  it('cancel is a no-op under Inf and for n = 0', () => {
    const lim = new Limiter(Inf, 1);
    lim.reserveN(t0, 1).cancelAt(t0);
    const l2 = new Limiter(10, 1);
    l2.allowN(t0, 1);
    l2.reserveN(t0, 0).cancelAt(t0);
    expect(l2.tokensAt(t0)).toBe(0);
  });
});

describe('SetLimitAt / SetBurstAt (§3)', () => {
  it('settle the bucket under the old parameters first; old reservations are not re-timed', () => {
    const lim = new Limiter(10, 2);
    lim.allowN(t0, 2);
    const r = lim.reserveN(t0, 1);
    expect(r.timeToAct).toBe(t(1));
    lim.setLimitAt(t(1), 1);
    expect(r.timeToAct).toBe(t(1));
    expect(lim.tokensAt(t(1))).toBeCloseTo(0, 12);
    expect(lim.reserveN(t(1), 1).delayFrom(t(1))).toBe(Second);
    lim.setBurstAt(t(20), 1);
    expect(lim.burst()).toBe(1);
    expect(lim.tokensAt(t(40))).toBe(1);
  });
});

describe('rate.Limiter properties', () => {
  it('tokens never exceed burst, whatever the sequence of operations', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 1000, noNaN: true }),
        fc.integer({ min: 0, max: 20 }),
        fc.array(
          fc.record({
            dt: fc.integer({ min: 0, max: 2 * Second }),
            op: fc.constantFrom('allow', 'reserve', 'cancel', 'wait', 'setLimit', 'setBurst'),
            n: fc.integer({ min: 0, max: 25 }),
          }),
          { maxLength: 60 },
        ),
        (limit, burst, ops) => {
          const lim = new Limiter(limit, burst);
          let now = 0;
          const rs: ReturnType<Limiter['reserveN']>[] = [];
          for (const o of ops) {
            now += o.dt;
            if (o.op === 'allow') lim.allowN(now, o.n);
            else if (o.op === 'reserve') rs.push(lim.reserveN(now, o.n));
            else if (o.op === 'cancel') rs.pop()?.cancelAt(now);
            else if (o.op === 'wait') lim.waitN(now, o.n, { deadline: now + o.dt });
            else if (o.op === 'setLimit') lim.setLimitAt(now, o.n);
            else lim.setBurstAt(now, o.n);
            expect(lim.tokensAt(now)).toBeLessThanOrEqual(lim.burst());
            expect(lim.tokensAt(now + 10 * Second)).toBeLessThanOrEqual(lim.burst());
          }
        },
      ),
    );
  });
});

describe('client-go flowcontrol token bucket (§3, §6)', () => {
  const clockAt = (t: number) => ({ now: () => t });

  it('5/10: ten immediate requests, then one every 200 ms', () => {
    const clock = {
      t: 0,
      now() {
        return this.t;
      },
    };
    const tb = new TokenBucketRateLimiter(5, 10, clock);
    const waits: number[] = [];
    for (let i = 0; i < 13; i++) waits.push(tb.accept());
    expect(waits.slice(0, 10)).toEqual(Array(10).fill(0));
    expect(waits.slice(10)).toEqual([200, 400, 600].map((x) => x * Millisecond));
  });

  it('20/30: thirty immediate requests, then one every 50 ms', () => {
    const tb = new TokenBucketRateLimiter(20, 30, clockAt(0));
    for (let i = 0; i < 30; i++) expect(tb.tryAccept()).toBe(true);
    expect(tb.tryAccept()).toBe(false);
    expect(tb.accept()).toBe(50 * Millisecond);
    expect(tb.reserveAt(0)).toBe(100 * Millisecond);
  });

  it('QPS is a float32 like rest.Config.QPS', () => {
    const tb = new TokenBucketRateLimiter(0.1, 1, clockAt(0));
    expect(tb.qps()).toBe(0.10000000149011612);
    expect(tb.limiter.limit()).toBe(0.10000000149011612);
    tb.accept();
    expect(tb.accept()).toBe(9_999_999_850);
  });
});
