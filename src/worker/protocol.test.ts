import { describe, expect, it } from 'vitest';
import {
  PROTOCOL_VERSION,
  checkFromWorker,
  checkToWorker,
  clampSpeed,
  formatSpeed,
  fromWorker,
  toWorker,
} from './protocol';

describe('protocol', () => {
  it('stamps every message with the protocol version', () => {
    expect(toWorker({ type: 'pause' })).toEqual({ v: PROTOCOL_VERSION, type: 'pause' });
    expect(fromWorker({ type: 'heartbeat' })).toEqual({ v: PROTOCOL_VERSION, type: 'heartbeat' });
  });

  it('accepts a well-formed message of the current version', () => {
    const c = checkToWorker(toWorker({ type: 'step', unit: 'reconcile' }));
    expect(c.ok).toBe(true);
  });

  it('refuses a message of another version, naming both versions', () => {
    const c = checkToWorker({ v: PROTOCOL_VERSION + 1, type: 'pause' });
    expect(c).toEqual({
      ok: false,
      error: `worker: protocol version ${PROTOCOL_VERSION + 1} is not supported (expected ${PROTOCOL_VERSION})`,
    });
    expect(checkFromWorker({ type: 'frame' }).ok).toBe(false);
  });

  it('refuses unknown message types and non-objects', () => {
    expect(checkToWorker({ v: PROTOCOL_VERSION, type: 'format-disk' }).ok).toBe(false);
    expect(checkFromWorker({ v: PROTOCOL_VERSION, type: 'start' }).ok).toBe(false);
    expect(checkToWorker(null).ok).toBe(false);
    expect(checkToWorker('pause').ok).toBe(false);
  });

  it('formats and clamps speeds', () => {
    expect(formatSpeed('max')).toBe('as fast as possible');
    expect(formatSpeed(0.1)).toBe('0.1×');
    expect(clampSpeed(5000)).toBe(1000);
    expect(clampSpeed(0.01)).toBe(0.1);
    expect(clampSpeed(Number.NaN)).toBe(1);
    expect(clampSpeed(-3)).toBe(1);
    expect(clampSpeed('max')).toBe('max');
  });
});
