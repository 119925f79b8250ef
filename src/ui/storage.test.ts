import { describe, expect, it } from 'vitest';
import { readStored, writeStored, type KeyValueStorage } from './storage';

function memory(
  initial: Record<string, string> = {},
): KeyValueStorage & { data: Record<string, string> } {
  const data = { ...initial };
  return {
    data,
    getItem: (k) => data[k] ?? null,
    setItem: (k, v) => {
      data[k] = v;
    },
  };
}
const isNumber = (d: unknown) => (typeof d === 'number' ? d : undefined);

describe('readStored / writeStored', () => {
  it('round-trips a versioned value under the namespaced key', () => {
    const s = memory();
    writeStored('x', 2, 42, s);
    expect(s.data['reconcile-lab:x']).toBe('{"v":2,"data":42}');
    expect(readStored('x', 2, isNumber, s)).toBe(42);
  });

  it('ignores corrupted JSON, other versions and invalid data without throwing', () => {
    expect(
      readStored('x', 1, isNumber, memory({ 'reconcile-lab:x': '{not json' })),
    ).toBeUndefined();
    expect(
      readStored('x', 1, isNumber, memory({ 'reconcile-lab:x': '{"v":2,"data":1}' })),
    ).toBeUndefined();
    expect(
      readStored('x', 1, isNumber, memory({ 'reconcile-lab:x': '{"v":1,"data":"1"}' })),
    ).toBeUndefined();
    expect(readStored('x', 1, isNumber, memory({ 'reconcile-lab:x': 'null' }))).toBeUndefined();
  });

  it('survives a storage that throws', () => {
    const broken: KeyValueStorage = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('quota');
      },
    };
    expect(readStored('x', 1, isNumber, broken)).toBeUndefined();
    expect(() => writeStored('x', 1, 1, broken)).not.toThrow();
  });
});
