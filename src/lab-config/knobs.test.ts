import { beforeAll, describe, expect, it } from 'vitest';
import { Hour, Millisecond, Minute, Second } from '../engine/time';
import { compileLabText } from './compile';
import { docForKnob, knobDocs } from './docs';
import { COMPLETIONS } from './completions';
import { editKnob, formatGoDuration, rateLimiterToGo, setKnobValue, setRateLimiter } from './knobs';
import type { RateLimiterSpec } from '../engine/settings';
import { createLabCompiler } from './lab-compiler';
import { initGoParserForNode } from './parser-node';
import { LAB_GO } from './test-helpers';
import { CR_VERSIONS } from '../engine/settings';

beforeAll(() => initGoParserForNode());

const v = { version: 'v0.23' as const };
const knob = (text: string, id: string) => {
  const k = compileLabText(text, v).knobs.find((x) => x.id === id);
  if (!k) throw new Error(`no knob ${id}`);
  return k;
};

describe('formatGoDuration', () => {
  it.each([
    [5 * Millisecond, undefined, '5*time.Millisecond'],
    [1000 * Second, 'time.Second', '1000*time.Second'],
    [1000 * Second, undefined, '1000*time.Second'],
    [Second, undefined, 'time.Second'],
    [90 * Second, undefined, '90*time.Second'],
    [2 * Minute, 'time.Second', '120*time.Second'],
    [10 * Hour, undefined, '10*time.Hour'],
    [1500, undefined, '1500*time.Nanosecond'],
    [0, undefined, '0'],
    [-5 * Millisecond, undefined, '-5*time.Millisecond'],
  ])('%d ns (prefer %s) → %s', (ns, unit, want) => {
    expect(formatGoDuration(ns, unit)).toBe(want);
  });
});

describe('editKnob', () => {
  it('rewrites only the literal, and the text recompiles to the new value', () => {
    const k = knob(LAB_GO, 'maxConcurrentReconciles');
    const { text, edit } = editKnob(LAB_GO, k, 10);
    expect(edit.newText).toBe('10');
    expect(edit.range).toEqual(k.range);
    expect(text.length).toBe(LAB_GO.length + 1);
    expect(text.slice(0, k.range.startOffset)).toBe(LAB_GO.slice(0, k.range.startOffset));
    expect(compileLabText(text, v).settings!.controller.maxConcurrentReconciles).toBe(10);
  });

  it('durations keep their unit', () => {
    const k = knob(LAB_GO, 'rateLimiter.maxDelay');
    const { text, edit } = editKnob(LAB_GO, k, 300 * Second);
    expect(edit.newText).toBe('300*time.Second');
    expect(compileLabText(text, v).settings!.controller.rateLimiter).toMatchObject({
      maxDelay: 300 * Second,
    });
    const b = knob(LAB_GO, 'rateLimiter.baseDelay');
    expect(editKnob(LAB_GO, b, 2 * Second).edit.newText).toBe('2000*time.Millisecond');
  });

  it('rate limits keep their form: rate.Limit(x), rate.Inf, rate.Every(d)', () => {
    const k = knob(LAB_GO, 'apiLimiter.limit');
    const a = editKnob(LAB_GO, k, 25);
    expect(a.edit.newText).toBe('rate.Limit(25)');
    expect(compileLabText(a.text, v).settings!.apiLimiter).toEqual({ limit: 25, burst: 1 });
    const inf = editKnob(LAB_GO, k, Infinity);
    expect(inf.edit.newText).toBe('rate.Inf');
    expect(compileLabText(inf.text, v).settings!.apiLimiter!.limit).toBe(Infinity);
    const every = LAB_GO.replace('rate.Limit(10)', 'rate.Every(100*time.Millisecond)');
    const e = editKnob(every, knob(every, 'apiLimiter.limit'), 20);
    expect(e.edit.newText).toBe('rate.Every(50*time.Millisecond)');
    expect(compileLabText(e.text, v).settings!.apiLimiter!.limit).toBe(20);
  });

  it('floats, bools and strings', () => {
    const q = editKnob(LAB_GO, knob(LAB_GO, 'client.qps'), 7.5);
    expect(q.edit.newText).toBe('7.5');
    expect(compileLabText(q.text, v).settings!.client.qps).toBe(7.5);
    const le = editKnob(LAB_GO, knob(LAB_GO, 'manager.leaderElection'), true);
    expect(le.edit.newText).toBe('true');
    expect(compileLabText(le.text, v).settings!.manager.leaderElection).toBe(true);
    const m = editKnob(LAB_GO, knob(LAB_GO, 'manager.metricsBindAddress'), '0');
    expect(m.edit.newText).toBe('"0"');
  });

  it('edits a named constant where it is declared', () => {
    const t =
      LAB_GO.replace('MaxConcurrentReconciles: 2,', 'MaxConcurrentReconciles: workers,') +
      '\nconst workers = 4\n';
    const { text } = editKnob(t, knob(t, 'maxConcurrentReconciles'), 16);
    expect(text.endsWith('const workers = 16\n')).toBe(true);
    expect(compileLabText(text, v).settings!.controller.maxConcurrentReconciles).toBe(16);
  });

  it('rejects values of the wrong type', () => {
    expect(() => editKnob(LAB_GO, knob(LAB_GO, 'maxConcurrentReconciles'), 2.5)).toThrow(TypeError);
    expect(() => editKnob(LAB_GO, knob(LAB_GO, 'manager.leaderElection'), 1)).toThrow(TypeError);
    expect(() => editKnob(LAB_GO, knob(LAB_GO, 'client.qps'), NaN)).toThrow(TypeError);
  });
});

describe('setKnobValue inserts knobs that are absent', () => {
  it('edits a present knob like editKnob', () => {
    const r = setKnobValue(LAB_GO, 'replicas', 3, v)!;
    expect(r.edit.newText).toBe('3');
    expect(compileLabText(r.text, v).settings!.manager.replicas).toBe(3);
  });

  it('inserts a controller.Options field after the last one', () => {
    const t = LAB_GO.replace(
      /\t\t\t\/\/ MaxConcurrentReconciles[^\n]*\n[^\n]*\n\t\t\tMaxConcurrentReconciles: 2,\n/,
      '',
    );
    expect(compileLabText(t, v).knobs.some((k) => k.id === 'maxConcurrentReconciles')).toBe(false);
    const r = setKnobValue(t, 'maxConcurrentReconciles', 12, v)!;
    expect(r.edit.newText).toBe('\n\t\t\tMaxConcurrentReconciles: 12,');
    const c = compileLabText(r.text, v);
    expect(c.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(c.settings!.controller.maxConcurrentReconciles).toBe(12);
    const p = setKnobValue(t, 'usePriorityQueue', false, v)!;
    expect(compileLabText(p.text, v).settings!.controller.usePriorityQueue).toBe(false);
    expect(p.edit.newText).toContain('UsePriorityQueue: ptr.To(false),');
  });

  it('inserts into an empty controller.Options{}', () => {
    const t = `package x
func (r *R) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1.Database{}).
		WithOptions(controller.Options{}).
		Complete(r)
}
`;
    const r = setKnobValue(t, 'cacheSyncTimeout', 30 * Second, v)!;
    const c = compileLabText(r.text, v);
    expect(c.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(c.settings!.controller.cacheSyncTimeout).toBe(30 * Second);
  });

  it('inserts cfg.QPS / cfg.Burst after cfg := ctrl.GetConfigOrDie()', () => {
    const t = LAB_GO.replace(/\tcfg\.QPS = [^\n]*\n\tcfg\.Burst = 30\n/, '');
    expect(compileLabText(t, v).settings!.client).toEqual({ qps: 'default', burst: 'default' });
    const q = setKnobValue(t, 'client.qps', 50, v)!;
    expect(q.edit.newText).toBe('\n\tcfg.QPS = 50');
    const b = setKnobValue(q.text, 'client.burst', 100, v)!;
    expect(compileLabText(b.text, v).settings!.client).toEqual({ qps: 50, burst: 100 });
  });

  it('inserts const replicas after the imports', () => {
    const t = LAB_GO.replace(/\nconst replicas = 1\n/, '\n');
    const r = setKnobValue(t, 'replicas', 2, v)!;
    const c = compileLabText(r.text, v);
    expect(c.settings!.manager.replicas).toBe(2);
    expect(r.edit.range.startOffset).toBe(t.indexOf(')\n', t.indexOf('import (')) + 1);
  });

  it('returns undefined when there is nowhere to insert', () => {
    expect(setKnobValue('package x\n', 'maxConcurrentReconciles', 3, v)).toBeUndefined();
    expect(setKnobValue('package x\n', 'client.qps', 3, v)).toBeUndefined();
    expect(setKnobValue('package x\n', 'no.such.knob', 3, v)).toBeUndefined();
  });
});

describe('createLabCompiler keeps the last good settings', () => {
  it('stale while the text has errors, fresh again once fixed', () => {
    const c = createLabCompiler();
    const good = c.compile(LAB_GO, v);
    expect(good.stale).toBe(false);
    expect(good.effectiveSettings).toEqual(good.settings);
    const broken = LAB_GO.replace('MaxConcurrentReconciles: 2,', 'MaxConcurrentReconciles: 2.5,');
    const bad = c.compile(broken, v);
    expect(bad.settings).toBeUndefined();
    expect(bad.stale).toBe(true);
    expect(bad.errorCount).toBe(1);
    expect(bad.effectiveSettings).toEqual(good.settings);
    const fixed = c.compile(
      LAB_GO.replace('MaxConcurrentReconciles: 2,', 'MaxConcurrentReconciles: 8,'),
      v,
    );
    expect(fixed.stale).toBe(false);
    expect(fixed.effectiveSettings!.controller.maxConcurrentReconciles).toBe(8);
    expect(c.lastGood()!.controller.maxConcurrentReconciles).toBe(8);
  });

  it('a version switch applies to the last good settings too', () => {
    const c = createLabCompiler();
    c.compile(LAB_GO, v);
    const bad = c.compile('package x\nfunc (', { version: 'v0.19' });
    expect(bad.stale).toBe(true);
    expect(bad.effectiveSettings!.version).toBe('v0.19');
  });

  it('nothing in force before the first good text, and after reset', () => {
    const c = createLabCompiler();
    const bad = c.compile('package x\nfunc (', v);
    expect(bad).toMatchObject({ stale: false, effectiveSettings: undefined });
    c.compile(LAB_GO, v);
    c.reset();
    expect(c.lastGood()).toBeUndefined();
  });
});

describe('hover docs', () => {
  it('every knob of lab.go has a doc with a default and a source, on every version', () => {
    for (const version of CR_VERSIONS) {
      for (const k of compileLabText(LAB_GO, { version }).knobs) {
        const d = docForKnob(k.id, version);
        expect(d, k.id).toBeDefined();
        expect(d!.default.length).toBeGreaterThan(0);
        expect(d!.source).toMatch(/controller-semantics\.md §|lab convention/);
      }
    }
  });

  it('defaults follow the version (controller-semantics.md §9)', () => {
    expect(knobDocs('v0.20')['client.qps']!.default).toMatch(/^20/);
    expect(knobDocs('v0.22')['client.qps']!.default).toMatch(/^-1/);
    expect(knobDocs('v0.22').usePriorityQueue!.default).toMatch(/^false/);
    expect(knobDocs('v0.23').usePriorityQueue!.default).toMatch(/^true/);
    expect(knobDocs('v0.19').usePriorityQueue!.default).toMatch(/not available/);
    expect(knobDocs('v0.22').rateLimiter!.default).toMatch(/DefaultTypedControllerRateLimiter/);
    expect(knobDocs('v0.23').rateLimiter!.default).toMatch(
      /^workqueue\.NewTypedItemExponentialFailureRateLimiter/,
    );
    expect(knobDocs('v0.20').reconciliationTimeout!.default).toMatch(/not available/);
    expect(knobDocs('v0.23').maxConcurrentReconciles!.default).toBe('1');
  });

  it('nested limiter knob ids resolve to their kind of doc', () => {
    expect(docForKnob('rateLimiter.limiters[1].qps', 'v0.23')!.id).toBe('rateLimiter.qps');
    expect(docForKnob('rateLimiter.limiter.baseDelay', 'v0.23')!.id).toBe('rateLimiter.baseDelay');
    expect(docForKnob('reconcile.requeueAfter.2', 'v0.23')!.id).toBe('reconcile.requeueAfter');
  });
});

describe('completions', () => {
  it('every snippet with placeholders compiles once its placeholders are filled', () => {
    for (const c of COMPLETIONS.filter((x) => x.context === 'rateLimiter')) {
      const code = c.insertText.replace(/\$\{\d+:([^}]*)\}/g, '$1');
      const text = LAB_GO.replace(
        /RateLimiter: workqueue\.NewTypedItemExponentialFailureRateLimiter[\s\S]*?\),\n\t\t\}\)/,
        `RateLimiter: ${code},\n\t\t})`,
      );
      expect(text).not.toBe(LAB_GO);
      expect(text).toContain(code);
      const r = compileLabText(text, v);
      expect(
        r.diagnostics.filter((d) => d.severity !== 'info'),
        c.label,
      ).toEqual([]);
      expect(r.settings!.controller.rateLimiter.kind, c.label).not.toBe('default');
    }
  });

  it('labels are unique', () => {
    const labels = COMPLETIONS.map((c) => c.label);
    expect(new Set(labels).size).toBe(labels.length);
  });
});

describe("setRateLimiter (the form's limiter kind select)", () => {
  const specs: RateLimiterSpec[] = [
    { kind: 'defaultController' },
    { kind: 'defaultItemBased' },
    { kind: 'itemExponentialFailure', baseDelay: 10 * Millisecond, maxDelay: 100 * Second },
    {
      kind: 'itemFastSlow',
      fastDelay: 5 * Millisecond,
      slowDelay: 10 * Second,
      maxFastAttempts: 3,
    },
    { kind: 'bucket', qps: 50, burst: 300 },
    { kind: 'bucket', qps: Infinity, burst: 0 },
    {
      kind: 'maxOf',
      limiters: [
        { kind: 'itemExponentialFailure', baseDelay: 5 * Millisecond, maxDelay: 1000 * Second },
        { kind: 'bucket', qps: 10, burst: 100 },
      ],
    },
    { kind: 'withMaxWait', limiter: { kind: 'defaultController' }, maxDelay: 30 * Second },
  ];
  it.each(specs.map((s) => [s.kind, s] as const))('%s round-trips through the text', (_k, spec) => {
    const r = setRateLimiter(LAB_GO, spec, v)!;
    const c = compileLabText(r.text, v);
    expect(c.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    expect(c.settings!.controller.rateLimiter).toEqual(spec);
    expect(r.edit.newText).toBe(rateLimiterToGo(spec, '\t\t\t'));
  });

  it('default removes the field; setting it again inserts the field', () => {
    const r = setRateLimiter(LAB_GO, { kind: 'default' }, v)!;
    const c = compileLabText(r.text, v);
    expect(c.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    expect(c.settings!.controller.rateLimiter).toEqual({ kind: 'default' });
    const back = setRateLimiter(r.text, { kind: 'bucket', qps: 5, burst: 5 }, v)!;
    expect(compileLabText(back.text, v).settings!.controller.rateLimiter).toEqual({
      kind: 'bucket',
      qps: 5,
      burst: 5,
    });
  });
});
