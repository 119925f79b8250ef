/**
 * The why-waiting trace with bounded memory: spans are kept for at most MAX_TRACED_KEYS
 * objects (the first keys seen in the run, which is deterministic), each in a ring buffer
 * of the last SPANS_PER_KEY spans. So a 100,000-object run holds at most 2,000 × 64 spans.
 * New spans are also queued for drain (the live view), capped at MAX_PENDING (oldest
 * dropped) so an undrained run cannot grow without bound.
 */
import type { TraceSpan, TraceStage } from '../run-types';
import type { Nanos } from '../time';

export const MAX_TRACED_KEYS = 2_000;
export const SPANS_PER_KEY = 64;

class Ring {
  private buf: TraceSpan[] = [];
  private head = 0;
  push(s: TraceSpan): void {
    if (this.buf.length < SPANS_PER_KEY) this.buf.push(s);
    else {
      this.buf[this.head] = s;
      this.head = (this.head + 1) % SPANS_PER_KEY;
    }
  }
  all(): TraceSpan[] {
    return this.buf.length < SPANS_PER_KEY
      ? this.buf.slice()
      : [...this.buf.slice(this.head), ...this.buf.slice(0, this.head)];
  }
}

export class TraceRecorder {
  private byKey = new Map<string, Ring>();
  /**
   * The last answer of traced() and the map size it was computed at: consecutive checks are
   * mostly for one reconcile's key, and the answer can only change when a key is added.
   */
  private lastKey: string | undefined = undefined;
  private lastAnswer = false;
  private lastSize = -1;

  /** Whether spans of this key are kept (cheap check before building a detail string). */
  traced(key: string): boolean {
    const size = this.byKey.size;
    if (key === this.lastKey && size === this.lastSize) return this.lastAnswer;
    const answer = size < MAX_TRACED_KEYS || this.byKey.has(key);
    this.lastKey = key;
    this.lastAnswer = answer;
    this.lastSize = size;
    return answer;
  }

  span(key: string, stage: TraceStage, start: Nanos, end: Nanos, detail?: string): void {
    let r = this.byKey.get(key);
    if (!r) {
      if (this.byKey.size >= MAX_TRACED_KEYS) return;
      r = new Ring();
      this.byKey.set(key, r);
    }
    const s: TraceSpan =
      detail === undefined ? { key, stage, start, end } : { key, stage, start, end, detail };
    r.push(s);
  }

  spansFor(key: string, from?: Nanos, to?: Nanos): TraceSpan[] {
    const r = this.byKey.get(key);
    if (!r) return [];
    return r
      .all()
      .filter((s) => (from === undefined || s.end >= from) && (to === undefined || s.start <= to))
      .sort((a, b) => a.start - b.start || a.end - b.end);
  }

  keys(): string[] {
    return [...this.byKey.keys()];
  }

  all(): TraceSpan[] {
    const out: TraceSpan[] = [];
    for (const r of this.byKey.values()) out.push(...r.all());
    return out.sort((a, b) => a.start - b.start || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}
