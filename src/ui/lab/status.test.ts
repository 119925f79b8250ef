import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../lab-config/types';
import { statusSummary } from './status';

const range = {
  startLineNumber: 1,
  startColumn: 1,
  endLineNumber: 1,
  endColumn: 2,
  startOffset: 0,
  endOffset: 1,
};
const d = (severity: Diagnostic['severity']): Diagnostic => ({
  code: 'LC001',
  severity,
  message: '',
  range,
});
const compile = (ds: Diagnostic[]) => ({ settings: undefined, diagnostics: ds, knobs: [] });

describe('the status line', () => {
  it('says the last good settings are in force while the text has errors', () => {
    const s = statusSummary({
      compile: compile([d('error'), d('error')]),
      stale: true,
      hasSettings: true,
      compilerStatus: 'ready',
    });
    expect(s.main).toBe('2 errors — last good settings in force');
    expect(s.tone).toBe('errors');
  });

  it('says nothing can run when there were never good settings', () => {
    const s = statusSummary({
      compile: compile([d('error')]),
      stale: false,
      hasSettings: false,
      compilerStatus: 'ready',
    });
    expect(s.main).toBe('1 error — nothing to run until they are fixed');
  });

  it('counts warnings and not-simulated notes beside "No errors"', () => {
    const s = statusSummary({
      compile: compile([d('warning'), d('info'), d('info')]),
      stale: false,
      hasSettings: true,
      compilerStatus: 'ready',
    });
    expect(s.main).toBe('No errors — these settings are in force');
    expect(s.extra).toEqual(['1 warning', '2 not simulated']);
  });

  it('tells when the parser is loading or failed', () => {
    expect(
      statusSummary({ compile: null, stale: false, hasSettings: false, compilerStatus: 'loading' })
        .main,
    ).toMatch(/Loading/);
    expect(
      statusSummary({ compile: null, stale: false, hasSettings: false, compilerStatus: 'failed' })
        .main,
    ).toMatch(/not loaded/);
  });

  it('says the code was not checked when the compiler failed on it', () => {
    const s = statusSummary({
      compile: null,
      stale: true,
      hasSettings: true,
      compilerStatus: 'ready',
      crashed: true,
    });
    expect(s.main).toBe('Not checked — last good settings in force');
  });
});
