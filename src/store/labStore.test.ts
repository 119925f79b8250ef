// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import type { CrVersion, SimSettings } from '../engine/settings';
import type { Diagnostic } from '../lab-config/types';
import {
  COMPILE_DEBOUNCE_MS,
  LAB_QUARANTINE_KEY,
  LAB_STORAGE_KEY,
  SAVE_DEBOUNCE_MS,
  applyRangeEdit,
  createLabStore,
  docKey,
  offsetAt,
  selectErrorCount,
  selectLastGoodSettings,
  selectRunRequested,
  selectStale,
  selectVersion,
  type EditorBridge,
  type LabCompileResult,
  type LabCompiler,
} from './labStore';

/**
 * A test compiler with the real contract's shape: text containing "ERR" has an error;
 * otherwise the settings carry the number after "workers=" as MaxConcurrentReconciles.
 */
function settingsFor(workers: number, version: CrVersion): SimSettings {
  return {
    version,
    controller: {
      name: 'database',
      forKind: 'Database',
      owns: [],
      maxConcurrentReconciles: workers,
      rateLimiter: { kind: 'default' },
      reconciliationTimeout: 0,
      cacheSyncTimeout: 120_000_000_000,
    },
    client: { qps: 'default', burst: 'default' },
    manager: {
      syncPeriod: 36_000_000_000_000,
      leaderElection: false,
      replicas: 1,
      metricsBindAddress: ':8080',
    },
    indexes: [],
    reconcile: { mode: 'workqueue', ops: [] },
  };
}
function diag(code: 'LC001' | 'LC045', severity: 'error' | 'info'): Diagnostic {
  const range = {
    startLineNumber: 1,
    startColumn: 1,
    endLineNumber: 1,
    endColumn: 2,
    startOffset: 0,
    endOffset: 1,
  };
  return { code, severity, message: code, range };
}
const calls: { text: string; version: CrVersion }[] = [];
const testCompiler: LabCompiler = {
  compile(text, version): LabCompileResult {
    calls.push({ text, version });
    if (text.includes('THROW')) throw new Error('compiler bug');
    if (text.includes('ERR')) {
      return { settings: undefined, diagnostics: [diag('LC001', 'error')], knobs: [] };
    }
    const m = /workers=(\d+)/.exec(text);
    return {
      settings: settingsFor(m ? Number(m[1]) : 1, version),
      diagnostics: text.includes('INFO') ? [diag('LC045', 'info')] : [],
      knobs: [],
    };
  },
};
const DOC = { lessonId: '7.4', exerciseId: null };
const START = 'package lab // workers=2\n';

async function readyStore() {
  const store = createLabStore({ loadCompiler: () => Promise.resolve(testCompiler) });
  store.getState().openDocument(DOC, START);
  await store.getState().ensureCompiled();
  return store;
}

beforeEach(() => {
  localStorage.clear();
  calls.length = 0;
  vi.useFakeTimers();
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('documents and autosave', () => {
  it('opens a document with its starting code when nothing is saved', async () => {
    const s = await readyStore();
    expect(s.getState().text).toBe(START);
    expect(s.getState().notice).toBeNull();
    expect(s.getState().storageProblem).toBeNull();
  });

  it('autosaves after the debounce and a new page load restores the text', async () => {
    const s = await readyStore();
    s.getState().setText('package lab // workers=7\n');
    expect(localStorage.getItem(LAB_STORAGE_KEY)).toBeNull();
    vi.advanceTimersByTime(SAVE_DEBOUNCE_MS);
    const saved = JSON.parse(localStorage.getItem(LAB_STORAGE_KEY) ?? '{}') as {
      docs: Record<string, string>;
    };
    expect(saved.docs[docKey(DOC)]).toBe('package lab // workers=7\n');

    const reloaded = await readyStore();
    expect(reloaded.getState().text).toBe('package lab // workers=7\n');
    expect(reloaded.getState().notice?.kind).toBe('restored');
  });

  it('flushes a pending save on pagehide', async () => {
    const s = await readyStore();
    s.getState().setText('package lab // workers=9\n');
    window.dispatchEvent(new Event('pagehide'));
    expect(localStorage.getItem(LAB_STORAGE_KEY)).toContain('workers=9');
  });

  it('keeps one text per lesson and exercise', async () => {
    const s = await readyStore();
    s.getState().setText('lab text workers=3');
    s.getState().openDocument({ lessonId: '7.4', exerciseId: 'ex1' }, 'ex start workers=1');
    expect(s.getState().text).toBe('ex start workers=1');
    s.getState().setText('ex edit workers=4');
    s.getState().openDocument(DOC, START);
    expect(s.getState().text).toBe('lab text workers=3');
    s.getState().openDocument({ lessonId: '7.4', exerciseId: 'ex1' }, 'ex start workers=1');
    expect(s.getState().text).toBe('ex edit workers=4');
  });

  it.each([
    ['not JSON', '{"schema":1,"docs":'],
    ['a future schema', JSON.stringify({ schema: 2, docs: {} })],
    ['docs that are not strings', JSON.stringify({ schema: 1, docs: { a: 5 } })],
    ['a bare value', '42'],
  ])(
    'reports corrupted saved state (%s), sets it aside and offers the starting code',
    async (_, raw) => {
      localStorage.setItem(LAB_STORAGE_KEY, raw);
      const s = await readyStore();
      expect(s.getState().storageProblem).toMatch(/could not be read/);
      expect(s.getState().text).toBe(START);
      expect(localStorage.getItem(LAB_QUARANTINE_KEY)).toBe(raw);
      expect(localStorage.getItem(LAB_STORAGE_KEY)).toBeNull();
    },
  );

  it('ignores an unknown saved version and falls back to the latest', async () => {
    localStorage.setItem(
      LAB_STORAGE_KEY,
      JSON.stringify({ schema: 1, docs: {}, version: 'v9.9', tabMovesFocus: true }),
    );
    const s = await readyStore();
    expect(s.getState().version).toBe('v0.23');
    expect(s.getState().tabMovesFocus).toBe(true);
  });

  it('says so when autosave fails, and keeps the text', async () => {
    const s = await readyStore();
    const spy = vi.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
      throw new DOMException('quota exceeded', 'QuotaExceededError');
    });
    s.getState().setText('package lab // workers=5\n');
    vi.advanceTimersByTime(SAVE_DEBOUNCE_MS);
    expect(s.getState().storageProblem).toMatch(/Autosave failed \(.*quota exceeded\)/);
    expect(s.getState().text).toBe('package lab // workers=5\n');
    spy.mockRestore();
    s.getState().setText('package lab // workers=6\n');
    vi.advanceTimersByTime(SAVE_DEBOUNCE_MS);
    expect(s.getState().storageProblem).toBeNull();
  });
});

describe('compiling and last good settings', () => {
  it('compiles once after typing settles, not per key', async () => {
    const s = await readyStore();
    calls.length = 0;
    s.getState().setText('package lab // workers=1');
    s.getState().setText('package lab // workers=12');
    vi.advanceTimersByTime(COMPILE_DEBOUNCE_MS - 1);
    expect(calls).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(calls).toHaveLength(1);
    expect(selectLastGoodSettings(s.getState())?.controller.maxConcurrentReconciles).toBe(12);
  });

  it('keeps the last good settings in force while the text has errors', async () => {
    const s = await readyStore();
    s.getState().setText('workers=10');
    vi.advanceTimersByTime(COMPILE_DEBOUNCE_MS);
    s.getState().setText('workers=11 ERR');
    vi.advanceTimersByTime(COMPILE_DEBOUNCE_MS);
    expect(selectStale(s.getState())).toBe(true);
    expect(selectErrorCount(s.getState())).toBe(1);
    expect(selectLastGoodSettings(s.getState())?.controller.maxConcurrentReconciles).toBe(10);
    s.getState().setText('workers=11');
    vi.advanceTimersByTime(COMPILE_DEBOUNCE_MS);
    expect(selectStale(s.getState())).toBe(false);
    expect(selectLastGoodSettings(s.getState())?.controller.maxConcurrentReconciles).toBe(11);
  });

  it('information diagnostics do not make settings stale', async () => {
    const s = await readyStore();
    s.getState().setText('workers=4 INFO');
    vi.advanceTimersByTime(COMPILE_DEBOUNCE_MS);
    expect(selectStale(s.getState())).toBe(false);
    expect(selectLastGoodSettings(s.getState())?.controller.maxConcurrentReconciles).toBe(4);
  });

  it("uses the starting code's settings when a saved text has errors", async () => {
    localStorage.setItem(
      LAB_STORAGE_KEY,
      JSON.stringify({ schema: 1, docs: { [docKey(DOC)]: 'ERR' }, version: 'v0.19' }),
    );
    const s = await readyStore();
    expect(s.getState().text).toBe('ERR');
    expect(selectStale(s.getState())).toBe(true);
    expect(selectLastGoodSettings(s.getState())?.controller.maxConcurrentReconciles).toBe(2);
  });

  it('recompiles with the chosen version and saves it', async () => {
    const s = await readyStore();
    s.getState().setVersion('v0.19');
    expect(selectVersion(s.getState())).toBe('v0.19');
    expect(selectLastGoodSettings(s.getState())?.version).toBe('v0.19');
    expect(calls.at(-1)?.version).toBe('v0.19');
    vi.advanceTimersByTime(SAVE_DEBOUNCE_MS);
    expect(localStorage.getItem(LAB_STORAGE_KEY)).toContain('"version":"v0.19"');
  });

  it('a version change while the text has errors keeps old settings but under the new version', async () => {
    const s = await readyStore();
    s.getState().setText('ERR');
    vi.advanceTimersByTime(COMPILE_DEBOUNCE_MS);
    s.getState().setVersion('v0.20');
    expect(selectLastGoodSettings(s.getState())?.version).toBe('v0.20');
    expect(selectStale(s.getState())).toBe(true);
  });

  it('reports a parser that fails to load, and can retry', async () => {
    let fail = true;
    const s = createLabStore({
      loadCompiler: () =>
        fail ? Promise.reject(new Error('wasm 404')) : Promise.resolve(testCompiler),
    });
    s.getState().openDocument(DOC, START);
    await s.getState().ensureCompiled();
    expect(s.getState().compilerStatus).toBe('failed');
    expect(s.getState().compilerError).toMatch(/wasm 404/);
    fail = false;
    await s.getState().ensureCompiled();
    expect(s.getState().compilerStatus).toBe('ready');
    expect(s.getState().lastGoodSettings).not.toBeNull();
  });

  it('reports a compiler that throws, keeping the text and the last good settings', async () => {
    const s = await readyStore();
    s.getState().setText('workers=5');
    vi.advanceTimersByTime(COMPILE_DEBOUNCE_MS);
    s.getState().setText('workers=6 THROW');
    expect(() => vi.advanceTimersByTime(COMPILE_DEBOUNCE_MS)).not.toThrow();
    expect(s.getState().compileCrash).toMatch(/internal error: compiler bug/);
    expect(s.getState().text).toBe('workers=6 THROW');
    expect(selectStale(s.getState())).toBe(true);
    expect(selectLastGoodSettings(s.getState())?.controller.maxConcurrentReconciles).toBe(5);
    s.getState().setText('workers=7');
    vi.advanceTimersByTime(COMPILE_DEBOUNCE_MS);
    expect(s.getState().compileCrash).toBeNull();
    expect(selectStale(s.getState())).toBe(false);
  });

  it('a run request compiles pending text first and bumps the nonce', async () => {
    const s = await readyStore();
    s.getState().setText('workers=33');
    s.getState().requestRun();
    expect(selectRunRequested(s.getState())).toBe(1);
    expect(selectLastGoodSettings(s.getState())?.controller.maxConcurrentReconciles).toBe(33);
  });
});

describe('replacing text: Try in lab, reset, undo', () => {
  it('reset brings back the starting code and can be undone', async () => {
    const s = await readyStore();
    s.getState().setText('mine workers=8');
    s.getState().resetToStartingCode();
    expect(s.getState().text).toBe(START);
    expect(s.getState().notice?.kind).toBe('reset');
    expect(s.getState().notice?.undo?.before).toBe('mine workers=8');
    s.getState().undoReplace();
    expect(s.getState().text).toBe('mine workers=8');
    expect(s.getState().notice?.kind).toBe('undone');
  });

  it('the notice stops offering undo once the learner edits again', async () => {
    const s = await readyStore();
    s.getState().setText('mine');
    s.getState().replaceText('block workers=3', { kind: 'loaded-block', message: 'Loaded.' });
    s.getState().setText('block workers=4');
    expect(s.getState().notice?.undo).toBeUndefined();
    s.getState().undoReplace();
    expect(s.getState().text).toBe('block workers=4');
  });

  it('goes through the mounted editor so the replacement is one undo step there', async () => {
    const s = await readyStore();
    const log: string[] = [];
    let editorText = s.getState().text;
    const history: string[] = [];
    const bridge: EditorBridge = {
      replaceAll(t) {
        log.push('replaceAll');
        history.push(editorText);
        editorText = t;
        s.getState().setText(t);
      },
      replaceRange(r, t) {
        log.push('replaceRange');
        history.push(editorText);
        editorText = applyRangeEdit(editorText, r, t);
        s.getState().setText(editorText);
      },
      reveal() {
        log.push('reveal');
      },
      undo() {
        log.push('undo');
        editorText = history.pop() ?? editorText;
        s.getState().setText(editorText);
      },
    };
    const detach = s.getState().attachEditor(bridge);
    s.getState().replaceText('new workers=5', { kind: 'loaded-block', message: 'Loaded.' });
    s.getState().undoReplace();
    s.getState().editRange(
      { startLineNumber: 1, startColumn: 1, endLineNumber: 1, endColumn: 8 },
      'PACKAGE',
    );
    expect(log).toEqual(['replaceAll', 'undo', 'replaceRange']);
    expect(s.getState().text).toBe('PACKAGE lab // workers=2\n');
    detach();
    expect(s.getState().bridge).toBeNull();
  });

  it('edits a range in its own text when no editor is mounted', async () => {
    const s = await readyStore();
    s.getState().editRange(
      { startLineNumber: 1, startColumn: 24, endLineNumber: 1, endColumn: 25 },
      '64',
    );
    expect(s.getState().text).toBe('package lab // workers=64\n');
    expect(selectLastGoodSettings(s.getState())?.controller.maxConcurrentReconciles).toBe(64);
  });

  it('persists the plain-text editor choice (absent until chosen)', async () => {
    const s = await readyStore();
    expect(s.getState().plainEditor).toBeNull();
    s.getState().setPlainEditor(true);
    vi.advanceTimersByTime(SAVE_DEBOUNCE_MS);
    expect((await readyStore()).getState().plainEditor).toBe(true);
  });

  it('persists the Tab focus mode', async () => {
    const s = await readyStore();
    s.getState().setTabMovesFocus(true);
    vi.advanceTimersByTime(SAVE_DEBOUNCE_MS);
    const again = await readyStore();
    expect(again.getState().tabMovesFocus).toBe(true);
  });
});

describe('text positions', () => {
  it('offsetAt clamps like Monaco and agrees with a line split', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', '\n', 'é', ' ') }), { maxLength: 5 }),
        fc.nat(8),
        fc.nat(12),
        (parts, line, col) => {
          const text = parts.join('');
          const lines = text.split('\n');
          const off = offsetAt(text, line + 1, col + 1);
          expect(off).toBeGreaterThanOrEqual(0);
          expect(off).toBeLessThanOrEqual(text.length);
          if (line < lines.length) {
            const lineStart = lines.slice(0, line).reduce((a, l) => a + l.length + 1, 0);
            expect(off).toBe(lineStart + Math.min(col, lines[line]!.length));
          }
        },
      ),
    );
  });

  it('applyRangeEdit replaces exactly the range', () => {
    expect(
      applyRangeEdit(
        'ab\ncd\nef',
        { startLineNumber: 2, startColumn: 2, endLineNumber: 3, endColumn: 2 },
        'X',
      ),
    ).toBe('ab\ncXf');
  });
});
