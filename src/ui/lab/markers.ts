import type { Diagnostic, Severity } from '../../lab-config/types';

/** Monaco's MarkerSeverity values (monaco.MarkerSeverity), kept here so this stays testable. */
export const MARKER_SEVERITY = { Hint: 1, Info: 2, Warning: 4, Error: 8 } as const;

export function markerSeverity(s: Severity): number {
  switch (s) {
    case 'error':
      return MARKER_SEVERITY.Error;
    case 'warning':
      return MARKER_SEVERITY.Warning;
    case 'info':
      return MARKER_SEVERITY.Info;
  }
}

export interface MarkerLike {
  severity: number;
  message: string;
  code: string;
  source: string;
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
}

/** What markers need from a model: where an offset is (Monaco's model.getPositionAt). */
export interface PositionSource {
  getPositionAt(offset: number): { lineNumber: number; column: number };
}

/**
 * Diagnostics → Monaco marker data. Positions come from the diagnostics' offsets through the
 * model, so they are right whatever line endings the model normalised to. An empty range is
 * widened to one character so the squiggle is visible (Monaco draws nothing for zero width).
 */
export function toMarkers(diagnostics: readonly Diagnostic[], model: PositionSource): MarkerLike[] {
  return diagnostics.map((d) => {
    const start = model.getPositionAt(d.range.startOffset);
    let end = model.getPositionAt(d.range.endOffset);
    if (end.lineNumber === start.lineNumber && end.column === start.column) {
      end = { lineNumber: start.lineNumber, column: start.column + 1 };
    }
    return {
      severity: markerSeverity(d.severity),
      message: d.message,
      code: d.code,
      source: 'Reconcile Lab',
      startLineNumber: start.lineNumber,
      startColumn: start.column,
      endLineNumber: end.lineNumber,
      endColumn: end.column,
    };
  });
}
