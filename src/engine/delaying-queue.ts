/**
 * client-go util/workqueue/delaying_queue.go (controller-semantics.md §1.2): AddAfter with a
 * waiting heap that is independent of the FIFO. A duplicate waiting entry keeps the earlier
 * ready time. Due entries are added in ready-time order; ties pop in the order Go's
 * container/heap pops them (the heap below performs the same swaps as container/heap).
 */
import { Queue, type QueueOptions } from './queue';
import type { Nanos } from './time';

interface WaitFor<T> {
  data: T;
  readyAt: Nanos;
  index: number;
}

/** container/heap's up/down/Fix/Push/Pop over waitForPriorityQueue (Less: readyAt before). */
class WaitForHeap<T> {
  readonly a: WaitFor<T>[] = [];

  get length(): number {
    return this.a.length;
  }
  peek(): WaitFor<T> | undefined {
    return this.a[0];
  }
  private less(i: number, j: number): boolean {
    return this.a[i]!.readyAt < this.a[j]!.readyAt;
  }
  private swap(i: number, j: number): void {
    const x = this.a[i]!;
    const y = this.a[j]!;
    this.a[i] = y;
    this.a[j] = x;
    y.index = i;
    x.index = j;
  }
  private up(j: number): void {
    for (;;) {
      const i = Math.trunc((j - 1) / 2);
      if (i === j || !this.less(j, i)) break;
      this.swap(i, j);
      j = i;
    }
  }
  private down(i0: number, n: number): boolean {
    let i = i0;
    for (;;) {
      const j1 = 2 * i + 1;
      if (j1 >= n || j1 < 0) break;
      let j = j1;
      const j2 = j1 + 1;
      if (j2 < n && this.less(j2, j1)) j = j2;
      if (!this.less(j, i)) break;
      this.swap(i, j);
      i = j;
    }
    return i > i0;
  }
  push(x: WaitFor<T>): void {
    x.index = this.a.length;
    this.a.push(x);
    this.up(this.a.length - 1);
  }
  pop(): WaitFor<T> {
    const n = this.a.length - 1;
    this.swap(0, n);
    this.down(0, n);
    const x = this.a.pop()!;
    x.index = -1;
    return x;
  }
  fix(i: number): void {
    if (!this.down(i, this.a.length)) this.up(i);
  }
  clear(): void {
    this.a.length = 0;
  }
}

/** workqueue.TypedDelayingInterface (NewTypedDelayingQueueWithConfig). */
export class DelayingQueue<T> extends Queue<T> {
  private readonly heap = new WaitForHeap<T>();
  private readonly entries = new Map<T, WaitFor<T>>();
  private timer = -1;
  private timerAt = Infinity;
  private readonly fire = (): void => {
    this.timer = -1;
    this.timerAt = Infinity;
    if (this.shutting) return;
    const now = this.loop.now();
    while (this.heap.length > 0 && !(this.heap.peek()!.readyAt > now)) {
      const e = this.heap.pop();
      this.entries.delete(e.data);
      this.add(e.data);
    }
    this.arm();
  };

  constructor(o: QueueOptions) {
    super(o);
  }

  /**
   * AddAfter: ignored when shutting down; otherwise counts a retry (even for d <= 0), adds at
   * once for d <= 0, else waits until now + d (an existing waiting entry keeps the earlier
   * time).
   */
  addAfter(item: T, d: Nanos): void {
    if (this.shutting) return;
    this.queueMetrics?.retry();
    if (d <= 0) {
      this.add(item);
      return;
    }
    const readyAt = this.loop.now() + d;
    const existing = this.entries.get(item);
    if (existing) {
      if (existing.readyAt > readyAt) {
        existing.readyAt = readyAt;
        this.heap.fix(existing.index);
        this.observer?.onWait?.(item, readyAt);
      }
    } else {
      const e: WaitFor<T> = { data: item, readyAt, index: -1 };
      this.heap.push(e);
      this.entries.set(item, e);
      this.observer?.onWait?.(item, readyAt);
    }
    this.arm();
  }

  /** Number of entries in the waiting heap (not part of len()). */
  waitingLen(): number {
    return this.heap.length;
  }

  /** The time of an item's waiting entry, if it has one. */
  readyAtOf(item: T): Nanos | undefined {
    return this.entries.get(item)?.readyAt;
  }

  override shutDown(): void {
    super.shutDown();
    this.heap.clear();
    this.entries.clear();
    if (this.timer >= 0) this.loop.cancel(this.timer);
    this.timer = -1;
    this.timerAt = Infinity;
  }

  private arm(): void {
    const head = this.heap.peek();
    if (!head || head.readyAt >= this.timerAt) return;
    if (this.timer >= 0) this.loop.cancel(this.timer);
    this.timerAt = head.readyAt;
    this.timer = this.loop.schedule(head.readyAt, this.fire);
  }
}
