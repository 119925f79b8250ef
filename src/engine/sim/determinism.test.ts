/**
 * Determinism: every scenario of the lesson, run twice with its seed, gives identical samples,
 * events, logs and trace. Long scenarios are cut short (the first 20 virtual seconds; 3 s for
 * the 100k one) to keep the suite fast; determinism does not depend on the length.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Second } from '../time';
import { defaultSettings, runScenario } from './simulation';
import { loadScenario, SCENARIO_DIR } from './testing';

const ids = readdirSync(SCENARIO_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''));

describe('every scenario is deterministic', () => {
  it.each(ids)(
    '%s: two runs with one seed are identical',
    (id) => {
      const full = loadScenario(id);
      const cap = id === 'scale-100k' ? 3 * Second : 20 * Second;
      const sc = { ...full, duration: Math.min(full.duration, cap) };
      const settings = defaultSettings();
      if (id.startsWith('external')) {
        settings.apiLimiter = { limit: 10, burst: 1 };
        settings.reconcile.ops.splice(1, 0, { op: 'limiterWait' }, { op: 'external' });
      }
      const a = runScenario(settings, sc);
      const b = runScenario(settings, sc);
      expect(a.samples.length).toBe(Math.floor(sc.duration / Second));
      expect(JSON.stringify(a.samples)).toBe(JSON.stringify(b.samples));
      expect(JSON.stringify(a.events)).toBe(JSON.stringify(b.events));
      expect(JSON.stringify(a.logs)).toBe(JSON.stringify(b.logs));
      expect(JSON.stringify(a.trace)).toBe(JSON.stringify(b.trace));
      expect(a.metricsText).toBe(b.metricsText);
    },
    300_000,
  );
});
