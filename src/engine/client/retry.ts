/**
 * k8s.io/client-go/util/retry and the wait.Backoff it uses (apiserver-and-scale.md §2.3,
 * §10.4): RetryOnConflict re-runs a closure (which must re-GET) only while it fails with a
 * Conflict, sleeping Backoff.Step() between attempts; after the last step it returns the last
 * conflict error.
 */
import type { EventLoop } from '../loop';
import type { Rng } from '../prng';
import type { Proc } from '../process';
import type { Nanos } from '../time';
import { Millisecond } from '../time';
import { isConflict } from '../apiserver/errors';

/** k8s.io/apimachinery/pkg/util/wait.Backoff. */
export interface Backoff {
  duration: Nanos;
  factor: number;
  jitter: number;
  steps: number;
  /** 0: no cap. */
  cap: Nanos;
}

/** retry.DefaultRetry: 5 steps, 10 ms, factor 1.0, jitter 0.1 (contention between writers). */
export const DefaultRetry: Readonly<Backoff> = {
  steps: 5,
  duration: 10 * Millisecond,
  factor: 1.0,
  jitter: 0.1,
  cap: 0,
};

/** retry.DefaultBackoff: 4 steps, 10 ms, factor 5.0, jitter 0.1. */
export const DefaultBackoff: Readonly<Backoff> = {
  steps: 4,
  duration: 10 * Millisecond,
  factor: 5.0,
  jitter: 0.1,
  cap: 0,
};

/** wait.Jitter: d + rand.Float64() × maxFactor × d (maxFactor ≤ 0 means 1). */
export function jitter(d: Nanos, maxFactor: number, rng: Rng): Nanos {
  const f = maxFactor <= 0 ? 1 : maxFactor;
  return d + Math.trunc(rng.float64() * f * d);
}

/** Backoff.Step(): mutates `b` like the Go method and returns the next sleep. */
export function backoffStep(b: Backoff, rng: Rng): Nanos {
  if (b.steps < 1) return b.jitter > 0 ? jitter(b.duration, b.jitter, rng) : b.duration;
  b.steps--;
  const duration = b.duration;
  if (b.factor !== 0) {
    b.duration = Math.trunc(b.duration * b.factor);
    if (b.cap > 0 && b.duration > b.cap) {
      b.duration = b.cap;
      b.steps = 0;
    }
  }
  return b.jitter > 0 ? jitter(duration, b.jitter, rng) : duration;
}

/** wait.ErrWaitTimeout's text (returned by OnError only when no error was retriable). */
export const ERR_WAIT_TIMEOUT = 'timed out waiting for the condition';

/**
 * retry.OnError / RetryOnConflict, callback form. `fn(done)` runs one attempt and calls
 * `done(err)` (undefined = success). `cb` gets undefined on success, the non-retriable error
 * at once, or the last retriable error after `backoff.steps` attempts.
 */
export function onError(
  loop: EventLoop,
  rng: Rng,
  backoff: Readonly<Backoff>,
  retriable: (err: Error) => boolean,
  fn: (done: (err?: Error) => void) => void,
  cb: (err: Error | undefined, attempts: number) => void,
): void {
  const b: Backoff = { ...backoff };
  let attempts = 0;
  let lastErr: Error | undefined;
  const attempt = (): void => {
    if (b.steps <= 0) {
      cb(lastErr ?? new Error(ERR_WAIT_TIMEOUT), attempts);
      return;
    }
    attempts++;
    fn((err) => {
      if (!err) return cb(undefined, attempts);
      if (!retriable(err)) return cb(err, attempts);
      lastErr = err;
      if (b.steps === 1) return cb(lastErr, attempts);
      loop.after(backoffStep(b, rng), attempt);
    });
  };
  attempt();
}

export function retryOnConflict(
  loop: EventLoop,
  rng: Rng,
  backoff: Readonly<Backoff>,
  fn: (done: (err?: Error) => void) => void,
  cb: (err: Error | undefined, attempts: number) => void,
): void {
  onError(loop, rng, backoff, isConflict, fn, cb);
}

/**
 * Generator form for processes: `const err = yield* retryOnConflictProc(rng, DefaultRetry,
 * function* () { …; return err })`.
 */
export function* retryOnConflictProc(
  rng: Rng,
  backoff: Readonly<Backoff>,
  fn: () => Proc<Error | undefined>,
): Proc<Error | undefined> {
  const b: Backoff = { ...backoff };
  let lastErr: Error | undefined;
  while (b.steps > 0) {
    const err = yield* fn();
    if (!err) return undefined;
    if (!isConflict(err)) return err;
    lastErr = err;
    if (b.steps === 1) break;
    yield backoffStep(b, rng);
  }
  return lastErr ?? new Error(ERR_WAIT_TIMEOUT);
}
