/**
 * A stateful compiler that keeps the last good settings: while the text has errors, the
 * previous good settings stay in force and the result says so (`stale: true`).
 */
import type { CrVersion, SimSettings } from '../engine/settings';
import { compileLabText } from './compile';
import type { CompileResult } from './types';

export interface LabCompileResult extends CompileResult {
  /** The settings in force: this text's, or (when it has errors) the last good ones. */
  effectiveSettings: SimSettings | undefined;
  /** True when this text has errors and `effectiveSettings` come from an earlier text. */
  stale: boolean;
  /** Number of error-severity diagnostics in this text. */
  errorCount: number;
}

export interface LabCompiler {
  compile(text: string, opts: { version: CrVersion }): LabCompileResult;
  /** The last good settings (undefined until some text compiled without errors). */
  lastGood(): SimSettings | undefined;
  /** Forget the last good settings (e.g. on "reset to starting code"). */
  reset(): void;
}

export function createLabCompiler(): LabCompiler {
  let good: SimSettings | undefined;
  return {
    compile(text, opts) {
      const r = compileLabText(text, opts);
      const errorCount = r.diagnostics.filter((d) => d.severity === 'error').length;
      if (r.settings) good = r.settings;
      // A version switch applies to the last good settings too (the version is not in the text).
      const effective = r.settings ?? (good ? { ...good, version: opts.version } : undefined);
      return { ...r, effectiveSettings: effective, stale: !r.settings && !!good, errorCount };
    },
    lastGood: () => good,
    reset() {
      good = undefined;
    },
  };
}
