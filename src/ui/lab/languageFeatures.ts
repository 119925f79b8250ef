/**
 * Hover and completion for the lab's Go text (registered once for the 'go' language).
 * Hover: on each recognised knob (its value, or the field name / assignment target in front
 * of it), what it does, its default in the chosen controller-runtime version and where that
 * comes from. Completion: the known constructors, options and list options.
 */
import type { Knob } from '../../lab-config/types';
import type { CrVersion } from '../../engine/settings';
import { docForKnob, knobDocs, type KnobDoc } from '../../lab-config/docs';
import { COMPLETIONS, type CompletionItem } from '../../lab-config/completions';
import { useLabStore } from '../../store/labStore';
import type { Monaco } from './monacoSetup';

type Model = ReturnType<Monaco['editor']['createModel']>;

/** The knob under an offset: inside its value, or on the key of `Key: value` / `x.Key = value`. */
export function knobAt(knobs: readonly Knob[], text: string, offset: number): Knob | undefined {
  const inside = knobs.find((k) => offset >= k.range.startOffset && offset <= k.range.endOffset);
  if (inside) return inside;
  const w = wordAt(text, offset);
  if (!w) return undefined;
  const after = /^[ \t]*(:=|:|=)[ \t]*/.exec(text.slice(w.end, w.end + 40));
  if (!after) return undefined;
  const valueStart = w.end + after[0].length;
  return knobs.find((k) => k.range.startOffset === valueStart);
}

function wordAt(text: string, offset: number): { start: number; end: number; word: string } | null {
  let s = offset;
  let e = offset;
  while (s > 0 && /\w/.test(text[s - 1] ?? '')) s--;
  while (e < text.length && /\w/.test(text[e] ?? '')) e++;
  return s === e ? null : { start: s, end: e, word: text.slice(s, e) };
}

/** Hover text for a knob: its value, what it does, its default in this version, the source. */
export function knobHover(knob: Knob, version: CrVersion): string[] {
  const doc = docForKnob(knob.id, version);
  const lines = [`**${doc?.title ?? knob.label}** = \`${formatValue(knob)}\``];
  if (doc) lines.push(...docLines(doc, version));
  return lines;
}

function docLines(doc: KnobDoc, version: CrVersion): string[] {
  return [
    doc.summary,
    `Default in controller-runtime ${version}: \`${doc.default}\``,
    `Source: ${doc.source}`,
  ];
}

/** Hover text for a recognised Go identifier (constructors, list options), if documented. */
export function identifierHover(word: string, version: CrVersion): string[] | undefined {
  if (!/^[A-Z]/.test(word)) return undefined;
  const doc = knobDocs(version)[word];
  return doc ? [`**${doc.title}**`, ...docLines(doc, version)] : undefined;
}

function formatValue(k: Knob): string {
  if (typeof k.value === 'number' && !Number.isFinite(k.value)) return 'rate.Inf';
  return String(k.value);
}

/**
 * Completion items for a cursor position. `qualifier` is the text typed before the word
 * (e.g. `workqueue.` or `&workqueue.`): only items spelled with it are offered, and the
 * replaced range includes it so the qualifier is not written twice.
 */
export function completionsFor(qualifier: string): { item: CompletionItem; filterText: string }[] {
  return COMPLETIONS.map((item) => ({ item, filterText: leadingName(item.insertText) })).filter(
    ({ filterText }) => qualifier === '' || filterText.startsWith(qualifier),
  );
}

function leadingName(insertText: string): string {
  return /^&?[\w.]+/.exec(insertText)?.[0] ?? insertText;
}

let registered: { dispose(): void } | null = null;
let users = 0;

/** Registers hover and completion providers once; returns a release function. */
export function registerLabLanguageFeatures(monaco: Monaco): () => void {
  users += 1;
  if (!registered) {
    const hover = monaco.languages.registerHoverProvider('go', {
      provideHover(model: Model, position) {
        const s = useLabStore.getState();
        const text = model.getValue();
        const offset = model.getOffsetAt(position);
        if (s.compile && s.compiledText === text) {
          const knob = knobAt(s.compile.knobs, text, offset);
          if (knob) {
            const r = knob.range;
            return {
              range: new monaco.Range(
                r.startLineNumber,
                r.startColumn,
                r.endLineNumber,
                r.endColumn,
              ),
              contents: knobHover(knob, s.version).map((value) => ({ value })),
            };
          }
        }
        const w = wordAt(text, offset);
        const lines = w && identifierHover(w.word, s.version);
        if (!w || !lines) return null;
        const a = model.getPositionAt(w.start);
        const b = model.getPositionAt(w.end);
        return {
          range: new monaco.Range(a.lineNumber, a.column, b.lineNumber, b.column),
          contents: lines.map((value) => ({ value })),
        };
      },
    });
    const completion = monaco.languages.registerCompletionItemProvider('go', {
      triggerCharacters: ['.'],
      provideCompletionItems(model: Model, position) {
        const word = model.getWordUntilPosition(position);
        const linePrefix = model
          .getLineContent(position.lineNumber)
          .slice(0, Math.max(0, word.startColumn - 1));
        const qualifier = /&?[A-Za-z_]\w*\.$/.exec(linePrefix)?.[0] ?? '';
        // A member of something else (r., ctx., req.): nothing of ours applies.
        if (qualifier && !COMPLETIONS.some((c) => leadingName(c.insertText).startsWith(qualifier)))
          return { suggestions: [] };
        const range = new monaco.Range(
          position.lineNumber,
          word.startColumn - qualifier.length,
          position.lineNumber,
          word.endColumn,
        );
        const suggestions = completionsFor(qualifier).map(({ item, filterText }) => ({
          label: item.label,
          kind: completionKind(monaco, item),
          detail: contextLabel(item.context),
          documentation: { value: item.documentation },
          insertText: item.insertText,
          filterText,
          insertTextRules: item.snippet
            ? monaco.languages.CompletionItemInsertTextRule.InsertAsSnippet
            : undefined,
          range,
        }));
        return { suggestions };
      },
    });
    registered = {
      dispose() {
        hover.dispose();
        completion.dispose();
      },
    };
  }
  return () => {
    users -= 1;
    if (users === 0 && registered) {
      registered.dispose();
      registered = null;
    }
  };
}

function contextLabel(c: CompletionItem['context']): string {
  switch (c) {
    case 'rateLimiter':
      return 'workqueue rate limiter';
    case 'controllerOptions':
      return 'controller.Options field';
    case 'listOptions':
      return 'List option';
    case 'managerOptions':
      return 'manager option';
    case 'reconcile':
      return 'Reconcile';
    case 'any':
      return 'Reconcile Lab';
  }
}

function completionKind(monaco: Monaco, c: CompletionItem) {
  const K = monaco.languages.CompletionItemKind;
  switch (c.kind) {
    case 'constructor':
      return K.Constructor;
    case 'field':
      return K.Field;
    case 'listOption':
    case 'function':
      return K.Function;
    case 'value':
      return K.Value;
  }
}
