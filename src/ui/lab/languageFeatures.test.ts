import { beforeAll, describe, expect, it } from 'vitest';
import labGo from '../../../lessons/7.4-performance-and-scalability/lab.go?raw';
import { initGoParserForNode } from '../../lab-config/parser-node';
import { compileLabText } from '../../lab-config/compile';
import { COMPLETIONS } from '../../lab-config/completions';
import type { Knob } from '../../lab-config/types';
import { completionsFor, identifierHover, knobAt, knobHover } from './languageFeatures';

let knobs: Knob[] = [];
beforeAll(async () => {
  await initGoParserForNode();
  knobs = compileLabText(labGo, { version: 'v0.23' }).knobs;
});

function offsetOf(needle: string, delta = 0): number {
  const i = labGo.indexOf(needle);
  if (i < 0) throw new Error(`lab.go has no ${needle}`);
  return i + delta;
}

describe('hover finds the knob', () => {
  it('inside the value', () => {
    const at = offsetOf('MaxConcurrentReconciles: 2', 'MaxConcurrentReconciles: '.length);
    expect(knobAt(knobs, labGo, at)?.id).toBe('maxConcurrentReconciles');
  });

  it('on the field name in front of the value', () => {
    expect(knobAt(knobs, labGo, offsetOf('MaxConcurrentReconciles: 2', 3))?.id).toBe(
      'maxConcurrentReconciles',
    );
  });

  it('on an assignment target (cfg.QPS = …) when the code has one', () => {
    const qps = knobs.find((k) => k.id === 'client.qps');
    expect(qps).toBeDefined();
    const line = labGo.lastIndexOf('\n', qps!.range.startOffset) + 1;
    const key = labGo.slice(line, qps!.range.startOffset).search(/\w+\s*[:=]+\s*$/);
    expect(knobAt(knobs, labGo, line + key + 1)?.id).toBe('client.qps');
  });

  it('nowhere else (a comment, a keyword)', () => {
    expect(knobAt(knobs, labGo, offsetOf('package controllers', 2))).toBeUndefined();
    expect(knobAt(knobs, labGo, 0)).toBeUndefined();
  });
});

describe('hover text', () => {
  it("shows what a knob does, its version's default and the source", () => {
    const k = knobs.find((x) => x.id === 'maxConcurrentReconciles')!;
    const lines = knobHover(k, 'v0.23');
    expect(lines[0]).toBe('**MaxConcurrentReconciles** = `2`');
    expect(lines).toContain('Default in controller-runtime v0.23: `1`');
    expect(lines.some((l) => l.startsWith('Source: controller-semantics.md'))).toBe(true);
  });

  it('follows the chosen version (UsePriorityQueue became the default in v0.23)', () => {
    const pq: Knob = { ...knobs[0]!, id: 'usePriorityQueue', kind: 'bool', value: true };
    expect(knobHover(pq, 'v0.20')).toContain(
      'Default in controller-runtime v0.20: `false (opt-in from v0.20)`',
    );
    expect(knobHover(pq, 'v0.23')).toContain(
      'Default in controller-runtime v0.23: `true (since v0.23)`',
    );
  });

  it('documents recognised identifiers but not lower-case names', () => {
    expect(identifierHover('NewTypedMaxOfRateLimiter', 'v0.23')).toBeDefined();
    expect(identifierHover('ctx', 'v0.23')).toBeUndefined();
  });

  it('writes rate.Inf for an unlimited rate', () => {
    const inf: Knob = { ...knobs[0]!, id: 'apiLimiter.limit', kind: 'float', value: Infinity };
    expect(knobHover(inf, 'v0.23')[0]).toContain('`rate.Inf`');
  });
});

describe('completion', () => {
  it('offers everything at the start of a word', () => {
    expect(completionsFor('')).toHaveLength(COMPLETIONS.length);
  });

  it('after workqueue. offers only workqueue names, filtered with the qualifier', () => {
    const items = completionsFor('workqueue.');
    expect(items.length).toBeGreaterThan(3);
    for (const { filterText } of items) expect(filterText.startsWith('workqueue.')).toBe(true);
    expect(items.map((i) => i.item.label)).toContain(
      'workqueue.NewTypedItemExponentialFailureRateLimiter',
    );
  });

  it('after &workqueue. offers the bucket literal', () => {
    expect(completionsFor('&workqueue.').map((i) => i.item.label)).toEqual([
      'workqueue.TypedBucketRateLimiter',
    ]);
  });

  it('after client. offers the list options', () => {
    const labels = completionsFor('client.').map((i) => i.item.label);
    expect(labels).toContain('client.MatchingFields');
    expect(labels).toContain('client.InNamespace');
  });
});
