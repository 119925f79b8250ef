/** Test helpers for the engine's processes (used by process and controller tests). */
import type { EventLoop } from './loop';
import { Op, type OpWaiter } from './process';

/**
 * A test Op: answers `answer` at once (inside begin) when `at` is undefined, else at virtual
 * time `at`, then a second time (which must be ignored). Counts its begins.
 */
export class TestOp<T> extends Op<T> {
  begins = 0;
  constructor(
    private readonly loop: EventLoop,
    private readonly answer: T,
    private readonly at?: number,
  ) {
    super();
  }
  begin(waiter: OpWaiter): void {
    this.begins++;
    if (this.at === undefined) {
      waiter.opDone(this, this.answer);
      waiter.opDone(this, 'again');
      return;
    }
    this.loop.schedule(this.at, () => {
      waiter.opDone(this, this.answer);
      waiter.opDone(this, 'again');
    });
  }
}
