/**
 * Pacing virtual time against wall time. At speed s, w wall milliseconds after the anchor the
 * run should have reached virtualAnchor + s · w ms. Changing speed, pausing and resuming
 * re-anchor at the current position, so the clock never jumps. When the simulation cannot keep
 * up (a heavy scenario at 1000×), the target is allowed to lead the simulation by at most
 * MAX_LAG_WALL_MS of wall time; beyond that the anchor slides, so that the run slows down
 * instead of trying to catch up in one long burst.
 */
import type { Nanos } from '../engine/time';
import { Millisecond, Second } from '../engine/time';
import type { Speed } from './protocol';

export const MAX_LAG_WALL_MS = 250;

export class Pacer {
  private wallAnchor = 0;
  private virtAnchor: Nanos = 0;
  /** True when the last target had to be clamped because the simulation fell behind. */
  behind = false;

  constructor(private speed: Speed) {}

  getSpeed(): Speed {
    return this.speed;
  }

  /** Re-anchors: at wall time wallMs the run is at virtual time virt. */
  anchor(wallMs: number, virt: Nanos): void {
    this.wallAnchor = wallMs;
    this.virtAnchor = virt;
    this.behind = false;
  }

  setSpeed(speed: Speed, wallMs: number, virt: Nanos): void {
    this.speed = speed;
    this.anchor(wallMs, virt);
  }

  /**
   * The virtual time the run should have reached at wallMs, given it is at `virtNow`.
   * Infinity at "as fast as possible". Never below virtNow.
   */
  target(wallMs: number, virtNow: Nanos): Nanos {
    if (this.speed === 'max') return Infinity;
    const s = this.speed;
    const elapsed = Math.max(0, wallMs - this.wallAnchor);
    let t = this.virtAnchor + Math.round(elapsed * s * Millisecond);
    const maxLead = Math.round(MAX_LAG_WALL_MS * s * Millisecond);
    this.behind = false;
    if (t - virtNow > maxLead) {
      // Fell behind: slide the anchor so the lead stays bounded.
      t = virtNow + maxLead;
      this.anchor(wallMs, t);
      this.behind = true;
    }
    return Math.max(t, virtNow);
  }
}

/** Sample interval for a run of this duration: whole seconds, at most MAX_SAMPLES samples. */
export const MAX_SAMPLES = 1500;
const SAMPLE_STEPS: readonly Nanos[] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600].map(
  (s) => s * Second,
);

export function sampleEveryFor(duration: Nanos): Nanos {
  for (const c of SAMPLE_STEPS) if (duration / c <= MAX_SAMPLES) return c;
  return Math.ceil(duration / MAX_SAMPLES / Second) * Second;
}
