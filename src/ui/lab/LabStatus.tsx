import { useLabStore } from '../../store/labStore';
import { statusSummary } from './status';

/**
 * The status line under the editor ("2 errors — last good settings in force") and a list of
 * the diagnostics that screen-reader and keyboard users can walk (each entry moves the cursor).
 */
export function LabStatus() {
  const compile = useLabStore((s) => s.compile);
  const stale = useLabStore((s) => s.stale);
  const hasSettings = useLabStore((s) => s.lastGoodSettings !== null);
  const compilerStatus = useLabStore((s) => s.compilerStatus);
  const crashed = useLabStore((s) => s.compileCrash !== null);
  const summary = statusSummary({ compile, stale, hasSettings, compilerStatus, crashed });
  const problems = compile?.diagnostics ?? [];

  return (
    <div className="lab-status-block">
      <p className="lab-status" role="status" data-testid="lab-status">
        <span className={`lab-status-${summary.tone}`}>{summary.main}</span>
        {summary.extra.map((e) => (
          <span key={e} className="lab-status-info">
            {e}
          </span>
        ))}
      </p>
      {problems.length > 0 && (
        <details className="lab-problems-details">
          <summary>Problems and notes ({problems.length})</summary>
          <ul className="lab-problems">
            {problems.map((d, i) => (
              <li key={`${d.code}-${d.range.startOffset}-${i}`}>
                <button
                  type="button"
                  onClick={() => useLabStore.getState().bridge?.reveal(d.range)}
                >
                  <span className={`lab-sev lab-sev-${d.severity}`}>
                    {d.severity === 'error'
                      ? 'Error'
                      : d.severity === 'warning'
                        ? 'Warning'
                        : 'Note'}
                  </span>
                  Line {d.range.startLineNumber}, column {d.range.startColumn}: {d.message}{' '}
                  <span className="lab-status-info">({d.code})</span>
                </button>
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
