import { describe, expect, it } from 'vitest';
import { LineIndex } from '../../lab-config/source';
import type { Diagnostic } from '../../lab-config/types';
import { MARKER_SEVERITY, markerSeverity, toMarkers } from './markers';

function model(text: string) {
  const lines = new LineIndex(text);
  return {
    getPositionAt(offset: number) {
      const p = lines.position(offset);
      return { lineNumber: p.line, column: p.column };
    },
  };
}

function diag(
  text: string,
  start: number,
  end: number,
  severity: Diagnostic['severity'],
): Diagnostic {
  return {
    code: severity === 'info' ? 'LC045' : 'LC020',
    severity,
    message: severity === 'info' ? 'not simulated: the log call' : 'too many workers',
    range: new LineIndex(text).range(start, end),
  };
}

describe('diagnostics to markers', () => {
  it('maps severities to Monaco marker severities', () => {
    expect(markerSeverity('error')).toBe(MARKER_SEVERITY.Error);
    expect(markerSeverity('warning')).toBe(MARKER_SEVERITY.Warning);
    expect(markerSeverity('info')).toBe(MARKER_SEVERITY.Info);
  });

  it('puts each marker at the diagnostic range, code and message kept', () => {
    const text = 'a\n\tMaxConcurrentReconciles: 20000,\n';
    const start = text.indexOf('20000');
    const [m] = toMarkers([diag(text, start, start + 5, 'error')], model(text));
    expect(m).toMatchObject({
      severity: MARKER_SEVERITY.Error,
      code: 'LC020',
      message: 'too many workers',
      startLineNumber: 2,
      startColumn: 27,
      endLineNumber: 2,
      endColumn: 32,
    });
  });

  it('widens an empty range to one character so it is visible', () => {
    const text = 'x := f(\n';
    const [m] = toMarkers([diag(text, 7, 7, 'error')], model(text));
    expect(m?.endColumn).toBe((m?.startColumn ?? 0) + 1);
  });

  it('keeps information markers ("not simulated") as information', () => {
    const text = 'log.Info("x")\n';
    const [m] = toMarkers([diag(text, 0, 13, 'info')], model(text));
    expect(m?.severity).toBe(MARKER_SEVERITY.Info);
    expect(m?.message).toMatch(/^not simulated: /);
  });
});
