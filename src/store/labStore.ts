import { create } from 'zustand';
import type { CrVersion, SimSettings } from '../engine/settings';
import { CR_VERSIONS, LATEST_CR_VERSION } from '../engine/settings';
import type { CompileResult, Knob } from '../lab-config/types';

/** The latest compile: settings (undefined if errors), diagnostics and recognised knobs. */
export type LabCompileResult = CompileResult;

/** What the store needs from src/lab-config once the parser has loaded. */
export interface LabCompiler {
  compile(text: string, version: CrVersion): LabCompileResult;
}

/**
 * The lab editor's state: the Go text per lesson and exercise (autosaved), the chosen
 * controller-runtime version, the latest compile result, the last good SimSettings, the
 * "run" intent, and the hand-off from the lesson's "Try in lab" buttons.
 *
 * Readers outside the editor (the run panel, the worker bridge) use the selectors at the end
 * of this file: `selectLastGoodSettings`, `selectVersion`, `selectRunRequested`.
 */

/** localStorage key of the saved lab state. The number is the schema version. */
export const LAB_STORAGE_KEY = 'reconcile-lab:lab:v1';
/** Where an unreadable saved state is moved, so nothing the learner wrote is destroyed. */
export const LAB_QUARANTINE_KEY = 'reconcile-lab:lab:unreadable';
export const LAB_SCHEMA = 1;
/** Text compile debounce (parsing takes well under a millisecond; this only batches keys). */
export const COMPILE_DEBOUNCE_MS = 150;
/** Autosave debounce. Pending saves are flushed on pagehide. */
export const SAVE_DEBOUNCE_MS = 400;

/** A document is one editor text: the lesson's lab, or one exercise of it. */
export interface LabDocumentId {
  lessonId: string;
  /** null: the lesson's free lab (not an exercise). */
  exerciseId: string | null;
}

export function docKey(id: LabDocumentId): string {
  return `${id.lessonId}#${id.exerciseId ?? 'lab'}`;
}

/** 1-based, end-exclusive columns, as Monaco counts them. */
export interface TextRange {
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
}

/**
 * What the Monaco editor registers while it is mounted, so text changes that do not come from
 * typing (Try in lab, reset, the knob form) become undoable edits in the editor. Without a
 * mounted editor the store edits its own text.
 */
export interface EditorBridge {
  /** Replace the whole text as one undo step. */
  replaceAll(text: string): void;
  /** Replace one range as one undo step. */
  replaceRange(range: TextRange, text: string): void;
  /** Undo the last undo step (Monaco's model.undo()). */
  undo(): void;
  /** Select a range, scroll it into view and focus the editor (the problems list). */
  reveal(range: TextRange): void;
}

export interface LabNotice {
  /** Increases with each notice, so the same message twice is announced twice. */
  id: number;
  kind: 'loaded-block' | 'reset' | 'restored' | 'undone';
  message: string;
  /** The text before the replacement, while an undo of it is still meaningful. */
  undo?: { before: string; after: string };
}

export type CompilerStatus = 'idle' | 'loading' | 'ready' | 'failed';

export interface LabState {
  doc: LabDocumentId;
  /** The starting code of the open document (the lesson's lab.go or the exercise's). */
  startingCode: string;
  /** The editor text of the open document. */
  text: string;
  /** Saved texts of all documents (the open one included), by docKey. */
  texts: Record<string, string>;
  /** The chosen controller-runtime version (selects the defaults the simulation uses). */
  version: CrVersion;
  /** The latest compile of `text` (null until the parser has loaded). */
  compile: LabCompileResult | null;
  /** The text `compile` belongs to; differs from `text` while a compile is pending. */
  compiledText: string | null;
  /** The settings of the last text that compiled without errors: what a run uses. */
  lastGoodSettings: SimSettings | null;
  /**
   * True when the current text has errors and `lastGoodSettings` come from an earlier text
   * (or from the starting code).
   */
  stale: boolean;
  /** Increases on every Ctrl/Cmd+Enter or Run request; the run panel reacts to changes. */
  runRequested: number;
  notice: LabNotice | null;
  /** A problem with saved state or autosave (shown to the learner; never thrown). */
  storageProblem: string | null;
  /** Monaco's Tab focus mode (Ctrl+M): Tab moves focus instead of inserting a tab. Persisted. */
  tabMovesFocus: boolean;
  /**
   * A plain <textarea> instead of Monaco (Monaco does not work well with touch keyboards).
   * null: not chosen yet (the panel picks plain text on touch-only devices). Persisted.
   */
  plainEditor: boolean | null;
  compilerStatus: CompilerStatus;
  compilerError: string | null;
  /** The compiler threw on the current text (a bug, reported; the text is kept). */
  compileCrash: string | null;
  bridge: EditorBridge | null;

  /** Open a document: its saved text, or its starting code. */
  openDocument(id: LabDocumentId, startingCode: string): void;
  /** The editor's text changed (typing, or an applied bridge edit). */
  setText(text: string): void;
  /**
   * Replace the whole text from outside the editor as one undoable edit, with a notice.
   * Used by Try in lab and reset.
   */
  replaceText(text: string, notice: Pick<LabNotice, 'kind' | 'message'>): void;
  /** Replace a range (the knob form): one undo step in the editor. */
  editRange(range: TextRange, replacement: string): void;
  /**
   * Edit one knob's value in the text (the knob form). Pending text is compiled first so the
   * knob's range is current; `literal` returns the new Go text for the knob's range. Returns
   * false if the knob is not in the text.
   */
  editKnob(id: string, literal: (knob: Knob, oldText: string) => string): boolean;
  resetToStartingCode(): void;
  /** Undo the replacement announced by the current notice. */
  undoReplace(): void;
  dismissNotice(): void;
  setVersion(version: CrVersion): void;
  requestRun(): void;
  setTabMovesFocus(on: boolean): void;
  setPlainEditor(on: boolean): void;
  attachEditor(bridge: EditorBridge): () => void;
  /** Load the parser (once) and compile the current text now. */
  ensureCompiled(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Persistence

interface SavedLabV1 {
  schema: 1;
  docs: Record<string, string>;
  version: CrVersion;
  tabMovesFocus: boolean;
  /** Added later in schema 1: absent means not chosen. */
  plainEditor?: boolean;
}

export interface LoadedLab {
  saved: SavedLabV1 | null;
  problem: string | null;
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** Reads and validates the saved state. Anything unreadable is quarantined and reported. */
export function loadSavedLab(): LoadedLab {
  const ls = storage();
  if (!ls) return { saved: null, problem: null };
  let raw: string | null;
  try {
    raw = ls.getItem(LAB_STORAGE_KEY);
  } catch (e) {
    return { saved: null, problem: `Saved lab code could not be read (${String(e)}).` };
  }
  if (raw === null) return { saved: null, problem: null };
  const parsed = parseSaved(raw);
  if (parsed) return { saved: parsed, problem: null };
  try {
    ls.setItem(LAB_QUARANTINE_KEY, raw);
    ls.removeItem(LAB_STORAGE_KEY);
  } catch {
    // Storage full or blocked: the unreadable entry stays where it is; nothing is lost.
  }
  return {
    saved: null,
    problem:
      'Your saved lab code could not be read (the stored data is damaged or from another ' +
      `version). It was set aside under "${LAB_QUARANTINE_KEY}" and the lesson's starting ` +
      'code is loaded.',
  };
}

function parseSaved(raw: string): SavedLabV1 | null {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (o.schema !== LAB_SCHEMA) return null;
  if (typeof o.docs !== 'object' || o.docs === null || Array.isArray(o.docs)) return null;
  const docs: Record<string, string> = {};
  for (const [k, t] of Object.entries(o.docs as Record<string, unknown>)) {
    if (typeof t !== 'string') return null;
    docs[k] = t;
  }
  const version = CR_VERSIONS.includes(o.version as CrVersion)
    ? (o.version as CrVersion)
    : LATEST_CR_VERSION;
  const saved: SavedLabV1 = { schema: 1, docs, version, tabMovesFocus: o.tabMovesFocus === true };
  if (typeof o.plainEditor === 'boolean') saved.plainEditor = o.plainEditor;
  return saved;
}

function writeSaved(
  s: Pick<LabState, 'texts' | 'version' | 'tabMovesFocus' | 'plainEditor'>,
): string | null {
  const ls = storage();
  if (!ls) return null;
  const data: SavedLabV1 = {
    schema: 1,
    docs: s.texts,
    version: s.version,
    tabMovesFocus: s.tabMovesFocus,
    ...(s.plainEditor === null ? {} : { plainEditor: s.plainEditor }),
  };
  try {
    ls.setItem(LAB_STORAGE_KEY, JSON.stringify(data));
    return null;
  } catch (e) {
    return `Autosave failed (${e instanceof Error ? e.message : String(e)}); your code is kept in this tab only.`;
  }
}

// ---------------------------------------------------------------------------------------------
// The store

export interface LabStoreOptions {
  /** Loads the Go compiler (parser wasm and all). Default: src/lab-config's browser loader. */
  loadCompiler: () => Promise<LabCompiler>;
}

const defaultLoadCompiler = async (): Promise<LabCompiler> => {
  // Lazy: the parser (about 1 MB of wasm) loads only when the lab needs it.
  const [browser, lab] = await Promise.all([
    import('../lab-config/parser-browser'),
    import('../lab-config/compile'),
  ]);
  await browser.initGoParserForBrowser();
  return { compile: (text, version) => lab.compileLabText(text, { version }) };
};

export function createLabStore(opts: LabStoreOptions = { loadCompiler: defaultLoadCompiler }) {
  const loaded = loadSavedLab();
  let compiler: LabCompiler | null = null;
  let compilerPromise: Promise<LabCompiler | null> | null = null;
  let compileTimer: ReturnType<typeof setTimeout> | null = null;
  let saveTimer: ReturnType<typeof setTimeout> | null = null;
  let noticeSeq = 0;

  return create<LabState>((set, get) => {
    function scheduleSave() {
      if (saveTimer !== null) clearTimeout(saveTimer);
      saveTimer = setTimeout(flushSave, SAVE_DEBOUNCE_MS);
    }
    function flushSave() {
      if (saveTimer !== null) clearTimeout(saveTimer);
      saveTimer = null;
      const problem = writeSaved(get());
      const cur = get().storageProblem;
      if (problem !== null) set({ storageProblem: problem });
      else if (cur?.startsWith('Autosave failed')) set({ storageProblem: null });
    }
    if (typeof window !== 'undefined') window.addEventListener('pagehide', flushSave);

    function compileNow() {
      if (compileTimer !== null) clearTimeout(compileTimer);
      compileTimer = null;
      if (!compiler) return;
      const { text, version, startingCode } = get();
      let result: LabCompileResult;
      try {
        result = compiler.compile(text, version);
      } catch (e) {
        // A bug in the compiler must not lose the text or the settings in force.
        set({
          compileCrash: `The lab could not check this code (internal error: ${e instanceof Error ? e.message : String(e)}). Your text is kept and the last good settings stay in force.`,
          compiledText: text,
          stale: get().lastGoodSettings !== null,
        });
        return;
      }
      if (get().compileCrash !== null) set({ compileCrash: null });
      const ok = result.settings !== undefined && !hasErrors(result);
      if (ok) {
        set({
          compile: result,
          compiledText: text,
          lastGoodSettings: result.settings ?? null,
          stale: false,
        });
        return;
      }
      let lastGood = get().lastGoodSettings;
      // Nothing good yet for this document (e.g. it was saved with errors): the starting
      // code's settings are in force until the text compiles.
      if (lastGood === null && startingCode !== text) {
        const start = compiler.compile(startingCode, version);
        if (start.settings !== undefined && !hasErrors(start)) lastGood = start.settings;
      }
      // A version change must not leave settings of another version in force.
      if (lastGood !== null && lastGood.version !== version) lastGood = { ...lastGood, version };
      set({
        compile: result,
        compiledText: text,
        lastGoodSettings: lastGood,
        stale: lastGood !== null,
      });
    }
    function scheduleCompile() {
      if (compileTimer !== null) clearTimeout(compileTimer);
      compileTimer = setTimeout(compileNow, COMPILE_DEBOUNCE_MS);
    }
    function applyText(text: string) {
      const { doc, texts } = get();
      set({ text, texts: { ...texts, [docKey(doc)]: text } });
      scheduleSave();
      scheduleCompile();
    }
    function notice(n: Omit<LabNotice, 'id'>): LabNotice {
      noticeSeq += 1;
      return { ...n, id: noticeSeq };
    }

    return {
      doc: { lessonId: '', exerciseId: null },
      startingCode: '',
      text: '',
      texts: loaded.saved?.docs ?? {},
      version: loaded.saved?.version ?? LATEST_CR_VERSION,
      compile: null,
      compiledText: null,
      lastGoodSettings: null,
      stale: false,
      runRequested: 0,
      notice: null,
      storageProblem: loaded.problem,
      tabMovesFocus: loaded.saved?.tabMovesFocus ?? false,
      plainEditor: loaded.saved?.plainEditor ?? null,
      compilerStatus: 'idle',
      compilerError: null,
      compileCrash: null,
      bridge: null,

      openDocument(id, startingCode) {
        const key = docKey(id);
        const saved = get().texts[key];
        const text = saved ?? startingCode;
        const same = docKey(get().doc) === key && get().startingCode === startingCode;
        set({
          doc: id,
          startingCode,
          text,
          texts: { ...get().texts, [key]: text },
          ...(same
            ? {}
            : { compile: null, compiledText: null, lastGoodSettings: null, stale: false }),
          notice:
            saved !== undefined && saved !== startingCode
              ? notice({
                  kind: 'restored',
                  message:
                    'Your saved code for this lab was restored. "Reset to starting code" brings back the original.',
                })
              : get().notice,
        });
        compileNow();
      },

      setText(text) {
        if (text === get().text) return;
        const n = get().notice;
        // Once the learner edits after a replacement, the notice's undo would lose that edit;
        // Monaco's own undo (Ctrl/Cmd+Z) still steps back through everything.
        if (n?.undo && n.undo.after !== text) set({ notice: { ...n, undo: undefined } });
        applyText(text);
      },

      replaceText(text, n) {
        const before = get().text;
        const bridge = get().bridge;
        if (bridge) bridge.replaceAll(text);
        if (get().text !== text) applyText(text);
        set({
          notice: notice({ ...n, undo: before === text ? undefined : { before, after: text } }),
        });
        compileNow();
      },

      editRange(range, replacement) {
        const bridge = get().bridge;
        if (bridge) bridge.replaceRange(range, replacement);
        else applyText(applyRangeEdit(get().text, range, replacement));
        compileNow();
      },

      editKnob(id, literal) {
        if (get().compiledText !== get().text) compileNow();
        const { compile, compiledText, text } = get();
        if (!compile || compiledText !== text) return false;
        const knob = compile.knobs.find((k) => k.id === id);
        if (!knob) return false;
        const old = text.slice(knob.range.startOffset, knob.range.endOffset);
        const next = literal(knob, old);
        if (next === old) return true;
        get().editRange(knob.range, next);
        return true;
      },

      resetToStartingCode() {
        get().replaceText(get().startingCode, {
          kind: 'reset',
          message: "The lesson's starting code is back in the editor.",
        });
      },

      undoReplace() {
        const n = get().notice;
        if (!n?.undo || get().text !== n.undo.after) return;
        const bridge = get().bridge;
        if (bridge) bridge.undo();
        if (get().text !== n.undo.before) applyText(n.undo.before);
        set({ notice: notice({ kind: 'undone', message: 'Undone: your previous code is back.' }) });
        compileNow();
      },

      dismissNotice() {
        set({ notice: null });
      },

      setVersion(version) {
        if (version === get().version) return;
        set({ version });
        scheduleSave();
        compileNow();
      },

      requestRun() {
        compileNow();
        set({ runRequested: get().runRequested + 1 });
      },

      setTabMovesFocus(on) {
        set({ tabMovesFocus: on });
        scheduleSave();
      },

      setPlainEditor(on) {
        set({ plainEditor: on });
        scheduleSave();
      },

      attachEditor(bridge) {
        set({ bridge });
        return () => {
          if (get().bridge === bridge) set({ bridge: null });
        };
      },

      async ensureCompiled() {
        if (!compilerPromise) {
          set({ compilerStatus: 'loading', compilerError: null });
          compilerPromise = opts.loadCompiler().then(
            (c) => {
              compiler = c;
              set({ compilerStatus: 'ready' });
              return c;
            },
            (e: unknown) => {
              compilerPromise = null;
              set({
                compilerStatus: 'failed',
                compilerError: `The Go parser could not be loaded (${e instanceof Error ? e.message : String(e)}).`,
              });
              return null;
            },
          );
        }
        await compilerPromise;
        compileNow();
      },
    };
  });
}

export function hasErrors(r: LabCompileResult): boolean {
  return r.diagnostics.some((d) => d.severity === 'error');
}

/** Applies a 1-based line/column range edit to a string (no editor mounted). */
export function applyRangeEdit(text: string, range: TextRange, replacement: string): string {
  const start = offsetAt(text, range.startLineNumber, range.startColumn);
  const end = offsetAt(text, range.endLineNumber, range.endColumn);
  return text.slice(0, start) + replacement + text.slice(Math.max(start, end));
}

/** Offset of a 1-based (line, column) in text, clamped to the text like Monaco does. */
export function offsetAt(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl === -1) return text.length;
    offset = nl + 1;
  }
  const eol = text.indexOf('\n', offset);
  const lineEnd = eol === -1 ? text.length : eol;
  return Math.min(offset + Math.max(0, column - 1), lineEnd);
}

export const useLabStore = createLabStore();

// ---------------------------------------------------------------------------------------------
// Selectors for other parts of the app (stable references; use with useLabStore(selector)).

/** The settings a run should use: the last text that compiled without errors (null: none yet). */
export const selectLastGoodSettings = (s: LabState): SimSettings | null => s.lastGoodSettings;
/** The chosen controller-runtime version. */
export const selectVersion = (s: LabState): CrVersion => s.version;
/** A counter that increases on each run request (Ctrl/Cmd+Enter in the editor). */
export const selectRunRequested = (s: LabState): number => s.runRequested;
/** True when the editor text has errors and older settings are in force. */
export const selectStale = (s: LabState): boolean => s.stale;
/** Number of error diagnostics in the latest compile. */
export const selectErrorCount = (s: LabState): number =>
  s.compile ? s.compile.diagnostics.filter((d) => d.severity === 'error').length : 0;
