import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Apf, type ApfTicket } from '../apiserver/apf';
import { OPERATOR_USER, serviceAccountUser } from '../apiserver/config';
import { EventLoop } from '../loop';
import { MetricsRegistry } from '../metrics';
import { Millisecond, Second } from '../time';
import { harness, seedDatabases } from './testutil';

describe('properties', () => {
  it('APF never dispatches a request that does not fit its level’s seats, and answers every request once', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              op: fc.constant('start' as const),
              seats: fc.integer({ min: 1, max: 6 }),
              flow: fc.integer({ min: 0, max: 3 }),
            }),
            fc.record({ op: fc.constant('finish' as const), pick: fc.nat() }),
            fc.record({
              op: fc.constant('advance' as const),
              ms: fc.integer({ min: 1, max: 20_000 }),
            }),
            fc.record({ op: fc.constant('limit' as const), cl: fc.integer({ min: 6, max: 700 }) }),
          ),
          { maxLength: 400 },
        ),
        fc.boolean(),
        (ops, borrowing) => {
          const loop = new EventLoop();
          const apf = new Apf({
            loop,
            metrics: new MetricsRegistry(),
            serverConcurrencyLimit: 60,
            borrowing,
          });
          const level = apf.level('workload-low')!;
          const flows = [0, 1, 2, 3].map((i) =>
            apf.classify({
              user: i === 0 ? OPERATOR_USER : serviceAccountUser(`ns${i}`, 'op'),
              verb: 'update',
              resource: 'databases',
              namespace: 'x',
            }),
          );
          const answers = new Map<number, number>();
          const executing: ApfTicket[] = [];
          let started = 0;
          let violations = 0;
          for (const o of ops) {
            if (o.op === 'start') {
              const id = started++;
              answers.set(id, 0);
              const seats = Math.min(o.seats, level.maxSeatsPerRequest);
              apf.start(
                flows[o.flow]!,
                { initialSeats: seats, finalSeats: 0, additionalLatency: 0 },
                (t) => {
                  answers.set(id, answers.get(id)! + 1);
                  if (level.totSeatsInUse > level.currentCL && level.totRequestsExecuting > 1)
                    violations++;
                  executing.push(t);
                },
                () => answers.set(id, answers.get(id)! + 1),
              );
            } else if (o.op === 'finish') {
              if (executing.length > 0) {
                const [t] = executing.splice(o.pick % executing.length, 1);
                apf.finish(t!);
              }
            } else if (o.op === 'advance') {
              loop.advance(o.ms * Millisecond);
            } else {
              apf.setServerConcurrencyLimit(o.cl);
            }
          }
          expect(violations).toBe(0);
          // Every request was answered at most once; unanswered ones are still waiting.
          let unanswered = 0;
          for (const n of answers.values()) {
            expect(n).toBeLessThanOrEqual(1);
            if (n === 0) unanswered++;
          }
          expect(unanswered).toBe(level.totRequestsWaiting);
          // 15 s later, every waiting request has been dispatched or timed out.
          loop.advance(16 * Second);
          for (const n of answers.values()) expect(n).toBe(1);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('no request is lost through client + APF + server: each ends once as success or error, or is still in flight', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('tiny' as const, 'dev' as const),
        fc.constantFrom(-1, 5, 50),
        fc.integer({ min: 1, max: 120 }),
        fc.constantFrom(1, 0.3, 0.1),
        fc.integer({ min: 1, max: 90 }),
        fc.integer({ min: 0, max: 1000 }),
        (preset, qps, requests, factor, seconds, seed) => {
          const h = harness(preset, { qps, burst: qps > 0 ? qps * 2 : 0 }, seed);
          const names = seedDatabases(h.server, Math.max(1, Math.floor(requests / 2)));
          h.server.setSeatsFactor(factor);
          const calls = new Array<number>(requests).fill(0);
          const outcome: ('ok' | 'err')[] = [];
          for (let i = 0; i < requests; i++) {
            const name = names[i % names.length]!;
            const verb = i % 3 === 0 ? 'get' : i % 3 === 1 ? 'update' : 'patch';
            h.client.do(
              verb === 'get'
                ? { verb, kind: 'Database', namespace: 'default', name }
                : verb === 'update'
                  ? {
                      verb,
                      kind: 'Database',
                      namespace: 'default',
                      name,
                      object: {
                        kind: 'Database',
                        metadata: { namespace: 'default', name, resourceVersion: 1 },
                        spec: { i },
                      },
                    }
                  : { verb, kind: 'Database', namespace: 'default', name, patch: { spec: { i } } },
              (r) => {
                calls[i]!++;
                outcome.push(r.ok ? 'ok' : 'err');
                if (!r.ok) expect(r.error).toBeDefined();
              },
            );
          }
          h.loop.runUntil(seconds * Second);
          for (const c of calls) expect(c).toBeLessThanOrEqual(1);
          const answered = calls.filter((c) => c === 1).length;
          expect(answered + h.client.inFlight()).toBe(requests);
          // Given enough time (10 retries × ≤ 32 s), everything ends.
          h.loop.runUntil(seconds * Second + 400 * Second);
          expect(h.client.inFlight()).toBe(0);
          expect(calls.every((c) => c === 1)).toBe(true);
          for (const lv of h.server.apf.levelNames()) {
            const l = h.server.apf.level(lv)!;
            expect(l.totSeatsInUse).toBe(0);
            expect(l.totRequestsWaiting).toBe(0);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
