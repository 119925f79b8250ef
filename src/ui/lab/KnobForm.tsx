import { useEffect, useId, useRef, useState } from 'react';
import { CR_VERSIONS, LATEST_CR_VERSION, type CrVersion } from '../../engine/settings';
import type { Knob } from '../../lab-config/types';
import { useLabStore } from '../../store/labStore';
import { GROUP_TITLES, sliderKnobs, stopsWith, type KnobGroup, type SliderSpec } from './knobSpecs';
import { formatKnobValue, setKnobValue } from '../../lab-config/knobs';
import { LIMITER_CHOICES, rateLimiterEdit, type LimiterKind } from './rateLimiterKind';

/**
 * The knob form: sliders and selects over the same text as the editor. Moving a slider
 * rewrites the value's expression in the code (one undo step in the editor); editing the code
 * moves the slider. Native controls, so touch screens and screen readers work as usual.
 */
export function KnobForm() {
  const compile = useLabStore((s) => s.compile);
  const version = useLabStore((s) => s.version);
  const knobs = compile?.knobs ?? [];
  const sliders = sliderKnobs(knobs);
  const toggles = knobs.filter((k) => k.kind === 'bool');
  const groups = new Map<KnobGroup, { knob: Knob; spec: SliderSpec }[]>();
  // The rate limiter group always shows (its kind select), right after the controller's.
  groups.set('controller', []);
  groups.set('rateLimiter', []);
  for (const s of sliders) groups.set(s.spec.group, [...(groups.get(s.spec.group) ?? []), s]);
  const headingId = useId();
  const present = new Set(knobs.map((k) => k.id));
  const missing = compile ? ADDABLE.filter((a) => !present.has(a.id)) : [];

  return (
    <details className="lab-knobs" open>
      <summary>Knobs</summary>
      <p className="lab-knob-note">
        Each control changes the value in the code above (the editor&apos;s undo, Ctrl/Cmd+Z, takes
        it back). Values the code does not set are not listed.
      </p>
      <div className="lab-knob-grid" role="group" aria-labelledby={headingId}>
        <h3 className="lab-knob-group" id={headingId}>
          Runtime
        </h3>
        <VersionSelect version={version} />
        {[...groups.entries()]
          .filter(
            ([group, items]) =>
              items.length > 0 || group === 'rateLimiter' || missing.some((m) => m.group === group),
          )
          .map(([group, items]) => (
            <KnobGroupView
              key={group}
              group={group}
              items={items}
              missing={missing.filter((m) => m.group === group)}
            />
          ))}
        {toggles.length > 0 && (
          <>
            <h3 className="lab-knob-group">Switches</h3>
            {toggles.map((k) => (
              <KnobToggle key={k.id} knob={k} />
            ))}
          </>
        )}
      </div>
    </details>
  );
}

/** Knobs the form can add to the code when it does not set them (src/lab-config setKnobValue). */
const ADDABLE: { id: string; group: KnobGroup; label: string; value: number }[] = [
  {
    id: 'maxConcurrentReconciles',
    group: 'controller',
    label: 'MaxConcurrentReconciles',
    value: 1,
  },
  { id: 'client.qps', group: 'client', label: 'client QPS', value: 20 },
  { id: 'client.burst', group: 'client', label: 'client Burst', value: 30 },
  { id: 'replicas', group: 'manager', label: 'replicas', value: 1 },
];

function AddKnob({ id, label, value }: { id: string; label: string; value: number }) {
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <div className="lab-knob">
      <button
        type="button"
        className="button button-small"
        onClick={() => {
          const s = useLabStore.getState();
          const edit = setKnobValue(s.text, id, value, { version: s.version });
          if (!edit) {
            setProblem(`There is no place in the code for ${label}.`);
            return;
          }
          s.editRange(edit.edit.range, edit.edit.newText);
        }}
      >
        Add {label} to the code
      </button>
      {problem && <p className="lab-knob-note">{problem}</p>}
    </div>
  );
}

function KnobGroupView({
  group,
  items,
  missing,
}: {
  group: KnobGroup;
  items: { knob: Knob; spec: SliderSpec }[];
  missing: { id: string; label: string; value: number }[];
}) {
  return (
    <>
      <h3 className="lab-knob-group">{GROUP_TITLES[group]}</h3>
      {group === 'rateLimiter' && <LimiterSelect />}
      {items.map(({ knob, spec }) => (
        <KnobSlider key={knob.id} knob={knob} spec={spec} />
      ))}
      {missing.map((m) => (
        <AddKnob key={m.id} id={m.id} label={m.label} value={m.value} />
      ))}
    </>
  );
}

function VersionSelect({ version }: { version: CrVersion }) {
  const id = useId();
  return (
    <div className="lab-knob">
      <label htmlFor={id}>controller-runtime version</label>
      <select
        id={id}
        value={version}
        onChange={(e) => useLabStore.getState().setVersion(e.target.value as CrVersion)}
      >
        {CR_VERSIONS.map((v) => (
          <option key={v} value={v}>
            {v}
            {v === LATEST_CR_VERSION ? ' (latest)' : ''}
          </option>
        ))}
      </select>
      <p className="lab-knob-note">Selects the defaults: queue, rate limiter, client QPS/Burst.</p>
    </div>
  );
}

/** The workqueue rate limiter's kind: rewrites the RateLimiter option (one undo step). */
function LimiterSelect() {
  const id = useId();
  const noteId = useId();
  const kind = useLabStore((s) => s.compile?.settings?.controller.rateLimiter.kind);
  const [problem, setProblem] = useState<string | null>(null);
  const note =
    problem ??
    (kind === undefined
      ? 'Fix the errors in the code to change the kind.'
      : 'Writes the constructor into controller.Options; its parameters appear below.');
  return (
    <div className="lab-knob lab-knob-wide">
      <label htmlFor={id}>RateLimiter</label>
      <select
        id={id}
        value={kind ?? ''}
        disabled={kind === undefined}
        aria-describedby={noteId}
        onChange={(e) => {
          const s = useLabStore.getState();
          const edit = rateLimiterEdit(s.text, e.target.value as LimiterKind);
          if (!edit) {
            setProblem('The code has no controller.Options{…} literal to put a RateLimiter in.');
            return;
          }
          setProblem(null);
          s.editRange(edit.range, edit.text);
        }}
      >
        {kind === undefined && <option value="">(unknown while the code has errors)</option>}
        {LIMITER_CHOICES.map((c) => (
          <option key={c.kind} value={c.kind}>
            {c.label}
          </option>
        ))}
      </select>
      <p className="lab-knob-note" id={noteId}>
        {note}
      </p>
    </div>
  );
}

/**
 * A slider over the knob's stops. While dragging only the shown value follows; the text is
 * edited when the control commits (native `change`: pointer release, or each key press), so
 * one drag is one undo step.
 */
function KnobSlider({ knob, spec }: { knob: Knob; spec: SliderSpec }) {
  const id = useId();
  const value = knob.value as number;
  const stops = stopsWith(spec.stops, value);
  const index = stops.indexOf(value);
  const [dragIndex, setDragIndex] = useState<number | null>(null);
  const ref = useRef<HTMLInputElement>(null);
  const latest = useRef({ stops, knobId: knob.id });
  latest.current = { stops, knobId: knob.id };

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const commit = () => {
      const { stops: s, knobId } = latest.current;
      const v = s[Number(el.value)];
      setDragIndex(null);
      if (v === undefined) return;
      useLabStore.getState().editKnob(knobId, (k, old) => formatKnobValue(k, old, v));
    };
    el.addEventListener('change', commit);
    return () => el.removeEventListener('change', commit);
  }, []);

  const shown = dragIndex ?? index;
  const v = stops[shown] ?? value;
  return (
    <div className="lab-knob">
      <label htmlFor={id}>
        <span>{knob.label}</span>
        <output htmlFor={id} aria-hidden="true">
          {spec.show(v)}
        </output>
      </label>
      <input
        ref={ref}
        id={id}
        type="range"
        min={0}
        max={stops.length - 1}
        step={1}
        value={shown}
        aria-valuetext={spec.speak(v)}
        data-knob={knob.id}
        onChange={(e) => setDragIndex(Number(e.target.value))}
      />
    </div>
  );
}

function KnobToggle({ knob }: { knob: Knob }) {
  const id = useId();
  return (
    <div className="lab-knob lab-knob-toggle">
      <label htmlFor={id}>
        <span>{knob.label}</span>
        <input
          id={id}
          type="checkbox"
          checked={knob.value === true}
          data-knob={knob.id}
          onChange={(e) => {
            const on = e.target.checked;
            useLabStore.getState().editKnob(knob.id, (k, old) => formatKnobValue(k, old, on));
          }}
        />
      </label>
    </div>
  );
}
