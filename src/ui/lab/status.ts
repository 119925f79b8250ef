import type { CompilerStatus, LabCompileResult } from '../../store/labStore';

export interface StatusSummary {
  tone: 'errors' | 'ok' | 'info';
  main: string;
  extra: string[];
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The words of the status line under the editor. */
export function statusSummary(s: {
  compile: LabCompileResult | null;
  stale: boolean;
  hasSettings: boolean;
  compilerStatus: CompilerStatus;
  /** The compiler threw on this text (see labStore.compileCrash). */
  crashed?: boolean;
}): StatusSummary {
  if (s.crashed) {
    return {
      tone: 'errors',
      main: s.hasSettings ? 'Not checked — last good settings in force' : 'Not checked',
      extra: [],
    };
  }
  if (!s.compile) {
    return {
      tone: 'info',
      main:
        s.compilerStatus === 'failed' ? 'The Go parser is not loaded' : 'Loading the Go parser…',
      extra: [],
    };
  }
  const count = (sev: string) => s.compile!.diagnostics.filter((d) => d.severity === sev).length;
  const errors = count('error');
  const warnings = count('warning');
  const infos = count('info');
  const extra: string[] = [];
  if (warnings > 0) extra.push(plural(warnings, 'warning', 'warnings'));
  if (infos > 0) extra.push(`${infos} not simulated`);
  if (errors > 0) {
    const tail = s.stale
      ? 'last good settings in force'
      : s.hasSettings
        ? 'settings in force'
        : 'nothing to run until they are fixed';
    return { tone: 'errors', main: `${plural(errors, 'error', 'errors')} — ${tail}`, extra };
  }
  return { tone: 'ok', main: 'No errors — these settings are in force', extra };
}
