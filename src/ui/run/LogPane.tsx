import { useId, useMemo, useState } from 'react';
import { Second } from '../../engine/time';
import type { LogLine } from '../../engine/run-types';
import { useRunStore } from '../../store/runStore';
import { useThrottled } from './Dashboard';

/** A log line as zap's console encoder prints it (virtual time instead of a date). */
export function formatLog(l: LogLine): string {
  const kv = Object.entries(l.kv);
  const fields = kv.length
    ? `\t{${kv.map(([k, v]) => `"${k}": ${typeof v === 'number' ? v : JSON.stringify(v)}`).join(', ')}}`
    : '';
  const t = `+${(l.t / Second).toFixed(3)}s`;
  return `${t}\t${l.level.toUpperCase()}\t${l.logger}\t${l.msg}${fields}`;
}

export function filterLogs(
  lines: readonly LogLine[],
  f: { level: string; text: string; object: string },
): LogLine[] {
  const text = f.text.toLowerCase();
  const obj = f.object.toLowerCase();
  return lines.filter((l) => {
    if (f.level !== 'all' && l.level !== f.level) return false;
    if (obj) {
      const name = `${l.kv.namespace ?? ''}/${l.kv.name ?? ''}`.toLowerCase();
      if (!name.includes(obj)) return false;
    }
    if (text && !formatLog(l).toLowerCase().includes(text)) return false;
    return true;
  });
}

const SHOW = 200;

export function LogPane() {
  const id = useId();
  const logs = useRunStore((s) => s.logs);
  const logsVersion = useThrottled(
    useRunStore((s) => s.logsVersion),
    500,
  );
  const [level, setLevel] = useState('all');
  const [text, setText] = useState('');
  const [object, setObject] = useState('');
  const { shown, matched, total } = useMemo(() => {
    const all = logs.toArray();
    const m = filterLogs(all, { level, text, object });
    return { shown: m.slice(-SHOW), matched: m.length, total: logs.total };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [logs, logsVersion, level, text, object]);

  return (
    <section className="rp-logs" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>Operator log</h3>
      <div className="rp-row">
        <label htmlFor={`${id}-lv`}>Level</label>
        <select id={`${id}-lv`} value={level} onChange={(e) => setLevel(e.target.value)}>
          <option value="all">all</option>
          <option value="error">error</option>
          <option value="info">info</option>
          <option value="debug">debug</option>
        </select>
        <label htmlFor={`${id}-tx`}>Text</label>
        <input
          id={`${id}-tx`}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="e.g. throttling"
        />
        <label htmlFor={`${id}-ob`}>Object</label>
        <input
          id={`${id}-ob`}
          value={object}
          onChange={(e) => setObject(e.target.value)}
          placeholder="namespace/name"
        />
        <span className="rp-hint">
          {matched.toLocaleString('en-US')} matching of {total.toLocaleString('en-US')} lines
          {total > logs.capacity
            ? ` (the newest ${logs.capacity.toLocaleString('en-US')} kept)`
            : ''}
        </span>
      </div>
      <pre className="rp-logtext" tabIndex={0} aria-label="log lines" data-testid="log-lines">
        {shown.map(formatLog).join('\n')}
      </pre>
    </section>
  );
}
