/**
 * Virtual time. Like Go's time.Duration, every time and duration in the engine is an integer
 * number of nanoseconds. JavaScript numbers are exact integers up to 2^53 ns (about 104 days of
 * virtual time), which is far beyond any run the lab makes.
 */
export type Nanos = number;

export const Nanosecond: Nanos = 1;
export const Microsecond: Nanos = 1_000;
export const Millisecond: Nanos = 1_000_000;
export const Second: Nanos = 1_000_000_000;
export const Minute: Nanos = 60 * Second;
export const Hour: Nanos = 60 * Minute;

/** Largest representable duration (Go: math.MaxInt64; here the largest exact integer). */
export const MaxDuration: Nanos = Number.MAX_SAFE_INTEGER;

export interface Clock {
  now(): Nanos;
}

/** Seconds (float) → Nanos, truncated toward zero as Go's time.Duration(f * 1e9) does. */
export function fromSeconds(s: number): Nanos {
  return Math.trunc(s * Second);
}

/** Nanos → seconds as a float (Duration.Seconds()). */
export function toSeconds(d: Nanos): number {
  return d / Second;
}

/**
 * Formats a duration the way Go's Duration.String() does: "1.5s", "250ms", "2m30s", "0s".
 * Used in log lines so they read like the real ones.
 */
export function formatDuration(d: Nanos): string {
  if (d === 0) return '0s';
  const neg = d < 0;
  let u = Math.abs(Math.trunc(d));
  let out: string;
  if (u < Second) {
    if (u < Microsecond) out = `${u}ns`;
    else if (u < Millisecond) out = `${trimFloat(u / Microsecond)}µs`;
    else out = `${trimFloat(u / Millisecond)}ms`;
  } else {
    const h = Math.floor(u / Hour);
    u -= h * Hour;
    const m = Math.floor(u / Minute);
    u -= m * Minute;
    const s = trimFloat(u / Second);
    out = (h > 0 ? `${h}h` : '') + (h > 0 || m > 0 ? `${m}m` : '') + `${s}s`;
  }
  return neg ? `-${out}` : out;
}

function trimFloat(x: number): string {
  // Go prints up to 9 significant fractional digits and trims trailing zeros.
  return Number(x.toFixed(9)).toString();
}
