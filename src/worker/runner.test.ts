import { afterEach, describe, expect, it, vi } from 'vitest';
import { Second } from '../engine/time';
import type { Sample } from '../engine/run-types';
import { InProcessRunner } from './inProcessRunner';
import { FRAME_INTERVAL_MS, PROTOCOL_VERSION, fromWorker, type Frame } from './protocol';
import type { RunnerEvent } from './runner';
import { WorkerRunner, type WorkerLike } from './workerRunner';
import { FakeSim, fakeFactory, fakeScenario, fakeSettings } from './testing/fakeSim';

function setup(duration = 60 * Second) {
  let sim: FakeSim | null = null;
  const r = new InProcessRunner(fakeFactory((s) => (sim = s)));
  const events: RunnerEvent[] = [];
  r.subscribe((e) => events.push(e));
  const frames = () => events.filter((e): e is Frame => e.type === 'frame');
  const samples = () => frames().flatMap((f) => f.samples);
  const start = (speed: number | 'max', extra: object = {}) =>
    r.start({
      runId: 1,
      settings: fakeSettings(),
      scenario: fakeScenario(duration),
      speed,
      sampleEvery: Second,
      ...extra,
    });
  return { r, events, frames, samples, start, sim: () => sim! };
}

describe('InProcessRunner (the worker host driven by ticks)', () => {
  it('paces virtual time at the chosen speed: 10× for 2 wall seconds is 20 virtual seconds', () => {
    const h = setup();
    h.start(10);
    h.r.tick(2000);
    expect(h.frames().at(-1)!.status).toBe('running');
    // Frames lag by at most one frame interval; pausing flushes the exact position.
    expect(h.frames().at(-1)!.now).toBeGreaterThanOrEqual(
      (2000 - FRAME_INTERVAL_MS - 16) * 10 * 1e6,
    );
    h.r.pause();
    const last = h.frames().at(-1)!;
    expect(last.now).toBeGreaterThanOrEqual(19.8 * Second);
    expect(last.now).toBeLessThanOrEqual(20 * Second);
  });

  it('batches samples: never more than one frame per frame interval while streaming', () => {
    const h = setup(600 * Second);
    h.start(100);
    h.r.tick(3000, 4);
    const streaming = h.frames().filter((f) => f.status === 'running');
    // 3 s of wall time ⇒ at most 3000 / FRAME_INTERVAL_MS frames (+1 for the start frame).
    expect(streaming.length).toBeLessThanOrEqual(Math.ceil(3000 / FRAME_INTERVAL_MS) + 1);
    expect(streaming.length).toBeGreaterThan(10);
    // …and no sample is lost or duplicated.
    const ts = h.samples().map((s) => s.t);
    expect(ts).toEqual(ts.map((_, i) => (i + 1) * Second));
  });

  it('"as fast as possible" runs to the end and reports done with a summary', () => {
    const h = setup(30 * Second);
    h.start('max');
    h.r.tick(16);
    const last = h.frames().at(-1)!;
    expect(last.status).toBe('done');
    expect(last.now).toBe(30 * Second);
    expect(last.summary?.reconciles).toBe(300);
    expect(h.samples()).toHaveLength(30);
  });

  it('slices its work (the sim is advanced in sample-sized chunks, not one call)', () => {
    const h = setup(30 * Second);
    h.start('max');
    h.r.tick(16);
    expect(h.sim().advanceCalls).toBeGreaterThanOrEqual(30);
  });

  it('the first frame of a run replaces what the main thread held', () => {
    const h = setup();
    h.start(1);
    expect(h.frames()[0]!.replace).toBe(true);
    h.r.tick(500);
    expect(
      h
        .frames()
        .slice(1)
        .some((f) => f.replace),
    ).toBe(false);
  });

  it('pause stops virtual time; resume continues from there without a jump', () => {
    const h = setup();
    h.start(1);
    h.r.tick(1000);
    h.r.pause();
    const at = h.frames().at(-1)!;
    expect(at.status).toBe('paused');
    h.r.tick(5000);
    expect(h.frames().at(-1)!.now).toBe(at.now);
    h.r.resume();
    h.r.tick(1000);
    const after = h.frames().at(-1)!.now;
    expect(after - at.now).toBeGreaterThan(0.9 * Second);
    expect(after - at.now).toBeLessThanOrEqual(1 * Second);
  });

  it('steps by one event, one reconcile and one second while paused', () => {
    const h = setup();
    h.start(1, { paused: true });
    expect(h.frames().at(-1)!.status).toBe('paused');
    h.r.step('event');
    expect(h.frames().at(-1)!.now).toBe(0.01 * Second);
    h.r.step('reconcile');
    expect(h.frames().at(-1)!.now).toBe(0.1 * Second);
    h.r.step('second');
    const f = h.frames().at(-1)!;
    expect(f.now).toBe(1.1 * Second);
    expect(f.status).toBe('paused');
    expect(f.samples.map((s) => s.t)).toEqual([Second]);
  });

  it('ignores step while running', () => {
    const h = setup();
    h.start(1);
    const n = h.frames().length;
    h.r.step('second');
    expect(h.frames().length).toBe(n);
  });

  it('seek re-runs deterministically to a time and pauses there', () => {
    const h = setup();
    h.start('max');
    h.r.tick(16);
    const full: Sample[] = h.samples();
    h.events.length = 0;
    h.r.seek(12 * Second);
    h.r.tick(16);
    const f = h.frames();
    expect(f[0]!.replace).toBe(true);
    expect(f.at(-1)!.status).toBe('paused');
    expect(f.at(-1)!.now).toBe(12 * Second);
    expect(h.samples()).toEqual(full.slice(0, 12));
  });

  it('changing speed while running re-anchors the pace', () => {
    const h = setup(600 * Second);
    h.start(1);
    h.r.tick(1000);
    const a = h.frames().at(-1)!.now;
    h.r.setSpeed(100);
    h.r.tick(1000);
    const b = h.frames().at(-1)!.now;
    expect(b - a).toBeGreaterThan(90 * Second);
    expect(b - a).toBeLessThanOrEqual(100 * Second);
  });

  it('reset drops the run and reports idle', () => {
    const h = setup();
    h.start(1);
    h.r.tick(500);
    h.r.reset();
    const f = h.frames().at(-1)!;
    expect(f.status).toBe('idle');
    expect(f.replace).toBe(true);
    h.r.tick(1000);
    expect(h.frames().at(-1)).toBe(f);
  });

  it('answers trace and metrics requests', async () => {
    const h = setup();
    h.start('max');
    h.r.tick(16);
    const spans = await h.r.trace('default/db-1');
    expect(spans.map((s) => s.stage)).toEqual(['enqueued', 'waitingForWorker', 'reconcile']);
    expect(await h.r.metrics()).toContain('controller_runtime_reconcile_total');
  });

  it('carries scenario events and log lines in frames', () => {
    const h = setup(10 * Second);
    h.start('max');
    h.r.tick(16);
    const f = h.frames();
    expect(f.flatMap((x) => x.events).map((e) => e.kind)).toEqual(['bulkCreate']);
    expect(f.flatMap((x) => x.logs)).toHaveLength(100);
  });

  it('reports an engine failure as runError (and stays usable)', () => {
    const r = new InProcessRunner(() => {
      throw new Error('maxConcurrentReconciles must be at least 1');
    });
    const ev: RunnerEvent[] = [];
    r.subscribe((e) => ev.push(e));
    r.start({
      runId: 3,
      settings: fakeSettings(0),
      scenario: fakeScenario(),
      speed: 1,
      sampleEvery: Second,
    });
    expect(ev).toEqual([
      fromWorker({
        type: 'runError',
        runId: 3,
        message: 'maxConcurrentReconciles must be at least 1',
      }),
    ]);
  });

  it('answers a message of another protocol version with a protocolError', () => {
    const h = setup();
    h.r.sendRaw({ v: 99, type: 'pause' });
    expect(h.events).toEqual([
      fromWorker({
        type: 'protocolError',
        message: `worker: protocol version 99 is not supported (expected ${PROTOCOL_VERSION})`,
      }),
    ]);
  });
});

class FakeWorker implements WorkerLike {
  static all: FakeWorker[] = [];
  sent: unknown[] = [];
  terminated = false;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  onmessageerror: ((e: MessageEvent) => void) | null = null;
  constructor() {
    FakeWorker.all.push(this);
  }
  postMessage(m: unknown): void {
    this.sent.push(m);
  }
  terminate(): void {
    this.terminated = true;
  }
  say(data: unknown): void {
    this.onmessage?.({ data } as MessageEvent);
  }
}

describe('WorkerRunner watchdog', () => {
  afterEach(() => {
    vi.useRealTimers();
    FakeWorker.all = [];
  });

  function make() {
    vi.useFakeTimers();
    let clock = 0;
    const r = new WorkerRunner({
      makeWorker: () => new FakeWorker(),
      nowMs: () => clock,
      heartbeatTimeoutMs: 4000,
      checkEveryMs: 500,
    });
    const ev: RunnerEvent[] = [];
    r.subscribe((e) => ev.push(e));
    const advance = (ms: number) => {
      clock += ms;
      vi.advanceTimersByTime(ms);
    };
    return { r, ev, advance };
  }

  it('keeps a worker that sends heartbeats', () => {
    const { r, ev, advance } = make();
    const w = FakeWorker.all[0]!;
    for (let i = 0; i < 20; i++) {
      w.say(fromWorker({ type: 'heartbeat' }));
      advance(500);
    }
    expect(ev.filter((e) => e.type === 'crashed')).toEqual([]);
    expect(w.terminated).toBe(false);
    r.dispose();
  });

  it('declares a silent worker hung, terminates it and starts a fresh one', () => {
    const { r, ev, advance } = make();
    const w = FakeWorker.all[0]!;
    w.say(fromWorker({ type: 'ready' }));
    advance(4600);
    expect(ev.map((e) => e.type)).toEqual(['ready', 'crashed', 'restarted']);
    expect(ev[1]).toMatchObject({ type: 'crashed', reason: 'hung' });
    expect(w.terminated).toBe(true);
    expect(FakeWorker.all).toHaveLength(2);
    expect(r.restarts).toBe(1);
    r.dispose();
  });

  it('treats an error event as a crash, and rejects pending requests', async () => {
    const { r, ev } = make();
    const w = FakeWorker.all[0]!;
    const p = r.metrics();
    let prevented = false;
    w.onerror?.({
      message: 'boom',
      preventDefault: () => (prevented = true),
    } as unknown as ErrorEvent);
    await expect(p).rejects.toThrow(/simulation worker error: boom/);
    expect(prevented).toBe(true);
    expect(ev.map((e) => e.type)).toEqual(['crashed', 'restarted']);
    r.dispose();
  });

  it('treats a message of another protocol version as a crash', () => {
    const { r, ev } = make();
    FakeWorker.all[0]!.say({ v: 42, type: 'frame' });
    expect(ev[0]).toMatchObject({ type: 'crashed', reason: 'protocol' });
    r.dispose();
  });

  it('ignores messages from a worker it already replaced', () => {
    const { r, ev, advance } = make();
    const old = FakeWorker.all[0]!;
    old.say(fromWorker({ type: 'ready' }));
    advance(5000);
    const n = ev.length;
    old.say(fromWorker({ type: 'heartbeat' }));
    expect(ev.length).toBe(n);
    r.dispose();
  });

  it('does not restart in a loop a worker that dies before its first message', () => {
    const { r, ev } = make();
    for (let i = 0; i < 5; i++) {
      const w = FakeWorker.all.at(-1)!;
      w.onerror?.({
        message: 'ReferenceError: x',
        preventDefault: () => {},
      } as unknown as ErrorEvent);
    }
    // Two silent deaths, then no more automatic restarts.
    expect(FakeWorker.all).toHaveLength(2);
    expect(ev.filter((e) => e.type === 'restarted')).toHaveLength(1);
    // The next command tries again with a fresh worker.
    r.pause();
    expect(FakeWorker.all).toHaveLength(3);
    expect(FakeWorker.all[2]!.sent).toEqual([{ v: PROTOCOL_VERSION, type: 'pause' }]);
    r.dispose();
  });

  it('posts versioned commands to the worker', () => {
    const { r } = make();
    r.pause();
    expect(FakeWorker.all[0]!.sent).toEqual([{ v: PROTOCOL_VERSION, type: 'pause' }]);
    r.dispose();
  });
});
