import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileLabText } from './compile';
import { initGoParserForNode } from './parser-node';
import { resetParseCache } from './parser';
import { LAB_GO } from './test-helpers';
import type { CompileResult, SourceRange } from './types';

beforeAll(() => initGoParserForNode());

const TOKENS = [
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ',',
  ':',
  ':=',
  '=',
  '.',
  '*',
  '/',
  '-',
  '&',
  '"',
  '`',
  '\n',
  '\t',
  'func',
  'return',
  'if',
  'for',
  'range',
  'go',
  'nil',
  'err',
  'r.Get(ctx, req.NamespacedName, db)',
  'time.Second',
  '0',
  '-1',
  '1e400',
  '0x',
  '1.5',
  'rate.Inf',
  'rate.Every(0)',
  'math.NaN()',
  'controller.Options{',
  'workqueue.NewTypedMaxOfRateLimiter(',
  'const replicas = ',
  'é',
  '😀',
  '\r\n',
  '\r',
];

type Edit =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'replaceToken'; at: number; token: string };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.constantFrom(...TOKENS),
      fc.string({ maxLength: 20 }),
      fc.string({ unit: 'binary', maxLength: 12 }),
    ),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    len: fc.integer({ min: 1, max: 200 }),
  }),
  fc.record({
    kind: fc.constant('replaceToken' as const),
    at: fc.nat(),
    token: fc.constantFrom(...TOKENS),
  }),
);

export function applyEdit(text: string, e: Edit): string {
  const at = text.length === 0 ? 0 : e.at % (text.length + 1);
  switch (e.kind) {
    case 'insert':
      return text.slice(0, at) + e.text + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + e.len);
    case 'replaceToken': {
      // Replace the word (or single symbol) at `at`.
      const m = /^(\w+|\s+|.)/su.exec(text.slice(at));
      const len = m ? m[0].length : 0;
      return text.slice(0, at) + e.token + text.slice(at + len);
    }
  }
}

function lineCol(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lines = before.split(/\r\n|\r|\n/);
  return { line: lines.length, column: (lines[lines.length - 1] ?? '').length + 1 };
}

function checkRange(text: string, r: SourceRange): void {
  expect(r.startOffset).toBeGreaterThanOrEqual(0);
  expect(r.endOffset).toBeGreaterThanOrEqual(r.startOffset);
  expect(r.endOffset).toBeLessThanOrEqual(text.length);
  const s = lineCol(text, r.startOffset);
  const e = lineCol(text, r.endOffset);
  expect([r.startLineNumber, r.startColumn, r.endLineNumber, r.endColumn]).toEqual([
    s.line,
    s.column,
    e.line,
    e.column,
  ]);
}

function checkResult(text: string, r: CompileResult): void {
  for (const d of r.diagnostics) checkRange(text, d.range);
  for (const k of r.knobs) checkRange(text, k.range);
  expect(r.settings === undefined).toBe(r.diagnostics.some((d) => d.severity === 'error'));
}

describe('random edits of lab.go', () => {
  it('never throw and every range lies inside the text', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 8 }), (edits) => {
        const text = edits.reduce(applyEdit, LAB_GO);
        checkResult(text, compileLabText(text, { version: 'v0.23' }));
      }),
      { numRuns: 300, seed: 74 },
    );
  });

  it('hold for large texts (up to 200 KB) and all versions', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200_000 }),
        fc.array(edit, { maxLength: 20 }),
        fc.constantFrom('v0.19' as const, 'v0.20' as const, 'v0.22' as const, 'v0.23' as const),
        (size, edits, version) => {
          let text = '';
          while (text.length < size) text += LAB_GO;
          text = edits.reduce(applyEdit, text.slice(0, size));
          checkResult(text, compileLabText(text, { version }));
        },
      ),
      { numRuns: 12, seed: 200 },
    );
  });

  it('hold for arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        checkResult(text, compileLabText(text, { version: 'v0.23' }));
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('incremental re-parsing gives the same result as a fresh parse', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 6 }), (edits) => {
        let text = LAB_GO;
        compileLabText(text, { version: 'v0.23' });
        for (const e of edits) {
          text = applyEdit(text, e);
          const incremental = compileLabText(text, { version: 'v0.23' });
          resetParseCache();
          const fresh = compileLabText(text, { version: 'v0.23' });
          expect(incremental).toEqual(fresh);
        }
      }),
      { numRuns: 60, seed: 11 },
    );
  });
});
