/**
 * Full recharts redraws paced to one per animation frame (streaming tails and the heatmap's
 * canvas are drawn in the dashboard's own commit: see ChartPanel and liveTail).
 *
 * A recharts chart updates in several steps: our render of the chart (its new `data`), React's
 * commit, then recharts' own store updates from the chart's effects (setChartData, ticks,
 * registrations) and the re-render of its subscribers. Every callback of one animation frame
 * runs in one main-thread task, so charts redrawn in the same frame add up to one long task.
 * Here each job (one chart's redraw) starts in a task of its own after a frame, and the next
 * job waits for the next frame: one chart's work at a time.
 *
 * A job may return a promise (a redraw React renders in a transition, in slices, over several
 * tasks): the next job then waits until it settles (at most `maxWaitMs`), and `busy()` is true
 * meanwhile (the run store holds its streaming commits while a chart is being drawn, so a
 * commit never interrupts and restarts the chart's sliced render).
 *
 * Jobs are keyed by their owner: scheduling again for an owner that is still waiting replaces
 * its job in place (it keeps its turn and draws the newest data once).
 */

type Job = () => unknown;

export interface DrawScheduler {
  /** Queue (or replace) the owner's job. */
  schedule(owner: object, job: Job): void;
  /** Drop the owner's waiting job, if any. */
  cancel(owner: object): void;
  /** Jobs waiting. */
  pending(): number;
  /** A job is running or being waited for. */
  busy(): boolean;
}

export interface FrameClock {
  /** Calls `f` at the next animation frame. */
  nextFrame(f: () => void): void;
  /** Calls `f` in a task of its own, soon. */
  task(f: () => void): void;
  /** Calls `f` in a task of its own after `ms` milliseconds. */
  after(ms: number, f: () => void): void;
}

const browserClock: FrameClock = {
  nextFrame(f) {
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => f());
    else setTimeout(f, 16);
  },
  task(f) {
    setTimeout(f, 0);
  },
  after(ms, f) {
    setTimeout(f, ms);
  },
};

/** A job's promise is waited for at most this long (ms) before the next job may start. */
export const MAX_JOB_WAIT_MS = 1000;

export function createDrawScheduler(
  clock: FrameClock = browserClock,
  maxWaitMs = MAX_JOB_WAIT_MS,
): DrawScheduler {
  const queue = new Map<object, Job>();
  let armed = false;
  /** The job running or being waited for (its settle token), if any. */
  let running: object | null = null;

  function arm(): void {
    if (armed || running !== null || queue.size === 0) return;
    armed = true;
    // After the frame (not inside it): the rAF callbacks of the frame, recharts' included, run
    // in their own task and this job in the next one.
    clock.nextFrame(() => clock.task(runOne));
  }

  function settle(token: object): void {
    if (running !== token) return;
    running = null;
    arm();
  }

  function runOne(): void {
    armed = false;
    const next = queue.entries().next();
    if (next.done) return;
    const [owner, job] = next.value;
    queue.delete(owner);
    const token = {};
    running = token;
    let waiting = false;
    try {
      const r = job();
      if (r && typeof (r as Promise<unknown>).then === 'function') {
        waiting = true;
        (r as Promise<unknown>).then(
          () => settle(token),
          () => settle(token),
        );
        clock.after(maxWaitMs, () => settle(token));
      }
    } finally {
      if (!waiting) settle(token);
    }
  }

  return {
    schedule(owner, job) {
      queue.set(owner, job);
      arm();
    },
    cancel(owner) {
      queue.delete(owner);
    },
    pending() {
      return queue.size;
    },
    busy() {
      return running !== null;
    },
  };
}

/** The dashboard's scheduler: every panel (line charts and the heatmap) shares it. */
export const drawScheduler = createDrawScheduler();
