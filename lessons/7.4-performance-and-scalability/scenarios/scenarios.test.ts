import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SCENARIO_ID,
  formatScenarioErrors,
  parseScenario,
} from '../../../src/engine/scenario';

const dir = join(__dirname);
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('the scenario library of lesson 7.4', () => {
  it('has at least 8 scenarios', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  it.each(files)('%s is a valid scenario whose id matches its file name', (f) => {
    const r = parseScenario(JSON.parse(readFileSync(join(dir, f), 'utf8')));
    if ('errors' in r) throw new Error(`${f}:\n${formatScenarioErrors(r.errors)}`);
    expect(r.scenario.id).toBe(f.replace(/\.json$/, ''));
    expect(r.scenario.learningPoint.length).toBeGreaterThan(20);
    expect(r.scenario.learningPoint).not.toContain('\n');
  });

  it('contains the default scenario', () => {
    expect(files).toContain(`${DEFAULT_SCENARIO_ID}.json`);
  });

  it('illustrates several different sections of the lesson', () => {
    const sections = new Set(
      files.map((f) => {
        const r = parseScenario(JSON.parse(readFileSync(join(dir, f), 'utf8')));
        return 'scenario' in r ? r.scenario.lessonSection : '';
      }),
    );
    expect(sections.size).toBeGreaterThanOrEqual(7);
  });
});
