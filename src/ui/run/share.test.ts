import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compressToEncodedURIComponent } from 'lz-string';
import {
  SHARE_VERSION,
  decodeShare,
  encodeShare,
  fnv1a,
  hashWithoutPayload,
  payloadFromHash,
  shareFragment,
  type ShareState,
} from './share';
import { applyPatch, diffLines } from './diff';

const START = [
  'package controller',
  '',
  'func (r *DatabaseReconciler) SetupWithManager(mgr ctrl.Manager) error {',
  '\treturn ctrl.NewControllerManagedBy(mgr).',
  '\t\tFor(&v1.Database{}).',
  '\t\tWithOptions(controller.Options{MaxConcurrentReconciles: 2}).',
  '\t\tComplete(r)',
  '}',
  '',
].join('\n');
const LESSON = '7.4-performance-and-scalability';
const base = (l: string) => (l === LESSON ? START : undefined);

function state(code: string): ShareState {
  return {
    lessonId: LESSON,
    code,
    scenarioId: 'bulk-create-2000',
    seed: 7,
    version: 'v0.23',
    t: 180e9,
    cursor: 42e9,
  };
}

describe('line diff', () => {
  it('round-trips any edit of the starting code (property)', () => {
    const line = fc.constantFrom('a', 'b', '\tx := 1', '', '}', 'MaxConcurrentReconciles: 10,');
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.array(line, { maxLength: 30 }), (a, b) => {
        const A = a.join('\n');
        const B = b.join('\n');
        const p = diffLines(A, B);
        expect(p).not.toBeNull();
        expect(applyPatch(A, p)).toBe(B);
      }),
    );
  });

  it('describes a one-line change as keep / delete / insert / keep', () => {
    const edited = START.replace('MaxConcurrentReconciles: 2', 'MaxConcurrentReconciles: 10');
    expect(diffLines(START, edited)).toEqual([
      5,
      ['\t\tWithOptions(controller.Options{MaxConcurrentReconciles: 10}).'],
      -1,
      3,
    ]);
  });

  it('refuses a patch that does not fit the base', () => {
    expect(applyPatch('a\nb', [5])).toBeNull();
    expect(applyPatch('a\nb', [1])).toBeNull();
    expect(applyPatch('a\nb', [-3])).toBeNull();
    expect(applyPatch('a\nb', ['x'])).toBeNull();
    expect(applyPatch('a\nb', 'nope')).toBeNull();
  });
});

describe('share links', () => {
  it('round-trips the state exactly', () => {
    const s = state(START.replace('2}', '10}'));
    const r = decodeShare(encodeShare(s, START), base);
    expect(r).toEqual({ ok: true, state: s });
  });

  it('carries a small edit as a patch (shorter than the code)', () => {
    const edited = START.replace('2}', '10}');
    const withPatch = encodeShare(state(edited), START);
    const full = encodeShare(state(edited), '');
    expect(withPatch.length).toBeLessThan(full.length);
  });

  it('carries the full code when it shares nothing with the starting code', () => {
    const s = state('completely\ndifferent');
    expect(decodeShare(encodeShare(s, START), () => undefined)).toEqual({ ok: true, state: s });
  });

  it('is versioned', () => {
    expect(encodeShare(state(START), START).startsWith(`${SHARE_VERSION}.`)).toBe(true);
    const r = decodeShare(`9.${encodeShare(state(START), START).slice(2)}`, base);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/newer version of Reconcile Lab \(link format 9\)/);
  });

  it('explains a truncated link and changes nothing', () => {
    const p = encodeShare(state(START.replace('2}', '10}')), START);
    for (const cut of [p.length - 1, p.length - 7, Math.floor(p.length / 2), 12]) {
      const r = decodeShare(p.slice(0, cut), base);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.error).toMatch(/damaged|changed/);
    }
  });

  it('explains a tampered link (checksum mismatch)', () => {
    const s = state(START);
    const json = JSON.stringify({
      l: LESSON,
      c: 'evil',
      sc: s.scenarioId,
      sd: 1,
      cr: 'v0.23',
      t: 0,
      cu: null,
    });
    const forged = `1.${fnv1a('something else')}.${compressToEncodedURIComponent(json)}`;
    const r = decodeShare(forged, base);
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/checksum does not match/) });
  });

  it('rejects well-formed payloads with invalid fields', () => {
    const bad = [
      { l: LESSON, c: 'x', sc: 's', sd: 1.5, cr: 'v0.23', t: 0, cu: null },
      { l: LESSON, c: 'x', sc: 's', sd: 1, cr: 'v9.99', t: 0, cu: null },
      { l: LESSON, c: 'x', sc: 's', sd: 1, cr: 'v0.23', t: -1, cu: null },
      { l: LESSON, sc: 's', sd: 1, cr: 'v0.23', t: 0, cu: null },
    ];
    for (const o of bad) {
      const json = JSON.stringify(o);
      const lz = compressToEncodedURIComponent(json);
      const r = decodeShare(`1.${fnv1a(lz)}.${lz}`, base);
      expect(r.ok).toBe(false);
    }
  });

  it('refuses a patch made against another starting code', () => {
    const p = encodeShare(state(START.replace('2}', '10}')), START);
    const r = decodeShare(p, () => START + '\n// changed upstream');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/different version of the lesson's starting code/);
  });

  it('survives random garbage without throwing', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (g) => {
        const r = decodeShare(g, base);
        expect(typeof r.ok).toBe('boolean');
      }),
    );
  });

  it('lives in the lesson route fragment and can be removed from it', () => {
    const f = shareFragment(LESSON, '1.abcdef12.XYZ');
    expect(f).toBe(`#/lesson/${LESSON}?s=1.abcdef12.XYZ`);
    expect(payloadFromHash(f)).toBe('1.abcdef12.XYZ');
    expect(payloadFromHash('#share=1.abcdef12.XYZ')).toBe('1.abcdef12.XYZ');
    expect(payloadFromHash(`#/lesson/${LESSON}`)).toBeNull();
    expect(hashWithoutPayload(f)).toBe(`#/lesson/${LESSON}`);
  });
});
