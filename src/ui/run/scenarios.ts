/**
 * The lesson's scenarios (lessons/<id>/scenarios/*.json), validated with parseScenario. A file
 * that fails validation is listed with its errors instead of breaking the lab.
 */
import { DEFAULT_SCENARIO_ID, formatScenarioErrors, parseScenario } from '../../engine/scenario';
import type { Scenario } from '../../engine/scenario-types';

const files = import.meta.glob<unknown>('../../../lessons/*/scenarios/*.json', {
  eager: true,
  import: 'default',
});

export interface ScenarioEntry {
  file: string;
  scenario: Scenario | null;
  error: string | null;
}

function load(): ScenarioEntry[] {
  const out: ScenarioEntry[] = [];
  for (const [file, json] of Object.entries(files)) {
    const r = parseScenario(json);
    if ('scenario' in r) out.push({ file, scenario: r.scenario, error: null });
    else out.push({ file, scenario: null, error: formatScenarioErrors(r.errors) });
  }
  // The default first, then by title.
  out.sort((a, b) => {
    const ad = a.scenario?.id === DEFAULT_SCENARIO_ID ? 0 : 1;
    const bd = b.scenario?.id === DEFAULT_SCENARIO_ID ? 0 : 1;
    if (ad !== bd) return ad - bd;
    return (a.scenario?.title ?? a.file).localeCompare(b.scenario?.title ?? b.file);
  });
  return out;
}

export const SCENARIO_ENTRIES: readonly ScenarioEntry[] = load();

export const SCENARIOS: readonly Scenario[] = SCENARIO_ENTRIES.flatMap((e) =>
  e.scenario ? [e.scenario] : [],
);

export function scenarioById(id: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.id === id);
}
