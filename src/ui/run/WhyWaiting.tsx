import { useEffect, useId, useMemo, useState } from 'react';
import { Second, formatDuration } from '../../engine/time';
import type { TraceSpan, TraceStage } from '../../engine/run-types';
import { useRunStore } from '../../store/runStore';

export const STAGE_LABEL: Record<TraceStage, string> = {
  enqueued: 'enqueued (Add)',
  backoff: 'waiting: per-item backoff',
  bucket: 'waiting: overall token bucket',
  waitingForWorker: 'waiting: all workers busy',
  dedup: 'waiting: already being processed (dedup)',
  reconcile: 'Reconcile running',
  clientThrottle: 'client-side throttling (QPS/Burst)',
  apfQueue: 'queued in APF at the API server',
  execution: 'API request executing',
  retrySleep: 'sleeping Retry-After after a 429',
  limiterWait: 'r.apiLimiter.Wait',
  external: 'external API call',
  cacheRead: 'read from the informer cache',
};

const STAGE_COLOR: Record<TraceStage, string> = {
  enqueued: '#868e96',
  backoff: '#c77c02',
  bucket: '#e8590c',
  waitingForWorker: '#d6336c',
  dedup: '#ae3ec9',
  reconcile: '#2b9348',
  clientThrottle: '#f03e3e',
  apfQueue: '#7048e8',
  execution: '#2f7ed8',
  retrySleep: '#f76707',
  limiterWait: '#1098ad',
  external: '#0b7285',
  cacheRead: '#40c057',
};

/** Where an item's time went: total per stage, largest first (nested API spans included). */
export function timeByStage(spans: readonly TraceSpan[]): { stage: TraceStage; ns: number }[] {
  const m = new Map<TraceStage, number>();
  for (const s of spans) m.set(s.stage, (m.get(s.stage) ?? 0) + Math.max(0, s.end - s.start));
  return [...m.entries()]
    .map(([stage, ns]) => ({ stage, ns }))
    .filter((x) => x.ns > 0)
    .sort((a, b) => b.ns - a.ns);
}

export function WhyWaiting({ pickAt }: { pickAt: { t: number; n: number } | null }) {
  const id = useId();
  const keys = useRunStore((s) => s.tracedKeys);
  const status = useRunStore((s) => s.status);
  const [key, setKey] = useState('');
  const [spans, setSpans] = useState<TraceSpan[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const options = useMemo(() => {
    const q = key.toLowerCase();
    const out: string[] = [];
    for (const k of keys) {
      if (k.toLowerCase().includes(q)) out.push(k);
      if (out.length >= 100) break;
    }
    return out;
  }, [keys, key]);

  async function load(k: string) {
    setMessage(null);
    try {
      const s = await useRunStore.getState().trace(k);
      setSpans(s);
      if (s.length === 0) setMessage(`No trace for ${k} (it may not be traced in this run).`);
    } catch (e) {
      setMessage(String(e instanceof Error ? e.message : e));
    }
  }

  useEffect(() => {
    if (!pickAt) return;
    let live = true;
    useRunStore
      .getState()
      .traceAt(pickAt.t)
      .then(
        (r) => {
          if (!live) return;
          if (!r.key) {
            setSpans(null);
            setMessage(`No traced item was waiting at t = ${(pickAt.t / Second).toFixed(1)} s.`);
            return;
          }
          setKey(r.key);
          setSpans(r.spans);
          setMessage(
            `At t = ${(pickAt.t / Second).toFixed(1)} s, ${r.key} had been waiting the longest.`,
          );
        },
        (e: unknown) => live && setMessage(String(e instanceof Error ? e.message : e)),
      );
    return () => {
      live = false;
    };
  }, [pickAt]);

  const byStage = spans ? timeByStage(spans.filter((s) => s.stage !== 'reconcile')) : [];
  const t0 = spans?.length ? Math.min(...spans.map((s) => s.start)) : 0;
  const t1 = spans?.length ? Math.max(...spans.map((s) => s.end)) : 1;
  const span = Math.max(1, t1 - t0);

  return (
    <section className="rp-why" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>Why is this item waiting?</h3>
      <form
        className="rp-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (key) void load(key);
        }}
      >
        <label htmlFor={`${id}-k`}>Object (namespace/name)</label>
        <input
          id={`${id}-k`}
          list={`${id}-l`}
          value={key}
          onChange={(e) => setKey(e.target.value)}
          placeholder={keys[0] ?? 'run a scenario first'}
          disabled={status === 'idle' && keys.length === 0}
          data-testid="why-key"
        />
        <datalist id={`${id}-l`}>
          {options.map((k) => (
            <option key={k} value={k} />
          ))}
        </datalist>
        <button type="submit" className="rp-button" disabled={!key}>
          Show timeline
        </button>
        <span className="rp-hint">or click a point on the queue-wait panel</span>
      </form>
      <p role="status" className="rp-info">
        {message}
      </p>
      {spans && spans.length > 0 && (
        <>
          <p className="rp-verdict" data-testid="why-verdict">
            {byStage.length > 0 ? (
              <>
                Most of its time went to <strong>{STAGE_LABEL[byStage[0]!.stage]}</strong> (
                {formatDuration(byStage[0]!.ns)}).
              </>
            ) : (
              'It never waited.'
            )}
          </p>
          <svg
            className="rp-timeline"
            viewBox={`0 0 1000 ${spans.length * 14 + 4}`}
            preserveAspectRatio="none"
            role="img"
            aria-label={`Timeline of ${key}: ${spans.length} spans from ${(t0 / Second).toFixed(2)} s to ${(t1 / Second).toFixed(2)} s`}
          >
            {spans.map((s, i) => (
              <rect
                key={i}
                x={((s.start - t0) / span) * 1000}
                y={i * 14 + 2}
                width={Math.max(2, ((s.end - s.start) / span) * 1000)}
                height={11}
                fill={STAGE_COLOR[s.stage]}
              >
                <title>{`${STAGE_LABEL[s.stage]}: ${formatDuration(s.end - s.start)}`}</title>
              </rect>
            ))}
          </svg>
          <div className="rp-table-wrap" tabIndex={0} role="region" aria-label="timeline spans">
            <table className="rp-table">
              <thead>
                <tr>
                  <th scope="col">from (s)</th>
                  <th scope="col">for</th>
                  <th scope="col">stage</th>
                  <th scope="col">detail</th>
                </tr>
              </thead>
              <tbody>
                {spans.slice(0, 300).map((s, i) => (
                  <tr key={i}>
                    <td>{(s.start / Second).toFixed(3)}</td>
                    <td>{formatDuration(s.end - s.start)}</td>
                    <td>
                      <span className="rp-swatch" style={{ background: STAGE_COLOR[s.stage] }} />
                      {STAGE_LABEL[s.stage]}
                    </td>
                    <td>{s.detail ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
