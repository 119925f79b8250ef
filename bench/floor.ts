/**
 * The floor every engine benchmark compares against: a bare binary-heap event loop, ordered
 * by (time, sequence) like EventLoop, whose events do nothing but reschedule themselves after
 * a random delay. `workers` is the number of pending timers (the heap size).
 */
import { performance } from 'node:perf_hooks';
import { Millisecond, Rng } from '../src/engine';

/**
 * The engine issue's floor: as many pending timers as bench/engine.ts's scenario has keys.
 * `floor_ns_per_event` is this floor; bench/fullpath.ts divides by it too.
 */
export const ENGINE_FLOOR_TIMERS = 2000;

export function floorNsPerEvent(events: number, workers: number): { wall: number; cpu: number } {
  let size = 0;
  let cap = 1024;
  let times = new Float64Array(cap);
  let seqs = new Float64Array(cap);
  const fns: (() => void)[] = new Array<() => void>(cap);
  let seq = 0;
  let now = 0;
  const less = (a: number, b: number) =>
    times[a]! < times[b]! || (times[a] === times[b] && seqs[a]! < seqs[b]!);
  const swap = (a: number, b: number) => {
    const t = times[a]!;
    times[a] = times[b]!;
    times[b] = t;
    const s = seqs[a]!;
    seqs[a] = seqs[b]!;
    seqs[b] = s;
    const f = fns[a]!;
    fns[a] = fns[b]!;
    fns[b] = f;
  };
  const push = (t: number, fn: () => void) => {
    if (size === cap) {
      cap *= 2;
      const nt = new Float64Array(cap);
      nt.set(times);
      times = nt;
      const ns = new Float64Array(cap);
      ns.set(seqs);
      seqs = ns;
      fns.length = cap;
    }
    let i = size++;
    times[i] = t;
    seqs[i] = seq++;
    fns[i] = fn;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(i, p)) break;
      swap(i, p);
      i = p;
    }
  };
  const pop = (): (() => void) => {
    const fn = fns[0]!;
    now = times[0]!;
    const last = --size;
    if (last > 0) {
      times[0] = times[last]!;
      seqs[0] = seqs[last]!;
      fns[0] = fns[last]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        const c = r < size && less(r, l) ? r : l;
        if (!less(c, i)) break;
        swap(i, c);
        i = c;
      }
    }
    return fn;
  };
  const rng = new Rng(7);
  const delays = Float64Array.from({ length: 4096 }, () => 1 + rng.intn(10 * Millisecond));
  let ran = 0;
  let k = 0;
  for (let w = 0; w < workers; w++) {
    const self = () => {
      ran++;
      if (ran + workers <= events) push(now + delays[k++ & 4095]!, self);
    };
    push(0, self);
  }
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  while (size > 0) pop()();
  const c = process.cpuUsage(c0);
  const ms = performance.now() - t0;
  return { wall: (ms * 1e6) / ran, cpu: ((c.user + c.system) * 1e3) / ran };
}
