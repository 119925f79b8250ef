import { useEffect, useId, useState } from 'react';
import { useRunStore } from '../../store/runStore';
import { formatClock } from './chartData';
import { downloadText } from './exports';

/** The simulated /metrics endpoint (Prometheus text format) at the run's current time. */
export function MetricsView() {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [at, setAt] = useState<number | null>(null);
  const status = useRunStore((s) => s.status);
  const now = useRunStore((s) => s.now);
  const [filter, setFilter] = useState('');

  async function refresh() {
    try {
      const t = await useRunStore.getState().metricsText();
      setText(t);
      setAt(useRunStore.getState().now);
    } catch (e) {
      setText(`# the metrics could not be read: ${String(e instanceof Error ? e.message : e)}`);
    }
  }

  useEffect(() => {
    if (open && status !== 'running') void refresh();
  }, [open, status]);

  const shown = filter
    ? text
        .split('\n')
        .filter((l) => l.includes(filter))
        .join('\n')
    : text;

  return (
    <section className="rp-metrics" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>
        <button
          type="button"
          className="rp-disclosure"
          aria-expanded={open}
          onClick={() => setOpen((o) => !o)}
        >
          GET /metrics
        </button>
      </h3>
      {open && (
        <>
          <div className="rp-row">
            <button type="button" className="rp-button" onClick={() => void refresh()}>
              Refresh at {formatClock(now)}
            </button>
            <label htmlFor={`${id}-f`}>Filter</label>
            <input
              id={`${id}-f`}
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
              placeholder="e.g. workqueue_depth"
            />
            <button
              type="button"
              className="rp-button"
              disabled={!text}
              onClick={() => downloadText('metrics.txt', text)}
            >
              Download
            </button>
            {at !== null && <span className="rp-hint">scraped at t = {formatClock(at)}</span>}
          </div>
          <pre
            className="rp-metricstext"
            tabIndex={0}
            aria-label="Prometheus text"
            data-testid="metrics-text"
          >
            {shown || '# run a scenario to see its metrics'}
          </pre>
        </>
      )}
    </section>
  );
}
