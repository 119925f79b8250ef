/**
 * The in-process runner: the same SimHost as the worker, in the calling thread, with a manual
 * wall clock. Nothing happens between calls: `tick(ms)` moves the clock and runs the slices
 * due, synchronously. Used by unit tests (pacing, protocol, store) and usable from Node.
 */
import { checkToWorker, fromWorker, type ToWorker } from './protocol';
import { BaseRunner } from './runner';
import { SimHost, type SimFactory } from './host';

export class InProcessRunner extends BaseRunner {
  private host: SimHost;
  private clockMs = 0;
  /** Wall time (manual clock) at which the host wants its next slice; null: idle. */
  private dueAt: number | null = null;

  constructor(createSimulation: SimFactory) {
    super();
    this.host = new SimHost({
      createSimulation,
      nowMs: () => this.clockMs,
      post: (m) => this.emit(m),
    });
  }

  now(): number {
    return this.clockMs;
  }

  protected send(msg: ToWorker): void {
    // Same validation as the worker (a message of another version is refused).
    const c = checkToWorker(structuredClone(msg));
    if (!c.ok) {
      this.emit(fromWorker({ type: 'protocolError', message: c.error }));
      return;
    }
    this.host.handle(c.msg);
    if (this.host.busy()) this.dueAt = this.clockMs;
  }

  /**
   * Moves the manual clock forward by `ms` (in steps of at most `stepMs`) and runs every
   * slice that is due. With a manual clock a slice never exhausts its budget, so one slice
   * does all the work available at that instant.
   */
  tick(ms: number, stepMs = 16): void {
    const end = this.clockMs + ms;
    for (;;) {
      this.runDue();
      if (this.clockMs >= end) break;
      this.clockMs = Math.min(end, this.clockMs + stepMs);
    }
  }

  private runDue(): void {
    let guard = 0;
    while (this.dueAt !== null && this.dueAt <= this.clockMs && guard++ < 100_000) {
      const d = this.host.slice();
      this.dueAt = d === null ? null : this.clockMs + d;
    }
  }

  /** Sends a raw (possibly malformed) message, as a test of the version check. */
  sendRaw(data: unknown): void {
    const c = checkToWorker(data);
    if (!c.ok) {
      this.emit(fromWorker({ type: 'protocolError', message: c.error }));
      return;
    }
    this.send(c.msg);
  }
}
