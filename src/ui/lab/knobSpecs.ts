/**
 * How each knob of the form is shown: the slider's stops (values a learner is likely to try,
 * roughly logarithmic), the unit announced to screen readers, and the group it sits in.
 * Knob ids are src/lab-config's (see its README): 'maxConcurrentReconciles',
 * 'rateLimiter.baseDelay', 'rateLimiter.limiters[1].qps', 'client.qps', 'apiLimiter.limit', …
 */
import type { Knob } from '../../lab-config/types';
import { formatDuration, Millisecond, Minute, Second, Hour } from '../../engine/time';

export type KnobGroup = 'controller' | 'rateLimiter' | 'client' | 'apiLimiter' | 'manager';

export interface SliderSpec {
  group: KnobGroup;
  /** Ordered values the slider steps through (the text's own value is added if missing). */
  stops: readonly number[];
  /** Short visible value ("5ms", "10/s", "off"). */
  show(v: number): string;
  /** What a screen reader announces ("10 workers", "5 milliseconds"). */
  speak(v: number): string;
}

const ms = Millisecond;
const DELAY_STOPS = [
  1 * ms,
  2 * ms,
  5 * ms,
  10 * ms,
  20 * ms,
  50 * ms,
  100 * ms,
  250 * ms,
  500 * ms,
  1 * Second,
  2 * Second,
  5 * Second,
  10 * Second,
];
const MAX_DELAY_STOPS = [
  100 * ms,
  1 * Second,
  5 * Second,
  10 * Second,
  30 * Second,
  1 * Minute,
  5 * Minute,
  1000 * Second,
  1 * Hour,
];
const RATE_STOPS = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
const BURST_STOPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
const WORKER_STOPS = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 25, 32, 50, 64, 100, 200, 500, 1000];

function plural(n: number, one: string, many: string): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

export function formatNumber(n: number): string {
  if (n === Infinity) return 'unlimited';
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(3)));
}

/** "1m40s" → "1 minute 40 seconds" style speech for durations. */
export function speakDuration(d: number): string {
  if (d === 0) return '0 seconds';
  const neg = d < 0 ? 'minus ' : '';
  let u = Math.abs(d);
  if (u < Second) {
    const v = u / ms;
    return `${neg}${plural(v, 'millisecond', 'milliseconds')}`;
  }
  const parts: string[] = [];
  const h = Math.floor(u / Hour);
  u -= h * Hour;
  const m = Math.floor(u / Minute);
  u -= m * Minute;
  const s = u / Second;
  if (h) parts.push(plural(h, 'hour', 'hours'));
  if (m) parts.push(plural(m, 'minute', 'minutes'));
  if (s) parts.push(plural(s, 'second', 'seconds'));
  return neg + parts.join(' ');
}

const duration = (group: KnobGroup, stops: readonly number[]): SliderSpec => ({
  group,
  stops,
  show: formatDuration,
  speak: speakDuration,
});
const perSecond = (group: KnobGroup, stops: readonly number[]): SliderSpec => ({
  group,
  stops,
  show: (v) => (v === Infinity ? 'rate.Inf' : `${formatNumber(v)}/s`),
  speak: (v) => (v === Infinity ? 'unlimited' : `${formatNumber(v)} per second`),
});
const count = (
  group: KnobGroup,
  stops: readonly number[],
  one: string,
  many: string,
): SliderSpec => ({
  group,
  stops,
  show: formatNumber,
  speak: (v) => plural(v, one, many),
});

/** The slider for a knob id, or undefined if the form does not offer one. */
export function sliderFor(id: string): SliderSpec | undefined {
  if (id === 'maxConcurrentReconciles')
    return count('controller', WORKER_STOPS, 'worker', 'workers');
  if (id === 'replicas')
    return count('manager', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'replica', 'replicas');
  if (id === 'client.qps')
    return {
      group: 'client',
      stops: [-1, 1, 2, 5, 10, 20, 30, 50, 100, 200, 500, 1000],
      show: (v) => (v < 0 ? 'off' : `${formatNumber(v)}/s`),
      speak: (v) =>
        v < 0 ? 'off: no client-side limit' : `${formatNumber(v)} requests per second`,
    };
  if (id === 'client.burst')
    return count('client', [1, 5, 10, 20, 30, 50, 100, 200, 500, 1000], 'request', 'requests');
  if (id === 'apiLimiter.limit') return perSecond('apiLimiter', [...RATE_STOPS, Infinity]);
  if (id === 'apiLimiter.burst') return count('apiLimiter', BURST_STOPS, 'token', 'tokens');
  if (id.startsWith('rateLimiter')) {
    const leaf = id.slice(id.lastIndexOf('.') + 1);
    switch (leaf) {
      case 'baseDelay':
      case 'fastDelay':
        return duration('rateLimiter', DELAY_STOPS);
      case 'maxDelay':
      case 'slowDelay':
        return duration('rateLimiter', MAX_DELAY_STOPS);
      case 'maxFastAttempts':
        return count('rateLimiter', [1, 2, 3, 5, 10, 20, 50], 'attempt', 'attempts');
      case 'qps':
        return perSecond('rateLimiter', RATE_STOPS);
      case 'burst':
        return count('rateLimiter', BURST_STOPS, 'token', 'tokens');
    }
  }
  return undefined;
}

/** The stops with the knob's own value merged in (so the slider can show what the text says). */
export function stopsWith(stops: readonly number[], value: number): number[] {
  if (stops.includes(value)) return [...stops];
  return [...stops, value].sort((a, b) => a - b);
}

export const GROUP_TITLES: Record<KnobGroup, string> = {
  controller: 'Controller (controller.Options)',
  rateLimiter: 'Workqueue rate limiter',
  client: 'API client (rest.Config)',
  apiLimiter: 'External API limiter (apiLimiter)',
  manager: 'Manager',
};

/** Knobs the form shows as sliders, in form order. */
export function sliderKnobs(knobs: readonly Knob[]): { knob: Knob; spec: SliderSpec }[] {
  const order: KnobGroup[] = ['controller', 'rateLimiter', 'client', 'apiLimiter', 'manager'];
  const out: { knob: Knob; spec: SliderSpec }[] = [];
  for (const knob of knobs) {
    if (typeof knob.value !== 'number') continue;
    const spec = sliderFor(knob.id);
    if (spec) out.push({ knob, spec });
  }
  return out.sort((a, b) => order.indexOf(a.spec.group) - order.indexOf(b.spec.group));
}
