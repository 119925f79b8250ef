import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { CR_VERSIONS, type CrVersion } from '../../engine/settings';
import { Second } from '../../engine/time';
import { useLabStore } from '../../store/labStore';
import { isStale, useRunStore } from '../../store/runStore';
import { SPEEDS, clampSpeed, formatSpeed, type Speed, type StepUnit } from '../../worker/protocol';
import { SCENARIOS, SCENARIO_ENTRIES, scenarioById } from './scenarios';
import { Dashboard } from './Dashboard';
import { WhyWaiting } from './WhyWaiting';
import { LogPane } from './LogPane';
import { MetricsView } from './MetricsView';
import { formatClock, formatValue } from './chartData';
import {
  decodeShare,
  encodeShare,
  hashWithoutPayload,
  payloadFromHash,
  shareFragment,
  type ShareState,
} from './share';
import { csvMetricsLegend, downloadText, goSnippet, toCsv } from './exports';
import { hooks, testHooksEnabled } from './testHooks';
import { parseScenario, formatScenarioErrors } from '../../engine/scenario';
import './run.css';

const STEP_LABEL: Record<StepUnit, string> = {
  event: 'one event',
  reconcile: 'one reconcile',
  second: 'one second',
};

/** The lab's starting code per lesson, as the lab store knows it (the patch base of share links). */
function startingCodeFor(lessonId: string): string | undefined {
  const s = useLabStore.getState();
  return s.doc.lessonId === lessonId ? s.startingCode : undefined;
}

interface StartOptions {
  paused?: boolean;
  seekTo?: number;
}

/** Starts a run with the lab's last good settings; returns a problem message or null. */
async function startRun(opts: StartOptions = {}): Promise<string | null> {
  let lab = useLabStore.getState();
  if (!lab.lastGoodSettings || lab.compiledText !== lab.text) {
    await lab.ensureCompiled();
    lab = useLabStore.getState();
  }
  const settings = lab.lastGoodSettings;
  if (!settings) {
    return 'The code has not compiled yet (no settings to run with). Fix the errors marked in the editor, then Run.';
  }
  const run = useRunStore.getState();
  const scenario = scenarioById(run.scenarioId);
  if (!scenario) return `Scenario "${run.scenarioId}" is not available.`;
  run.run({ settings: { ...settings, version: lab.version }, scenario, text: lab.text, ...opts });
  return null;
}

export function RunPanel() {
  const id = useId();
  const status = useRunStore((s) => s.status);
  const speed = useRunStore((s) => s.speed);
  const scenarioId = useRunStore((s) => s.scenarioId);
  const seed = useRunStore((s) => s.seed);
  const inputs = useRunStore((s) => s.inputs);
  const crash = useRunStore((s) => s.crash);
  const runError = useRunStore((s) => s.runError);
  const pinnedA = useRunStore((s) => s.pinnedA);
  const cursor = useRunStore((s) => s.cursor);
  const text = useLabStore((s) => s.text);
  const version = useLabStore((s) => s.version);
  const runRequested = useLabStore((s) => s.runRequested);
  const [problem, setProblem] = useState<string | null>(null);
  const [shareProblem, setShareProblem] = useState<string | null>(null);
  const [pendingShare, setPendingShare] = useState<ShareState | null>(null);
  const [shareLink, setShareLink] = useState('');
  const [copied, setCopied] = useState('');
  const [stepOpen, setStepOpen] = useState(false);
  const [pickAt, setPickAt] = useState<{ t: number; n: number } | null>(null);
  const dialogRef = useRef<HTMLDialogElement | null>(null);

  const scenario = scenarioById(scenarioId);
  const effectiveSeed = seed ?? scenario?.seed ?? 0;
  const stale = isStale(inputs, { text, version, scenarioId, seed: effectiveSeed });

  const doRun = useCallback(async (opts: StartOptions = {}) => {
    setProblem(await startRun(opts));
  }, []);

  // Ctrl/Cmd+Enter and the lab's Run button: a new runRequested nonce starts a run.
  const seenNonce = useRef(runRequested);
  useEffect(() => {
    if (runRequested === seenNonce.current) return;
    seenNonce.current = runRequested;
    void doRun();
  }, [runRequested, doRun]);

  // Share links: apply on load and when the fragment changes.
  const applyShare = useCallback(async (st: ShareState) => {
    const lab = useLabStore.getState();
    if (lab.text !== st.code) {
      lab.replaceText(st.code, {
        kind: 'loaded-block',
        message: 'The code from the share link is in the editor.',
      });
    }
    if (lab.version !== st.version) useLabStore.getState().setVersion(st.version);
    const run = useRunStore.getState();
    run.setScenarioId(st.scenarioId);
    run.setSeed(st.seed);
    const p = await startRun({ seekTo: st.t });
    setProblem(p);
    if (!p && st.cursor !== null) useRunStore.getState().setCursor(st.cursor);
  }, []);

  const readShare = useCallback(() => {
    const payload = payloadFromHash(window.location.hash);
    if (payload === null) return;
    const clear = () => {
      const h = hashWithoutPayload(window.location.hash);
      history.replaceState(null, '', `${window.location.pathname}${window.location.search}${h}`);
    };
    const r = decodeShare(payload, (l) => {
      // The lab may not have opened its document yet: fall back to the share's own lesson.
      return startingCodeFor(l);
    });
    if (!r.ok) {
      setShareProblem(r.error);
      clear();
      return;
    }
    if (!scenarioById(r.state.scenarioId)) {
      setShareProblem(
        `This share link names a scenario this lab does not have ("${r.state.scenarioId}"). Nothing was changed.`,
      );
      clear();
      return;
    }
    clear();
    const lab = useLabStore.getState();
    const ownWork = lab.text !== lab.startingCode && lab.text !== r.state.code;
    if (ownWork) {
      setPendingShare(r.state);
    } else {
      void applyShare(r.state);
    }
  }, [applyShare]);

  useEffect(() => {
    // Wait until the lab has opened its document (the patch base), then read the link.
    let done = false;
    const tryRead = () => {
      if (done) return;
      const lab = useLabStore.getState();
      if (!lab.doc.lessonId) return;
      done = true;
      readShare();
    };
    tryRead();
    const unsub = useLabStore.subscribe(tryRead);
    const onHash = () => {
      if (payloadFromHash(window.location.hash) !== null) readShare();
    };
    window.addEventListener('hashchange', onHash);
    return () => {
      unsub();
      window.removeEventListener('hashchange', onHash);
    };
  }, [readShare]);

  useEffect(() => {
    const d = dialogRef.current;
    if (!d) return;
    if (pendingShare && !d.open) d.showModal?.();
    if (!pendingShare && d.open) d.close();
  }, [pendingShare]);

  // Test hooks (non-production builds, or ?testHooks=1).
  useEffect(() => {
    const h = hooks();
    h.runState = () => {
      const s = useRunStore.getState();
      return {
        status: s.status,
        now: s.now,
        end: s.end,
        frames: s.frames,
        samples: s.data.t.length * s.data.stride,
        summary: s.summary,
      };
    };
    if (!testHooksEnabled()) return;
    h.killWorker = (mode = 'hang') => useRunStore.getState().debug(mode);
    h.runScenarioJson = (json, sp) => {
      const r = parseScenario(json);
      if (!('scenario' in r)) return formatScenarioErrors(r.errors);
      const settings = useLabStore.getState().lastGoodSettings;
      if (!settings) return 'no settings yet';
      const run = useRunStore.getState();
      run.setSpeed(sp);
      run.setSeed(null);
      run.run({ settings, scenario: r.scenario, text: useLabStore.getState().text });
      return null;
    };
  }, []);

  const running = status === 'running';
  const paused = status === 'paused';
  const canStep = status !== 'running';

  function step(unit: StepUnit) {
    setStepOpen(false);
    const st = useRunStore.getState().status;
    if (st === 'paused') useRunStore.getState().step(unit);
    else
      void startRun({ paused: true }).then((p) => {
        setProblem(p);
        if (!p) useRunStore.getState().step(unit);
      });
  }

  function makeShare(): string | null {
    const lab = useLabStore.getState();
    const run = useRunStore.getState();
    if (!run.inputs) return null;
    const payload = encodeShare(
      {
        lessonId: lab.doc.lessonId,
        code: run.inputs.text,
        scenarioId: run.inputs.scenarioId,
        seed: run.inputs.seed,
        version: run.inputs.version,
        t: run.status === 'done' ? run.end : run.now,
        cursor: run.cursor,
      },
      lab.startingCode,
    );
    const url = `${window.location.origin}${window.location.pathname}${shareFragment(lab.doc.lessonId, payload)}`;
    return url;
  }

  async function copyShare() {
    const url = makeShare();
    if (!url) return;
    setShareLink(url);
    try {
      await navigator.clipboard.writeText(url);
      setCopied('Share link copied.');
    } catch {
      setCopied('Copy the link from the box.');
    }
  }

  return (
    <section className="rp" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`} className="rp-sr">
        Simulation
      </h2>
      <div className="rp-toolbar" role="toolbar" aria-label="Run controls">
        <button
          type="button"
          className="rp-button rp-primary"
          onClick={() => void doRun()}
          data-testid="run"
        >
          ▶ Run
        </button>
        <button
          type="button"
          className="rp-button"
          onClick={() =>
            running ? useRunStore.getState().pause() : useRunStore.getState().resume()
          }
          disabled={!running && !paused}
          data-testid="pause"
        >
          {running ? '❚❚ Pause' : '▶ Resume'}
        </button>
        <div className="rp-step">
          <button
            type="button"
            className="rp-button"
            aria-expanded={stepOpen}
            aria-controls={`${id}-step`}
            onClick={() => setStepOpen((o) => !o)}
            disabled={!canStep}
            data-testid="step-menu"
          >
            Step ▾
          </button>
          {stepOpen && (
            <div
              id={`${id}-step`}
              className="rp-step-menu"
              role="group"
              aria-label="Step by"
              onKeyDown={(e) => {
                if (e.key === 'Escape') setStepOpen(false);
              }}
            >
              {(Object.keys(STEP_LABEL) as StepUnit[]).map((u) => (
                <button
                  key={u}
                  type="button"
                  className="rp-button"
                  onClick={() => step(u)}
                  data-testid={`step-${u}`}
                  autoFocus={u === 'event'}
                >
                  {STEP_LABEL[u]}
                </button>
              ))}
            </div>
          )}
        </div>
        <label className="rp-field">
          <span>Speed</span>
          <select
            value={String(speed)}
            onChange={(e) => {
              const v = e.target.value;
              useRunStore.getState().setSpeed(v === 'max' ? 'max' : clampSpeed(Number(v)));
            }}
            data-testid="speed"
          >
            {SPEEDS.map((s: Speed) => (
              <option key={String(s)} value={String(s)}>
                {formatSpeed(s)}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="rp-button"
          onClick={() => useRunStore.getState().reset()}
          data-testid="reset"
          title="Clear the charts (your code is kept)"
        >
          ↺ Reset
        </button>
        <Clock />
      </div>

      <div className="rp-toolbar rp-toolbar-2">
        <label className="rp-field">
          <span>Scenario</span>
          <select
            value={scenarioId}
            onChange={(e) => useRunStore.getState().setScenarioId(e.target.value)}
            data-testid="scenario"
          >
            {SCENARIOS.map((s) => (
              <option key={s.id} value={s.id}>
                {s.title}
              </option>
            ))}
          </select>
        </label>
        <label className="rp-field">
          <span>Seed</span>
          <input
            type="number"
            inputMode="numeric"
            value={effectiveSeed}
            onChange={(e) => {
              const v = e.target.value === '' ? null : Number(e.target.value);
              useRunStore.getState().setSeed(v);
            }}
            className="rp-seed"
            data-testid="seed"
          />
        </label>
        <label className="rp-field">
          <span>controller-runtime</span>
          <select
            value={version}
            onChange={(e) => useLabStore.getState().setVersion(e.target.value as CrVersion)}
            data-testid="version"
          >
            {CR_VERSIONS.map((v) => (
              <option key={v} value={v}>
                {v}
                {v === CR_VERSIONS[CR_VERSIONS.length - 1] ? ' (latest)' : ''}
              </option>
            ))}
          </select>
        </label>
      </div>
      {scenario && (
        <p className="rp-learning" data-testid="learning-point">
          <strong>Learning point:</strong> {scenario.learningPoint}
          {scenario.try ? (
            <>
              {' '}
              <em>Try:</em> {scenario.try}
            </>
          ) : null}
        </p>
      )}
      {SCENARIO_ENTRIES.some((e) => e.error) && (
        <details className="rp-info">
          <summary>Some scenario files could not be read</summary>
          <pre>
            {SCENARIO_ENTRIES.filter((e) => e.error)
              .map((e) => `${e.file}\n${e.error}`)
              .join('\n\n')}
          </pre>
        </details>
      )}

      {crash && (
        <p role="alert" className="rp-banner rp-banner-bad" data-testid="crash">
          {crash}
        </p>
      )}
      {runError && (
        <p role="alert" className="rp-banner rp-banner-bad">
          {runError}
        </p>
      )}
      {problem && (
        <p role="alert" className="rp-banner rp-banner-bad">
          {problem}
        </p>
      )}
      {shareProblem && (
        <p role="alert" className="rp-banner rp-banner-bad" data-testid="share-problem">
          {shareProblem}{' '}
          <button type="button" className="rp-mini" onClick={() => setShareProblem(null)}>
            Dismiss
          </button>
        </p>
      )}
      {stale && (
        <p role="status" className="rp-banner rp-banner-stale" data-testid="stale">
          Results are stale: the code, version, scenario or seed changed since this run.{' '}
          <button type="button" className="rp-mini" onClick={() => void doRun()}>
            Run again
          </button>
        </p>
      )}

      <div className="rp-toolbar rp-toolbar-3">
        <button
          type="button"
          className="rp-button"
          onClick={() => useRunStore.getState().pinA()}
          disabled={!inputs || status === 'running'}
          data-testid="pin-a"
        >
          Pin as A
        </button>
        {pinnedA && (
          <button
            type="button"
            className="rp-button"
            onClick={() => useRunStore.getState().clearA()}
          >
            Unpin A
          </button>
        )}
        <button
          type="button"
          className="rp-button"
          onClick={() => cursor !== null && useRunStore.getState().seek(cursor)}
          disabled={cursor === null || !inputs}
          title="Re-run deterministically to the time cursor and pause there"
        >
          Seek to cursor{cursor !== null ? ` (${formatClock(cursor)})` : ''}
        </button>
        <button
          type="button"
          className="rp-button"
          onClick={() => void copyShare()}
          disabled={!inputs}
          data-testid="share"
        >
          Share link
        </button>
        <details className="rp-export">
          <summary className="rp-button">Export ▾</summary>
          <div className="rp-export-menu">
            <button
              type="button"
              className="rp-button"
              disabled={!inputs}
              onClick={() =>
                downloadText(
                  `${scenarioId}-seed${effectiveSeed}.csv`,
                  `${csvMetricsLegend()}\n${toCsv(useRunStore.getState().data)}`,
                  'text/csv',
                )
              }
            >
              Data (CSV)
            </button>
            <button
              type="button"
              className="rp-button"
              disabled={!inputs}
              onClick={() =>
                void useRunStore
                  .getState()
                  .metricsText()
                  .then((t) => downloadText('metrics.txt', t))
              }
            >
              Prometheus text
            </button>
            <button
              type="button"
              className="rp-button"
              disabled={!useLabStore.getState().lastGoodSettings}
              onClick={() => {
                const s = useLabStore.getState().lastGoodSettings;
                if (s) downloadText('knobs.go', goSnippet({ ...s, version }), 'text/x-go');
              }}
            >
              Go snippet for these knobs
            </button>
          </div>
        </details>
      </div>
      {shareLink && (
        <p className="rp-row">
          <label htmlFor={`${id}-link`}>Share link</label>
          <input
            id={`${id}-link`}
            className="rp-link"
            readOnly
            value={shareLink}
            onFocus={(e) => e.target.select()}
            data-testid="share-link"
          />
          <span role="status">{copied}</span>
        </p>
      )}

      <SummaryLine />

      <Dashboard onPickTime={(t) => setPickAt({ t, n: (pickAt?.n ?? 0) + 1 })} />
      <WhyWaiting pickAt={pickAt} />
      <LogPane />
      <MetricsView />

      <dialog
        ref={dialogRef}
        className="rp-dialog"
        aria-labelledby={`${id}-dlg`}
        onCancel={() => setPendingShare(null)}
      >
        <h3 id={`${id}-dlg`}>Open the shared lab?</h3>
        <p>
          The link carries its own code. Opening it replaces the code in your editor (you can undo
          the replacement afterwards). Keep your code instead?
        </p>
        <div className="rp-row">
          <button
            type="button"
            className="rp-button rp-primary"
            onClick={() => {
              const st = pendingShare;
              setPendingShare(null);
              if (st) void applyShare(st);
            }}
          >
            Open the shared code
          </button>
          <button type="button" className="rp-button" onClick={() => setPendingShare(null)}>
            Keep my code
          </button>
        </div>
      </dialog>
    </section>
  );
}

/** The virtual clock: its own component, so the panel does not re-render on every frame. */
function Clock() {
  const now = useRunStore((s) => s.now);
  const end = useRunStore((s) => s.end);
  const status = useRunStore((s) => s.status);
  return (
    <output className="rp-clock" aria-live="off" data-testid="clock">
      <span className="rp-sr">virtual time </span>t = {formatClock(now)}
      {end > 0 ? ` / ${formatClock(end)}` : ''}
      <span className={`rp-status rp-status-${status}`} data-testid="status">
        {status}
      </span>
    </output>
  );
}

function SummaryLine() {
  const s = useRunStore((st) => st.summary);
  if (!s) return null;
  const items: [string, string][] = [
    ['reconciles', formatValue(s.reconciles, '1')],
    ['errors', formatValue(s.reconcileErrors, '1')],
    ['throughput', formatValue(s.throughputPerSecond, '/s')],
    ['reconcile p99', formatValue(s.reconcileP99Seconds, 's')],
    ['queue wait p99', formatValue(s.queueWaitP99Seconds, 's')],
    ['API requests', formatValue(s.apiRequests, '1')],
    ['429s', formatValue(s.apiRequests429, '1')],
    ['cache reads', formatValue(s.cacheReads, '1')],
    [
      'backlog drained at',
      s.drainedAtSeconds === null ? 'not yet' : formatClock(s.drainedAtSeconds * Second),
    ],
  ];
  return (
    <dl className="rp-summary" data-testid="run-summary">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd data-summary={k}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export default RunPanel;
