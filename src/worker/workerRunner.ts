/**
 * The runner used by the product: the engine in a dedicated module Worker. A watchdog checks
 * that the worker keeps talking (it posts a heartbeat every HEARTBEAT_INTERVAL_MS even while
 * busy, because the host computes in bounded slices). An error event, a message of another
 * protocol version, or silence beyond the timeout ⇒ the worker is terminated, listeners get
 * `crashed` then `restarted`, and a fresh worker is ready for the next Run. The runner keeps no
 * results itself: the store keeps the learner's text and the last results.
 */
import { HEARTBEAT_TIMEOUT_MS, checkFromWorker, toWorker, type ToWorker } from './protocol';
import { BaseRunner } from './runner';

/** The subset of Worker the runner uses (lets tests pass a fake). */
export interface WorkerLike {
  postMessage(m: unknown): void;
  terminate(): void;
  onmessage: ((e: MessageEvent) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
  onmessageerror: ((e: MessageEvent) => void) | null;
}

export function createSimWorker(): WorkerLike {
  return new Worker(new URL('./sim.worker.ts', import.meta.url), {
    type: 'module',
    name: 'reconcile-lab-sim',
  });
}

/** Workers in a row that die before their first message: then stop restarting on our own. */
export const MAX_SILENT_CRASHES = 2;

/** Until the first message, a new worker gets this long to load its module. */
export const STARTUP_TIMEOUT_MS = 20_000;

export interface WorkerRunnerOptions {
  makeWorker?: () => WorkerLike;
  nowMs?: () => number;
  heartbeatTimeoutMs?: number;
  /** How often the watchdog looks (wall ms). */
  checkEveryMs?: number;
}

export class WorkerRunner extends BaseRunner {
  private worker: WorkerLike | null = null;
  private lastSeen = 0;
  private seenAny = false;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private readonly makeWorker: () => WorkerLike;
  private readonly nowMs: () => number;
  private readonly timeoutMs: number;
  /** Number of times a worker was restarted after a crash or hang. */
  restarts = 0;
  /** Crashes in a row of workers that never said anything (a worker that cannot start). */
  private silentCrashes = 0;

  constructor(opts: WorkerRunnerOptions = {}) {
    super();
    this.makeWorker = opts.makeWorker ?? createSimWorker;
    this.nowMs = opts.nowMs ?? (() => performance.now());
    this.timeoutMs = opts.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS;
    this.spawn();
    this.watchdog = setInterval(() => this.check(), opts.checkEveryMs ?? 1000);
  }

  protected send(msg: ToWorker): void {
    // A worker that could not start is retried when the learner asks for something again.
    if (!this.worker) this.spawn();
    this.worker?.postMessage(msg);
  }

  /** Test hook: make the worker throw an uncaught error. */
  debugCrash(): void {
    this.send(toWorker({ type: 'debugCrash' }));
  }

  /** Test hook: block the worker in an endless loop (detected by the heartbeat watchdog). */
  debugHang(): void {
    this.send(toWorker({ type: 'debugHang' }));
  }

  override dispose(): void {
    if (this.watchdog !== null) clearInterval(this.watchdog);
    this.watchdog = null;
    this.worker?.terminate();
    this.worker = null;
    super.dispose();
  }

  private spawn(): void {
    const w = this.makeWorker();
    this.worker = w;
    this.seenAny = false;
    this.lastSeen = this.nowMs();
    w.onmessage = (e: MessageEvent) => {
      if (this.worker !== w) return;
      this.lastSeen = this.nowMs();
      this.seenAny = true;
      this.silentCrashes = 0;
      const c = checkFromWorker(e.data);
      if (!c.ok) {
        this.crash('protocol', c.error);
        return;
      }
      this.emit(c.msg);
    };
    w.onerror = (e: ErrorEvent) => {
      if (this.worker !== w) return;
      // Handled here: the learner is told in the UI.
      e.preventDefault();
      this.crash('error', e.message || 'the simulation worker failed');
    };
    w.onmessageerror = () => {
      if (this.worker !== w) return;
      this.crash('protocol', 'a message from the simulation worker could not be read');
    };
  }

  private check(): void {
    if (!this.worker) return;
    const silent = this.nowMs() - this.lastSeen;
    const limit = this.seenAny ? this.timeoutMs : STARTUP_TIMEOUT_MS;
    if (silent > limit) {
      this.crash(
        'hung',
        `the simulation worker stopped responding (no heartbeat for ${Math.round(silent / 1000)} s)`,
      );
    }
  }

  private crash(reason: 'error' | 'hung' | 'protocol', message: string): void {
    const silent = !this.seenAny;
    this.worker?.terminate();
    this.worker = null;
    this.rejectPending(`simulation worker ${reason}: ${message}`);
    this.emit({ type: 'crashed', reason, message });
    if (silent) this.silentCrashes++;
    // A worker that dies before saying anything would die again at once: do not loop. The
    // next command (Run) tries once more.
    if (this.silentCrashes >= MAX_SILENT_CRASHES) return;
    this.restarts++;
    this.spawn();
    this.emit({ type: 'restarted' });
  }
}
