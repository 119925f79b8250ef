import { beforeAll, describe, expect, it } from 'vitest';
import { compileLabText } from './compile';
import { initGoParserForNode } from './parser-node';

beforeAll(() => initGoParserForNode());

/** Deep nesting must not overflow the JavaScript stack (recursion is bounded or iterative). */
describe('pathological texts', () => {
  const cases: [string, string][] = [
    ['open braces', '{'.repeat(50_000)],
    ['open parens', 'package x\nvar v = ' + '('.repeat(50_000)],
    ['balanced parens', 'package x\nvar v = ' + '('.repeat(20_000) + '1' + ')'.repeat(20_000)],
    [
      'nested ifs in Reconcile',
      'package x\nfunc (r *R) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {\n' +
        'if x {\n'.repeat(5_000) +
        'r.Get(ctx, req.NamespacedName, db)\n' +
        '}\n'.repeat(5_000) +
        'return ctrl.Result{}, nil\n}\n',
    ],
    ['long binary chain', 'package x\nconst replicas = ' + Array(20_000).fill('1').join('+')],
    [
      'nested for loops',
      'package x\nfunc (r *R) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {\n' +
        'for _, it := range list.Items {\n'.repeat(3_000) +
        '}\n'.repeat(3_000) +
        'return ctrl.Result{}, nil\n}\n',
    ],
  ];
  it.each(cases)('%s', (_name, text) => {
    const r = compileLabText(text, { version: 'v0.23' });
    for (const d of r.diagnostics) {
      expect(d.range.startOffset).toBeGreaterThanOrEqual(0);
      expect(d.range.endOffset).toBeLessThanOrEqual(text.length);
    }
  });
});
