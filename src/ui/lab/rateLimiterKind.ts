/**
 * The knob form's "rate limiter kind" select: rewrites the `RateLimiter:` field of the
 * `controller.Options{…}` literal with a constructor written as in client-go, or removes it
 * (the version's default). The parameters of each kind then appear as sliders.
 */
import type { RateLimiterSpec } from '../../engine/settings';
import { field, keyedElements, kids, typeName } from '../../lab-config/ast';
import { parseGo, type SyntaxNode } from '../../lab-config/parser';
import { LineIndex } from '../../lab-config/source';
import type { SourceRange } from '../../lab-config/types';

export type LimiterKind = 'default' | Exclude<RateLimiterSpec['kind'], 'default'>;

export interface LimiterChoice {
  kind: LimiterKind;
  label: string;
  /** The Go expression written for this kind (empty for 'default': the field is removed). */
  go: string;
}

/** The choices, with the parameters client-go and the lesson use. */
export const LIMITER_CHOICES: readonly LimiterChoice[] = [
  { kind: 'default', label: 'Version default (no RateLimiter option)', go: '' },
  {
    kind: 'itemExponentialFailure',
    label: 'Per-item exponential backoff',
    go: 'workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](5*time.Millisecond, 1000*time.Second)',
  },
  {
    kind: 'defaultController',
    label: 'DefaultTypedControllerRateLimiter (exponential + 10 qps bucket)',
    go: 'workqueue.DefaultTypedControllerRateLimiter[reconcile.Request]()',
  },
  {
    kind: 'maxOf',
    label: 'MaxOf(exponential, bucket), written out',
    go:
      'workqueue.NewTypedMaxOfRateLimiter(\n' +
      '\tworkqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](5*time.Millisecond, 1000*time.Second),\n' +
      '\t&workqueue.TypedBucketRateLimiter[reconcile.Request]{Limiter: rate.NewLimiter(rate.Limit(10), 100)},\n' +
      ')',
  },
  {
    kind: 'bucket',
    label: 'One shared token bucket',
    go: '&workqueue.TypedBucketRateLimiter[reconcile.Request]{Limiter: rate.NewLimiter(rate.Limit(10), 100)}',
  },
  {
    kind: 'itemFastSlow',
    label: 'Fast, then slow retries',
    go: 'workqueue.NewTypedItemFastSlowRateLimiter[reconcile.Request](5*time.Millisecond, 10*time.Second, 3)',
  },
  {
    kind: 'withMaxWait',
    label: 'Default controller limiter, capped wait',
    go: 'workqueue.NewTypedWithMaxWaitRateLimiter(workqueue.DefaultTypedControllerRateLimiter[reconcile.Request](), 10*time.Second)',
  },
  {
    kind: 'defaultItemBased',
    label: 'DefaultTypedItemBasedRateLimiter (exponential 1ms…1000s)',
    go: 'workqueue.DefaultTypedItemBasedRateLimiter[reconcile.Request]()',
  },
];

export interface TextEdit {
  range: SourceRange;
  text: string;
}

function* walk(n: SyntaxNode): Generator<SyntaxNode> {
  yield n;
  for (const c of kids(n)) yield* walk(c);
}

/** The first `controller.Options{…}` literal. */
function optionsLiteral(root: SyntaxNode): SyntaxNode | undefined {
  for (const n of walk(root)) {
    if (n.type !== 'composite_literal') continue;
    const t = typeName(field(n, 'type'));
    if (t && t.pkg === 'controller' && t.name === 'Options') return n;
  }
  return undefined;
}

/** Indentation of the line holding `offset`. */
function indentAt(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))?.[0] ?? '';
}

function indentLines(go: string, indent: string): string {
  return go.replace(/\n/g, `\n${indent}`);
}

/**
 * The edit that makes the code use `kind`, or undefined when the code has no
 * controller.Options literal (or already says nothing and 'default' is asked for).
 */
export function rateLimiterEdit(text: string, kind: LimiterKind): TextEdit | undefined {
  const choice = LIMITER_CHOICES.find((c) => c.kind === kind);
  if (!choice) return undefined;
  const tree = parseGo(text);
  try {
    const lit = optionsLiteral(tree.rootNode);
    if (!lit) return undefined;
    const lines = new LineIndex(text);
    const fields = keyedElements(lit);
    const current = fields.find((f) => f.key === 'RateLimiter');
    if (current) {
      const el = current.keyNode.parent?.parent ?? current.keyNode;
      const indent = indentAt(text, el.startIndex);
      if (kind === 'default') {
        // Remove the whole line(s) of the field, its comma, and a comment line right above.
        let start = text.lastIndexOf('\n', el.startIndex - 1) + 1;
        const prevLineStart = text.lastIndexOf('\n', start - 2) + 1;
        if (/^[ \t]*\/\/.*RateLimiter/.test(text.slice(prevLineStart, start - 1)))
          start = prevLineStart;
        let end = el.endIndex;
        const after = /^[ \t]*,?[ \t]*(\/\/[^\n]*)?\n?/.exec(text.slice(end));
        end += after?.[0].length ?? 0;
        return { range: lines.range(start, end), text: '' };
      }
      const value = field(el, 'value') ?? current.value;
      return {
        range: lines.range(value.startIndex, value.endIndex),
        text: indentLines(choice.go, indent),
      };
    }
    if (kind === 'default') return undefined;
    // No RateLimiter yet: add it after the last field (or as the first one).
    const body = field(lit, 'body');
    if (!body) return undefined;
    const last = fields.at(-1);
    if (last) {
      const el = last.keyNode.parent?.parent ?? last.keyNode;
      const indent = indentAt(text, el.startIndex);
      const rest = text.slice(el.endIndex);
      const comma = /^[ \t]*,/.exec(rest);
      const at = el.endIndex + (comma ? comma[0].length : 0);
      return {
        range: lines.range(at, at),
        text: `${comma ? '' : ','}\n${indent}RateLimiter: ${indentLines(choice.go, indent)},`,
      };
    }
    const close = body.endIndex - 1;
    const outer = indentAt(text, lit.startIndex);
    return {
      range: lines.range(close, close),
      text: `\n${outer}\tRateLimiter: ${indentLines(choice.go, `${outer}\t`)},\n${outer}`,
    };
  } finally {
    tree.delete();
  }
}
