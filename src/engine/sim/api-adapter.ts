/**
 * Connects the operator to the simulated API server: the ApiPort over client-go REST clients
 * (one per client of the process: the manager's client, the API reader, the cache's
 * informers, leader election; each with its own token bucket per kind, controller-semantics.md
 * §6), and the informers' LIST/WATCH (ListWatcher) over the server's watch machinery.
 *
 * Faults handled here: hotKey (writes to the object and its children are refused by a
 * validating admission webhook with 422 Invalid: not retried by client-go, the reconcile
 * fails and the workqueue backs off; modelled as rejected before APF, after the client-side
 * limiter) and the unreachable window of watchDisconnect.
 */
import { StatusError } from '../apiserver/errors';
import { OPERATOR_USER } from '../apiserver/config';
import type { Watch, WatchEvent } from '../apiserver/object-store';
import type { ApiRequest, ApiServer } from '../apiserver/server';
import { type RequestContext, RestClient } from '../client/rest-client';
import type { ListWatcher } from '../informer/informer';
import type { EventLoop } from '../loop';
import type { MetricsRegistry } from '../metrics';
import type { Rng } from '../prng';
import { clientRateLimit, profileFor } from '../profiles';
import type { LogLine, TraceSpan } from '../run-types';
import type { Fault } from '../scenario-types';
import type { SimSettings } from '../settings';
import { Millisecond, type Nanos } from '../time';
import type { ApiCall, ApiPort, ApiResult, ClientName } from './ports';
import type { TraceRecorder } from './trace';

export interface AdapterDeps {
  loop: EventLoop;
  rng: Rng;
  server: ApiServer;
  metrics: MetricsRegistry;
  settings: SimSettings;
  faults: readonly Fault[];
  trace: TraceRecorder;
  log: (line: LogLine) => void;
}

/** The request context of a call whose spans are not kept (shared: the client only reads it). */
const UNTRACED: RequestContext = Object.freeze({});

/**
 * The operator's call as a request. `snapshots`: the operator reads results like cached
 * objects (it never mutates them), so the server hands out its immutable snapshots instead
 * of copies.
 */
function toRequest(c: ApiCall): ApiRequest {
  switch (c.verb) {
    case 'get':
      return { snapshots: true, verb: 'get', kind: c.kind, namespace: c.namespace, name: c.name };
    case 'list':
      return {
        snapshots: true,
        verb: 'list',
        kind: c.kind,
        namespace: c.namespace || undefined,
        labelSelector: c.labelSelector,
        limit: c.limit,
        resourceVersion: c.fromWatchCache ? '0' : undefined,
      };
    case 'create':
      return {
        snapshots: true,
        verb: 'create',
        kind: c.kind,
        namespace: c.namespace,
        name: c.name,
        object: c.obj,
      };
    case 'update':
      return {
        snapshots: true,
        verb: 'update',
        kind: c.kind,
        namespace: c.namespace,
        name: c.name,
        object: c.obj,
      };
    case 'updateStatus':
      return {
        snapshots: true,
        verb: 'update',
        subresource: 'status',
        kind: c.kind,
        namespace: c.namespace,
        name: c.name,
        object: c.obj,
      };
    case 'patch':
      return {
        snapshots: true,
        verb: 'patch',
        kind: c.kind,
        namespace: c.namespace,
        name: c.name,
        patch: c.patch,
      };
    case 'patchStatus':
      return {
        snapshots: true,
        verb: 'patch',
        subresource: 'status',
        kind: c.kind,
        namespace: c.namespace,
        name: c.name,
        patch: c.patch,
      };
    case 'delete':
      return {
        snapshots: true,
        verb: 'delete',
        kind: c.kind,
        namespace: c.namespace,
        name: c.name,
      };
  }
}

export class ApiAdapter implements ApiPort, ListWatcher {
  private readonly clients: Record<ClientName, RestClient>;
  /** kind → server unreachable for this kind's watch until (watchDisconnect.for). */
  private readonly unreachable = new Map<string, Nanos>();

  constructor(private readonly d: AdapterDeps) {
    const p = profileFor(d.settings.version);
    const lim = clientRateLimit(p, d.settings.client);
    const minor = Number(p.clientGo.slice(3));
    const observer = {
      span: (s: TraceSpan) => {
        if (d.trace.traced(s.key)) d.trace.span(s.key, s.stage, s.start, s.end, s.detail);
      },
    };
    const mk = (logger: string, verbosity: number): RestClient =>
      new RestClient({
        loop: d.loop,
        rng: d.rng,
        server: d.server,
        metrics: d.metrics,
        qps: lim.enabled ? lim.qps : -1,
        burst: lim.burst,
        clientGoMinor: minor,
        // V(4) so the 429 retry lines ("Got a Retry-After response") reach the log pane as debug.
        verbosity,
        user: OPERATOR_USER,
        observer,
        log: d.log,
        logger,
      });
    this.clients = {
      manager: mk('client-go', 4),
      apiReader: mk('client-go', 4),
      informer: mk('client-go', 0),
      leaderElection: mk('client-go', 0),
    };
  }

  client(name: ClientName): RestClient {
    return this.clients[name];
  }

  private hotKeyHit(c: ApiCall): boolean {
    if (c.verb === 'get' || c.verb === 'list' || c.kind === 'Lease') return false;
    const now = this.d.loop.now();
    for (const f of this.d.faults) {
      if (f.type !== 'hotKey' || now < f.from || (f.to !== undefined && now >= f.to)) continue;
      if (c.name === f.name && (f.namespace === undefined || f.namespace === c.namespace))
        return true;
    }
    return false;
  }

  call(
    client: ClientName,
    c: ApiCall,
    traceKey: string | undefined,
    cb: (r: ApiResult) => void,
  ): void {
    if (c.verb !== 'list' && this.hotKeyHit(c)) return this.denyHotKey(c, traceKey, cb);
    this.clients[client].do(
      toRequest(c),
      (r) => {
        if (r.ok) cb({ ok: true, obj: r.object, list: r.list });
        else cb({ ok: false, err: asStatus(r.error, r.code) });
      },
      // The key goes to the client only while the trace keeps this key's spans: the client
      // builds span details only for requests with a key (the trace would drop the rest; a
      // key the full trace does not hold never becomes traced later).
      traceKey && this.d.trace.traced(traceKey) ? { key: traceKey } : UNTRACED,
    );
  }

  /** hotKey: the validating webhook denies the write (its own method: `call` stays closure-light). */
  private denyHotKey(
    c: Exclude<ApiCall, { verb: 'list' }>,
    traceKey: string | undefined,
    cb: (r: ApiResult) => void,
  ): void {
    const name = c.name;
    const now = this.d.loop.now();
    this.d.loop.after(Millisecond, () => {
      if (traceKey && this.d.trace.traced(traceKey))
        this.d.trace.span(
          traceKey,
          'execution',
          now,
          this.d.loop.now(),
          'admission webhook denied the request (422)',
        );
      cb({
        ok: false,
        err: new StatusError(
          422,
          'Invalid',
          `admission webhook "vdatabase.kb.io" denied the request: ${c.kind} "${name}" is invalid: spec.storageSize: Invalid value: "0": must be greater than 0`,
        ),
      });
    });
  }

  /** kind → watches from a resourceVersion at or below this get 410 Gone (watchDisconnect gone). */
  private readonly goneUpTo = new Map<string, number>();

  /** watchDisconnect `gone`: the history before `rv` is gone for this kind's watchers. */
  markGone(kind: string, rv: number): void {
    this.goneUpTo.set(kind, Math.max(rv, this.goneUpTo.get(kind) ?? 0));
  }

  /** watchDisconnect `for`: the kind's LIST/WATCH fail until t. */
  setUnreachable(kind: string, until: Nanos): void {
    this.unreachable.set(kind, until);
  }

  private isUnreachable(kind: string): boolean {
    const u = this.unreachable.get(kind);
    return u !== undefined && this.d.loop.now() < u;
  }

  // ---- ListWatcher ----

  list: ListWatcher['list'] = (kind, cb) => {
    if (this.isUnreachable(kind)) {
      this.d.loop.after(Millisecond, () =>
        cb({
          ok: false,
          message: `Get "https://10.96.0.1:443/apis/.../${kind.toLowerCase()}s?resourceVersion=0": dial tcp 10.96.0.1:443: connect: connection refused`,
        }),
      );
      return;
    }
    this.clients.informer.do({ verb: 'list', kind, resourceVersion: '0', snapshots: true }, (r) => {
      if (!r.ok || !r.list)
        return cb({ ok: false, message: r.error?.message ?? `status ${r.code}` });
      // The store's objects are immutable snapshots (every write makes a new one), so the
      // cache shares the ones the LIST was served from instead of deep copies (memory at
      // scale); the watch events that follow carry snapshots too.
      cb({ ok: true, objects: r.list.items, resourceVersion: r.list.resourceVersion });
    });
  };

  watch: ListWatcher['watch'] = (kind, rv, timeout, on) => {
    const loop = this.d.loop;
    let w: Watch | undefined;
    let ended = false;
    let timer: number | undefined;
    const end = (why: 'timeout' | 'error' | 'gone'): void => {
      if (ended) return;
      ended = true;
      if (timer !== undefined) loop.cancel(timer);
      const ww = w;
      w = undefined;
      ww?.stop();
      on.end(why);
    };
    const handle = {
      stop: () => {
        ended = true;
        if (timer !== undefined) loop.cancel(timer);
        w?.stop();
        w = undefined;
      },
    };
    if (this.isUnreachable(kind)) {
      loop.after(Millisecond, () => end('error'));
      return handle;
    }
    const gone = this.goneUpTo.get(kind);
    if (gone !== undefined && rv <= gone) {
      // The watch cache no longer holds events after rv: 410 Expired ("too old resource version").
      loop.after(Millisecond, () => end('gone'));
      return handle;
    }
    this.d.server.watch(
      kind,
      { resourceVersion: rv },
      (ev: WatchEvent) => {
        if (!ended) on.event(ev.type, ev.object);
      },
      (reason) => {
        if (reason === 'disconnected') end('error');
      },
      (res) => {
        if (ended) {
          if (!(res instanceof StatusError)) res.stop();
          return;
        }
        if (res instanceof StatusError) {
          end(res.code === 410 ? 'gone' : 'error');
          return;
        }
        w = res;
        timer = loop.after(timeout, () => end('timeout'));
      },
      OPERATOR_USER,
    );
    return handle;
  };
}

function asStatus(e: StatusError | Error | undefined, code: number): StatusError {
  if (e instanceof StatusError) return e;
  return new StatusError(
    code || 500,
    'InternalError',
    e?.message ?? `request failed with status ${code}`,
  );
}
