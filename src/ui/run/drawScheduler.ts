/**
 * Full recharts redraws paced to one per animation frame (streaming tails and the heatmap's
 * canvas are drawn in the dashboard's own commit: see ChartPanel and liveTail).
 *
 * A recharts chart updates in two steps: our render of the chart (its new `data`), then, in the
 * next animation frame, recharts' own store notifies its subscribers (recharts 3 batches store
 * notifications with `requestAnimationFrame`) and the axes, lines and tooltip re-render. Every
 * callback of one animation frame runs in one main-thread task, so charts redrawn in the same
 * frame add up to one long task. Here each job (one chart's redraw) runs in a task of its own
 * after a frame, and the next job waits for the next frame: one chart's work per frame.
 *
 * Jobs are keyed by their owner: scheduling again for an owner that is still waiting replaces
 * its job in place (it keeps its turn and draws the newest data once).
 */

type Job = () => void;

export interface DrawScheduler {
  /** Queue (or replace) the owner's job. */
  schedule(owner: object, job: Job): void;
  /** Drop the owner's waiting job, if any. */
  cancel(owner: object): void;
  /** Jobs waiting. */
  pending(): number;
}

export interface FrameClock {
  /** Calls `f` at the next animation frame. */
  nextFrame(f: () => void): void;
  /** Calls `f` in a task of its own, soon. */
  task(f: () => void): void;
}

const browserClock: FrameClock = {
  nextFrame(f) {
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => f());
    else setTimeout(f, 16);
  },
  task(f) {
    setTimeout(f, 0);
  },
};

export function createDrawScheduler(clock: FrameClock = browserClock): DrawScheduler {
  const queue = new Map<object, Job>();
  let armed = false;

  function arm(): void {
    if (armed || queue.size === 0) return;
    armed = true;
    // After the frame (not inside it): the rAF callbacks of the frame, recharts' included, run
    // in their own task and this job in the next one.
    clock.nextFrame(() => clock.task(runOne));
  }

  function runOne(): void {
    armed = false;
    const next = queue.entries().next();
    if (!next.done) {
      const [owner, job] = next.value;
      queue.delete(owner);
      try {
        job();
      } finally {
        arm();
      }
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
  };
}

/** The dashboard's scheduler: every panel (line charts and the heatmap) shares it. */
export const drawScheduler = createDrawScheduler();
