import { describe, expect, it } from 'vitest';
import type { KeyValueStorage } from '../storage';
import { loadReadSections, saveReadSections, withSectionsRead } from './readProgress';

function memory(initial?: string): KeyValueStorage {
  let value = initial ?? null;
  return {
    getItem: () => value,
    setItem: (_k, v) => {
      value = v;
    },
  };
}

describe('read progress', () => {
  it('keeps read sections per lesson across a reload', () => {
    const s = memory();
    saveReadSections(withSectionsRead({}, 'l1', ['a', 'b'], true), s);
    const loaded = loadReadSections(s);
    expect(loaded).toEqual({ l1: ['a', 'b'] });
    expect(withSectionsRead(loaded, 'l1', ['a'], false)).toEqual({ l1: ['b'] });
  });

  it('ignores corrupted data without crashing', () => {
    expect(loadReadSections(memory('garbage'))).toEqual({});
    expect(loadReadSections(memory('{"v":1,"data":[1,2]}'))).toEqual({});
    expect(loadReadSections(memory('{"v":99,"data":{"l1":["a"]}}'))).toEqual({});
  });

  it('keeps the well-formed part of partly damaged data', () => {
    expect(loadReadSections(memory('{"v":1,"data":{"l1":["a",3,"a"],"l2":"x"}}'))).toEqual({
      l1: ['a'],
    });
  });
});
