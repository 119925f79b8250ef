/// <reference types="node" />
/** Test helpers: load a lesson scenario file (Node only; used by tests and benchmarks). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatScenarioErrors, parseScenario } from '../scenario';
import type { Scenario } from '../scenario-types';

/** Relative to the repository root (tests and benchmarks run from there). */
export const SCENARIO_DIR = join(
  process.cwd(),
  'lessons/7.4-performance-and-scalability/scenarios',
);

export function loadScenario(id: string): Scenario {
  const r = parseScenario(JSON.parse(readFileSync(join(SCENARIO_DIR, `${id}.json`), 'utf8')));
  if ('errors' in r) throw new Error(`${id}: ${formatScenarioErrors(r.errors)}`);
  return r.scenario;
}
