/**
 * The Monaco editor for the lab text. This module is only ever imported lazily (LabPanel uses
 * React.lazy), so Monaco, its worker and the Go grammar stay out of the initial JS.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import Editor, { type OnMount } from '@monaco-editor/react';
import { monaco, defineAppTheme } from './monacoSetup';
import { docKey, useLabStore, type EditorBridge } from '../../store/labStore';
import { useAppTheme } from './useAppTheme';
import { registerLabLanguageFeatures } from './languageFeatures';
import { toMarkers } from './markers';
import { isMacPlatform, tabFocusShortcut } from './platform';

type CodeEditor = Parameters<OnMount>[0];

export const MARKER_OWNER = 'lab-config';

/** Monaco options: readable on projectors, no minimap, no dimmed final line number (axe). */
const OPTIONS = {
  ariaLabel: 'Operator Go code (lab editor)',
  renderFinalNewline: 'on',
  minimap: { enabled: false },
  // Sticky scroll pins function headers over the first lines: confusing in a short editor.
  stickyScroll: { enabled: false },
  fontSize: 14,
  lineNumbersMinChars: 3,
  scrollBeyondLastLine: false,
  automaticLayout: true,
  tabSize: 4,
  insertSpaces: false,
  fixedOverflowWidgets: true,
  wordWrap: 'off',
  renderLineHighlight: 'line',
  accessibilitySupport: 'auto',
} as const;

export interface LabEditorProps {
  /** Called with the editor's focus state (the panel shows the Tab-trap hint while focused). */
  onFocusChange?: (focused: boolean) => void;
}

export default function LabEditor({ onFocusChange }: LabEditorProps) {
  const theme = useAppTheme();
  const doc = useLabStore((s) => s.doc);
  const compile = useLabStore((s) => s.compile);
  const compiledText = useLabStore((s) => s.compiledText);
  const tabMovesFocus = useLabStore((s) => s.tabMovesFocus);
  const [editor, setEditor] = useState<CodeEditor | null>(null);
  const themeName = useMemo(() => defineAppTheme(theme), [theme]);
  const focusCb = useRef(onFocusChange);
  focusCb.current = onFocusChange;

  useEffect(() => registerLabLanguageFeatures(monaco), []);

  // Store → editor: non-typing edits (Try in lab, reset, knob form) become one undo step each.
  useEffect(() => {
    if (!editor) return;
    const bridge: EditorBridge = {
      replaceAll(text) {
        const model = editor.getModel();
        if (!model || model.getValue() === text) return;
        editor.pushUndoStop();
        model.pushEditOperations(
          editor.getSelections(),
          [{ range: model.getFullModelRange(), text, forceMoveMarkers: true }],
          () => null,
        );
        editor.pushUndoStop();
      },
      replaceRange(range, text) {
        const model = editor.getModel();
        if (!model) return;
        // Undo puts the cursor on the value it restores (not wherever the cursor was).
        const at = new monaco.Selection(
          range.startLineNumber,
          range.startColumn,
          range.endLineNumber,
          range.endColumn,
        );
        editor.pushUndoStop();
        model.pushEditOperations([at], [{ range, text }], () => null);
        editor.pushUndoStop();
        // Show the learner the value the form just wrote.
        editor.revealRangeInCenterIfOutsideViewport(range);
      },
      undo() {
        editor.getModel()?.undo();
      },
      reveal(range) {
        editor.setSelection(range);
        editor.revealRangeInCenterIfOutsideViewport(range);
        editor.focus();
      },
    };
    return useLabStore.getState().attachEditor(bridge);
  }, [editor]);

  // The store's text wins when the editor (re)opens a model holding something else.
  useEffect(() => {
    if (!editor) return;
    const model = editor.getModel();
    const text = useLabStore.getState().text;
    if (model && model.getValue() !== text) model.setValue(text);
  }, [editor, doc]);

  // Diagnostics → markers, only when they belong to the text the model holds.
  useEffect(() => {
    const model = editor?.getModel();
    if (!model) return;
    if (!compile) {
      monaco.editor.setModelMarkers(model, MARKER_OWNER, []);
      return;
    }
    if (compiledText !== model.getValue()) return;
    monaco.editor.setModelMarkers(model, MARKER_OWNER, toMarkers(compile.diagnostics, model));
  }, [editor, compile, compiledText]);

  useEffect(() => {
    editor?.updateOptions({ tabFocusMode: tabMovesFocus });
  }, [editor, tabMovesFocus]);

  const onMount: OnMount = (ed, m) => {
    ed.addCommand(m.KeyMod.CtrlCmd | m.KeyCode.Enter, () => useLabStore.getState().requestRun());
    // Monaco's Tab trap escape, tracked here so the hint can say which mode is on and the
    // choice survives reloads. Ctrl+M; on macOS Ctrl+Shift+M (Cmd+M minimises the window).
    const toggleTab = isMacPlatform()
      ? m.KeyMod.WinCtrl | m.KeyMod.Shift | m.KeyCode.KeyM
      : m.KeyMod.CtrlCmd | m.KeyCode.KeyM;
    ed.addCommand(toggleTab, () => {
      const s = useLabStore.getState();
      s.setTabMovesFocus(!s.tabMovesFocus);
    });
    ed.onDidFocusEditorText(() => focusCb.current?.(true));
    ed.onDidBlurEditorText(() => focusCb.current?.(false));
    setEditor(ed);
  };

  return (
    <Editor
      height="100%"
      path={`file:///lab/${encodeURIComponent(docKey(doc))}/main.go`}
      defaultLanguage="go"
      defaultValue={useLabStore.getState().text}
      theme={themeName}
      options={OPTIONS}
      onMount={onMount}
      onChange={(value) => useLabStore.getState().setText(value ?? '')}
      loading={<p className="lab-editor-loading">Loading the editor…</p>}
      wrapperProps={{ 'data-testid': 'lab-editor', title: undefined }}
    />
  );
}

export { tabFocusShortcut };
