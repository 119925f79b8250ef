/**
 * Finds the engine's createSimulation (src/engine/sim, written by the operator-sim work) without
 * naming its file, so the worker builds while that module is being written. Once it exists this
 * resolves to the real function; until then a run reports a clear error instead of breaking the
 * build.
 */
import type { SimFactory } from './host';

const modules = import.meta.glob<Record<string, unknown>>(
  ['../engine/sim/*.ts', '../engine/index.ts', '!../engine/**/*.test.ts'],
  { eager: true },
);

function find(): SimFactory | null {
  for (const m of Object.values(modules)) {
    const f = m.createSimulation;
    if (typeof f === 'function') return f as SimFactory;
  }
  return null;
}

const found = find();

export const createSimulation: SimFactory = (settings, scenario, opts) => {
  if (!found)
    throw new Error('the simulation engine (createSimulation) is not available in this build');
  return found(settings, scenario, opts);
};
