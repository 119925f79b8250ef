/// <reference lib="webworker" />
/**
 * The simulation worker: the engine, a SimHost pacing it, and a heartbeat. Slices of work are
 * scheduled through a MessageChannel (a zero-delay yield that lets commands such as pause
 * through between slices) or a timer when the run is ahead of its pace.
 */
import { createSimulation } from '../engine/sim/simulation';
import { HEARTBEAT_INTERVAL_MS, checkToWorker, fromWorker, type FromWorker } from './protocol';
import { SimHost } from './host';

const scope = self as unknown as DedicatedWorkerGlobalScope;

function post(m: FromWorker): void {
  scope.postMessage(m);
}

const host = new SimHost({
  createSimulation,
  nowMs: () => performance.now(),
  post,
});

const channel = new MessageChannel();
let scheduled = false;
let timer: ReturnType<typeof setTimeout> | null = null;

function runSlice(): void {
  scheduled = false;
  const d = host.slice();
  if (d === null) return;
  schedule(d);
}

function schedule(delay: number): void {
  if (scheduled || timer !== null) return;
  if (delay <= 0) {
    scheduled = true;
    channel.port2.postMessage(null);
  } else {
    timer = setTimeout(() => {
      timer = null;
      runSlice();
    }, delay);
  }
}

channel.port1.onmessage = runSlice;

scope.onmessage = (e: MessageEvent<unknown>) => {
  const c = checkToWorker(e.data);
  if (!c.ok) {
    post(fromWorker({ type: 'protocolError', message: c.error }));
    return;
  }
  const msg = c.msg;
  if (msg.type === 'debugCrash') {
    // Test hook: an uncaught error in the worker (the main thread sees an error event).
    setTimeout(() => {
      throw new Error('Reconcile Lab: simulated worker crash (test hook)');
    }, 0);
    return;
  }
  if (msg.type === 'debugHang') {
    // Test hook: block the worker forever; only the heartbeat watchdog can notice.
    for (;;) {
      if (performance.now() < 0) break;
    }
    return;
  }
  host.handle(msg);
  if (host.busy()) {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    schedule(0);
  }
};

setInterval(() => post(fromWorker({ type: 'heartbeat' })), HEARTBEAT_INTERVAL_MS);
post(fromWorker({ type: 'ready' }));
