/**
 * client-go's REST client as an operator uses it (controller-semantics.md §6,
 * apiserver-and-scale.md §2.1, §2.2):
 *
 * - one token bucket (flowcontrol.NewTokenBucketRateLimiter(qps, burst)) per client per
 *   resource type (GVK); QPS 0 means 5 and Burst 0 means 10 (rest.Config defaults); QPS < 0
 *   turns client-side limiting off (no limiter at all, so no rate-limiter histogram samples);
 * - the throttling log line with its thresholds (> 50 ms at V(3); > 1 s also through the
 *   throttled logger: V(2) every 1 s if enabled, else V(0) every 10 s) and its text by
 *   client-go version (≤ v0.32 "Waited for … due to client-side throttling, not priority and
 *   fairness, request: GET:https://…"; ≥ v0.33 structured "Waited before sending request");
 * - 429 / 5xx with Retry-After: sleep Retry-After seconds, pass the limiter again, retry, up
 *   to maxRetries (10) retries, then surface the error (TooManyRequests: "the server has
 *   received too many requests and has asked us to try again later (put …)");
 * - metrics per attempt: rest_client_requests_total{code,method,host},
 *   rest_client_request_duration_seconds{verb,host}, rest_client_rate_limiter_duration_seconds
 *   {verb,host}, rest_client_request_retries_total{code,verb,host};
 * - a why-waiting observer: spans clientThrottle, apfQueue, execution, retrySleep per request,
 *   tagged with the caller's object key.
 *
 * Callback core (`do`), a Waitable adapter (`call`) and an Op (`request`, no closures) for
 * src/engine/process.ts.
 */
import type { EventLoop } from '../loop';
import type { CounterSeries, HistogramSeries, MetricsRegistry } from '../metrics';
import type { Rng } from '../prng';
import { Op, type OpWaiter } from '../process';
import type { LogLine, TraceSpan } from '../run-types';
import { TokenBucketRateLimiter } from '../flowcontrol';
import type { Nanos } from '../time';
import { Millisecond, Second, formatDuration } from '../time';
import { qualifiedResource } from '../cache/kinds';
import type { UserInfo } from '../apiserver/config';
import { StatusError, newTooManyRequestsClientError } from '../apiserver/errors';
import { registerRestClientMetrics } from '../apiserver/metrics';
import type { ApiRequest, ApiResponse, ApiServer, Verb } from '../apiserver/server';
import type {
  KubeObject,
  ListResult,
  MergePatch,
  NewObject,
  ObjectUpdate,
} from '../apiserver/object-store';

/** client-go rest.DefaultQPS / DefaultBurst. */
export const DEFAULT_QPS = 5;
export const DEFAULT_BURST = 10;
/** rest/request.go longThrottleLatency / extraLongThrottleLatency. */
export const LONG_THROTTLE_LATENCY: Nanos = 50 * Millisecond;
export const EXTRA_LONG_THROTTLE_LATENCY: Nanos = 1 * Second;
/** NewRequest maxRetries. */
export const DEFAULT_MAX_RETRIES = 10;
export const THROTTLE_REASON = 'client-side throttling, not priority and fairness';

export interface RequestContext {
  /** namespace/name of the reconcile.Request this call belongs to (trace key). */
  key?: string;
  /** Absolute virtual deadline of the caller's context (ReconciliationTimeout). */
  deadline?: Nanos;
}

export interface RequestTimings {
  /** Client-side token-bucket waits, all attempts. */
  throttle: Nanos;
  /** Time in APF queues, all attempts. */
  apfQueue: Nanos;
  /** Server execution, all attempts. */
  execution: Nanos;
  /** Sleeps for Retry-After. */
  retrySleep: Nanos;
  /** Network round trips. */
  network: Nanos;
  total: Nanos;
}

/**
 * A request's outcome. It is the client's own object for the request (read its fields; it
 * does not change once delivered, and JSON.stringify gives these fields only).
 */
export interface ClientResult {
  ok: boolean;
  /** Final HTTP status code (0 when the request never reached the server). */
  code: number;
  object?: KubeObject;
  list?: ListResult;
  /** StatusError for API errors; a plain Error for client-side failures (limiter Wait). */
  error?: StatusError | Error;
  /** Attempts sent to the server (1 + retries). */
  attempts: number;
  timings: RequestTimings;
}

export interface RequestObserver {
  span(s: TraceSpan): void;
}

export interface RestClientOptions {
  loop: EventLoop;
  rng: Rng;
  server: ApiServer;
  metrics: MetricsRegistry;
  /** rest.Config.QPS: 0 → 5, < 0 → client-side limiting off. */
  qps: number;
  /** rest.Config.Burst: 0 → 10. */
  burst: number;
  /** Host label and URL host (in-cluster: the kubernetes Service). */
  host?: string;
  /** client-go minor version (0.NN): selects the log text. Default 35. */
  clientGoMinor?: number;
  /** klog -v verbosity of the operator process (default 0). */
  verbosity?: number;
  user?: UserInfo;
  maxRetries?: number;
  observer?: RequestObserver;
  log?: (line: LogLine) => void;
  /** Logger name on log lines. */
  logger?: string;
}

/** The HTTP method of a verb (a switch: no keyed property lookup per request). */
function methodOf(v: Verb): string {
  switch (v) {
    case 'get':
    case 'list':
    case 'watch':
      return 'GET';
    case 'create':
      return 'POST';
    case 'update':
      return 'PUT';
    case 'patch':
      return 'PATCH';
    case 'delete':
      return 'DELETE';
  }
}

interface MethodSlot {
  /** The HTTP method (GET, PUT, …). */
  method: string;
  duration: HistogramSeries;
  /** Created on first use: with the limiter off there is no series at all. */
  rateLimiter: HistogramSeries | undefined;
  requests: Map<number, CounterSeries>;
  /** rest_client_requests_total of the last code seen (almost always the next one too). */
  lastCode: number;
  lastRequests: CounterSeries | undefined;
  retries: Map<number, CounterSeries>;
}

interface ThrottleSetting {
  level: number;
  interval: Nanos;
  last: Nanos;
}

/** What the pending request's one timer callback does next (Pending.phase). */
/** The request reaches the server (half a round trip after sending). */
const ARRIVE = 0;
/** The response reaches the client. */
const RESPOND = 1;
/** A Retry-After sleep is over: pass the limiter again and resend. */
const RESEND = 2;
type Phase = typeof ARRIVE | typeof RESPOND | typeof RESEND;

/**
 * One request through the client: its attempts, timings and the phase of its timers. It is
 * also the Op a process waits on for `request()` (then `waiter` gets the result, not `cb`).
 * Created for every request; its fields are plain stores in the constructor.
 */
class Pending extends Op<ClientResult> implements ClientResult, RequestTimings {
  readonly client: RestClient;
  readonly req: ApiRequest;
  readonly ctx: RequestContext;
  /** Who gets the result: a callback (`do`), or the process waiting on this Op. */
  readonly cb: ((r: ClientResult) => void) | undefined;
  waiter: OpWaiter | undefined;
  start: Nanos;
  /** The HTTP method's metric series (and the method itself, `slot.method`). */
  readonly slot: MethodSlot;
  attempts: number;
  retries: number;
  retryInfo: string;
  phase: Phase;
  sentAt: Nanos;
  rtt: Nanos;
  res: ApiResponse | undefined;
  // RequestTimings (the request's own: `timings` is the Pending itself).
  throttle: Nanos;
  apfQueue: Nanos;
  execution: Nanos;
  retrySleep: Nanos;
  network: Nanos;
  total: Nanos;
  // ClientResult, set when the request ends (RestClient.end): the Pending is its own result.
  ok: boolean;
  code: number;
  object: KubeObject | undefined;
  list: ListResult | undefined;
  error: StatusError | Error | undefined;
  constructor(
    client: RestClient,
    req: ApiRequest,
    ctx: RequestContext,
    cb: ((r: ClientResult) => void) | undefined,
    slot: MethodSlot,
  ) {
    super();
    this.client = client;
    this.req = req;
    this.ctx = ctx;
    this.cb = cb;
    this.waiter = undefined;
    // Set when the request is sent (RestClient.startPending).
    this.start = 0;
    this.slot = slot;
    this.attempts = 0;
    this.retries = 0;
    this.retryInfo = '';
    this.phase = ARRIVE;
    this.sentAt = 0;
    this.rtt = 0;
    this.res = undefined;
    this.throttle = 0;
    this.apfQueue = 0;
    this.execution = 0;
    this.retrySleep = 0;
    this.network = 0;
    this.total = 0;
    this.ok = false;
    this.code = 0;
    this.object = undefined;
    this.list = undefined;
    this.error = undefined;
  }

  /** ClientResult: the request's timings (its own fields). */
  get timings(): RequestTimings {
    return this;
  }

  /** JSON of a result: its ClientResult fields only, not the request's internals. */
  toJSON(): ClientResult {
    return {
      ok: this.ok,
      code: this.code,
      object: this.object,
      list: this.list,
      error: this.error,
      attempts: this.attempts,
      timings: {
        throttle: this.throttle,
        apfQueue: this.apfQueue,
        execution: this.execution,
        retrySleep: this.retrySleep,
        network: this.network,
        total: this.total,
      },
    };
  }

  /** Op: sent when the waiting process reaches it (`yield* client.request(…)`). */
  begin(waiter: OpWaiter): void {
    this.waiter = waiter;
    this.client.startPending(this);
  }
}

/** A deterministic UUID-shaped UID for a FlowSchema (the X-Kubernetes-PF-FlowSchema-UID header). */
export function flowSchemaUID(name: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < name.length; i++) {
    h1 = Math.imul(h1 ^ name.charCodeAt(i), 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ name.charCodeAt(i), 0x5bd1e995) >>> 0;
  }
  const hex = (h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0')).repeat(2);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The limiter wait's context of a request without a deadline (only read). */
const NO_DEADLINE: { deadline?: Nanos } = Object.freeze({});

/** The context of a call without one (never mutated). */
const NO_CONTEXT: RequestContext = Object.freeze({});

export class RestClient {
  readonly host: string;
  readonly qps: number;
  readonly burst: number;
  private readonly o: RestClientOptions;
  private readonly loop: EventLoop;
  private readonly limiters = new Map<string, TokenBucketRateLimiter>();
  private readonly throttled: ThrottleSetting[] = [
    { level: 2, interval: 1 * Second, last: -Infinity },
    { level: 0, interval: 10 * Second, last: -Infinity },
  ];
  private readonly maxRetries: number;
  private readonly verbosity: number;
  private readonly minor: number;
  private inflight = 0;
  private readonly slots = new Map<string, MethodSlot>();
  /**
   * The timers of every request (arrival at the server, response, resend; see Pending.phase)
   * and the server's answer: one callback each for all requests, the request as argument.
   */
  private readonly stepFn = (p: Pending): void => this.step(p);
  private readonly answeredFn = (res: ApiResponse, p: Pending): void => this.answered(p, res);

  constructor(o: RestClientOptions) {
    this.o = o;
    this.loop = o.loop;
    registerRestClientMetrics(o.metrics);
    this.host = o.host ?? '10.96.0.1:443';
    this.qps = o.qps === 0 ? DEFAULT_QPS : o.qps;
    this.burst = o.burst === 0 ? DEFAULT_BURST : o.burst;
    this.maxRetries = o.maxRetries ?? DEFAULT_MAX_RETRIES;
    this.verbosity = o.verbosity ?? 0;
    this.minor = o.clientGoMinor ?? 35;
  }

  /** Whether client-side rate limiting is on (QPS ≥ 0). */
  limited(): boolean {
    return this.qps >= 0;
  }

  /** Requests issued and not yet answered (including throttle waits and retry sleeps). */
  inFlight(): number {
    return this.inflight;
  }

  /** The token bucket of one resource type (created on first use), or undefined when off. */
  limiterFor(kind: string): TokenBucketRateLimiter | undefined {
    if (this.qps < 0) return undefined;
    let l = this.limiters.get(kind);
    if (!l) {
      l = new TokenBucketRateLimiter(this.qps, this.burst, this.loop);
      this.limiters.set(kind, l);
    }
    return l;
  }

  /** The request URL as client-go prints it. */
  urlFor(req: ApiRequest): string {
    const info = this.o.server.store.kindInfo(req.kind);
    const prefix = info.group === '' ? '/api/v1' : `/apis/${info.group}/v1`;
    const ns = info.namespaced && req.namespace ? `/namespaces/${req.namespace}` : '';
    const name = req.name ? `/${req.name}` : '';
    const sub = req.subresource ? `/${req.subresource}` : '';
    const q: string[] = [];
    if (req.verb === 'list' || req.verb === 'watch') {
      if (req.labelSelector && Object.keys(req.labelSelector).length > 0) {
        const sel = Object.entries(req.labelSelector)
          .map(([k, v]) => `${k}=${v}`)
          .join(',');
        q.push(`labelSelector=${encodeURIComponent(sel)}`);
      }
      if (req.limit) q.push(`limit=${req.limit}`);
      if (req.resourceVersion !== undefined) q.push(`resourceVersion=${req.resourceVersion}`);
      if (req.verb === 'watch') q.push('watch=true');
    }
    return `https://${this.host}${prefix}${ns}/${info.resource}${name}${sub}${q.length ? `?${q.join('&')}` : ''}`;
  }

  /** Sends a request; `cb` is called exactly once with the final result. */
  do(req: ApiRequest, cb: (r: ClientResult) => void, ctx: RequestContext = NO_CONTEXT): void {
    this.startPending(this.pending(req, cb, ctx));
  }

  private pending(
    req: ApiRequest,
    cb: ((r: ClientResult) => void) | undefined,
    ctx: RequestContext,
  ): Pending {
    return new Pending(this, req, ctx, cb, this.slot(methodOf(req.verb)));
  }

  /** @internal Sends a pending request (from `do`, or when a process reaches its Op). */
  startPending(p: Pending): void {
    p.start = this.loop.now();
    this.inflight++;
    this.throttleThenSend(p);
  }

  /** A Waitable for src/engine/process.ts: `const r = yield* waitFor(client.call(req))`. */
  call(req: ApiRequest, ctx?: RequestContext): (resume: (r: ClientResult) => void) => void {
    return (resume) => this.do(req, resume, ctx);
  }

  /**
   * Process form: `const r = yield* client.request(req, ctx)`. An Op: the request is sent when
   * the process reaches it, and the waiting costs no closure or generator of its own.
   */
  request(req: ApiRequest, ctx: RequestContext = NO_CONTEXT): Op<ClientResult> {
    return this.pending(req, undefined, ctx);
  }

  // Typed conveniences (all Waitables).
  get(kind: string, namespace: string, name: string, ctx?: RequestContext) {
    return this.call({ verb: 'get', kind, namespace, name }, ctx);
  }
  list(
    kind: string,
    opts: {
      namespace?: string;
      labelSelector?: Record<string, string>;
      limit?: number;
      resourceVersion?: string;
      continue?: string;
    } = {},
    ctx?: RequestContext,
  ) {
    return this.call({ verb: 'list', kind, ...opts }, ctx);
  }
  create(obj: NewObject, ctx?: RequestContext) {
    return this.call(
      { verb: 'create', kind: obj.kind, namespace: obj.metadata.namespace, object: obj },
      ctx,
    );
  }
  update(obj: ObjectUpdate, ctx?: RequestContext) {
    return this.call(
      {
        verb: 'update',
        kind: obj.kind,
        namespace: obj.metadata.namespace,
        name: obj.metadata.name,
        object: obj,
      },
      ctx,
    );
  }
  updateStatus(obj: ObjectUpdate, ctx?: RequestContext) {
    return this.call(
      {
        verb: 'update',
        subresource: 'status',
        kind: obj.kind,
        namespace: obj.metadata.namespace,
        name: obj.metadata.name,
        object: obj,
      },
      ctx,
    );
  }
  patch(
    kind: string,
    namespace: string,
    name: string,
    patch: MergePatch,
    subresource?: 'status',
    ctx?: RequestContext,
  ) {
    return this.call({ verb: 'patch', kind, namespace, name, patch, subresource }, ctx);
  }
  delete(kind: string, namespace: string, name: string, ctx?: RequestContext) {
    return this.call({ verb: 'delete', kind, namespace, name }, ctx);
  }

  // --- pipeline ---------------------------------------------------------------------------

  private throttleThenSend(p: Pending): void {
    const lim = this.limiterFor(p.req.kind);
    if (!lim) {
      this.send(p);
      return;
    }
    const now = this.loop.now();
    const w = lim.wait(p.ctx.deadline !== undefined ? { deadline: p.ctx.deadline } : NO_DEADLINE);
    if (w.err !== null) {
      this.observeThrottle(p, 0);
      this.fail(p, 0, new Error(`client rate limiter Wait returned an error: ${w.err}`));
      return;
    }
    const delay = w.delay;
    if (delay <= 0) {
      this.observeThrottle(p, 0);
      this.send(p);
      return;
    }
    p.throttle += delay;
    this.loop.schedule(now + delay, () => {
      this.observeThrottle(p, delay);
      if (this.tracing(p)) {
        this.span(
          p,
          'clientThrottle',
          now,
          now + delay,
          `${p.slot.method} ${this.resource(p)}: ${THROTTLE_REASON} (QPS ${this.qps}, burst ${this.burst})`,
        );
      }
      this.send(p);
    });
  }

  private resource(p: Pending): string {
    return this.o.server.store.kindInfo(p.req.kind).resource;
  }

  private observeThrottle(p: Pending, delay: Nanos): void {
    const sl = p.slot;
    if (!sl.rateLimiter) {
      sl.rateLimiter = this.o.metrics.histogramSeries('rest_client_rate_limiter_duration_seconds', {
        verb: p.slot.method,
        host: this.host,
      });
    }
    sl.rateLimiter.observe(delay / Second);
    if (delay > LONG_THROTTLE_LATENCY && this.verbosity >= 3) this.throttleLog(p, delay, 3);
    if (delay > EXTRA_LONG_THROTTLE_LATENCY) {
      const now = this.loop.now();
      for (const s of this.throttled) {
        if (this.verbosity >= s.level) {
          if (now - s.last >= s.interval) {
            s.last = now;
            this.throttleLog(p, delay, s.level);
          }
          break;
        }
      }
    }
  }

  private throttleLog(p: Pending, delay: Nanos, level: number): void {
    const log = this.o.log;
    if (!log) return;
    const d = formatDuration(delay);
    if (this.minor <= 32) {
      const msg = p.retryInfo
        ? `Waited for ${d}, ${p.retryInfo} - request: ${p.slot.method}:${this.urlFor(p.req)}`
        : `Waited for ${d} due to ${THROTTLE_REASON}, request: ${p.slot.method}:${this.urlFor(p.req)}`;
      log({
        t: this.loop.now(),
        level: level === 0 ? 'info' : 'debug',
        logger: this.o.logger ?? 'client-go',
        msg,
        kv: { v: level },
      });
    } else {
      log({
        t: this.loop.now(),
        level: level === 0 ? 'info' : 'debug',
        logger: this.o.logger ?? 'client-go',
        msg: 'Waited before sending request',
        kv: {
          delay: d,
          reason: p.retryInfo || THROTTLE_REASON,
          verb: p.slot.method,
          URL: this.urlFor(p.req),
          v: level,
        },
      });
    }
  }

  private send(p: Pending): void {
    p.attempts++;
    const sentAt = this.loop.now();
    const cfg = this.o.server.config;
    const rtt =
      cfg.networkRttMin +
      Math.floor(this.o.rng.float64() * (cfg.networkRttMax - cfg.networkRttMin));
    p.sentAt = sentAt;
    p.rtt = rtt;
    p.phase = ARRIVE;
    this.loop.scheduleWith(sentAt + Math.floor(rtt / 2), this.stepFn, p);
  }

  /** @internal A timer of the request fired (arrival at the server, response, resend). */
  step(p: Pending): void {
    switch (p.phase) {
      case ARRIVE:
        this.o.server.handleWith(p.req, this.answeredFn, p, p.req.user ?? this.o.user);
        return;
      case RESPOND:
        this.onResponse(p, p.res!, p.sentAt, p.rtt);
        return;
      case RESEND:
        this.throttleThenSend(p);
        return;
    }
  }

  /** @internal The server answered: the response travels the other half of the round trip. */
  answered(p: Pending, res: ApiResponse): void {
    p.res = res;
    p.phase = RESPOND;
    this.loop.scheduleWith(this.loop.now() + (p.rtt - Math.floor(p.rtt / 2)), this.stepFn, p);
  }

  private onResponse(p: Pending, res: ApiResponse, sentAt: Nanos, rtt: Nanos): void {
    const now = this.loop.now();
    p.res = undefined;
    this.requestsCounter(p.slot, res.code).inc();
    p.slot.duration.observe((now - sentAt) / Second);
    p.network += rtt;
    const dispatched = res.dispatchedAt;
    const queueEnd = dispatched ?? res.completedAt;
    const tracing = this.tracing(p);
    if (queueEnd > res.arrivedAt) {
      p.apfQueue += queueEnd - res.arrivedAt;
      if (tracing) {
        this.span(
          p,
          'apfQueue',
          res.arrivedAt,
          queueEnd,
          `${res.priorityLevel} / ${res.flowSchema}${res.rejectReason ? ` → 429 (${res.rejectReason})` : ''}`,
        );
      }
    }
    if (dispatched !== undefined) {
      p.execution += res.completedAt - dispatched;
      if (tracing) {
        this.span(
          p,
          'execution',
          dispatched,
          res.completedAt,
          `${p.slot.method} ${this.resource(p)} ${res.code}${res.seats > 1 ? ` (${res.seats} seats)` : ''}`,
        );
      }
    }
    const retryAfter = res.retryAfterSeconds;
    if ((res.code === 429 || res.code >= 500) && retryAfter !== undefined) {
      if (p.retries < this.maxRetries) {
        p.retries++;
        this.retriesCounter(p.slot.method, res.code).inc();
        const sleep = retryAfter * Second;
        p.retryInfo =
          res.code === 429
            ? `retries: ${p.retries}, retry-after: ${retryAfter}s - retry-reason: due to server-side throttling, FlowSchema UID: "${flowSchemaUID(res.flowSchema)}"`
            : `retries: ${p.retries}, retry-after: ${retryAfter}s - retry-reason: ${res.code}`;
        this.retryLog(p, retryAfter);
        p.retrySleep += sleep;
        if (tracing) {
          this.span(
            p,
            'retrySleep',
            now,
            now + sleep,
            `${p.slot.method} ${this.resource(p)} ${res.code}${res.rejectReason ? ` (${res.rejectReason})` : ''}, Retry-After ${retryAfter}s`,
          );
        }
        p.phase = RESEND;
        this.loop.scheduleWith(now + sleep, this.stepFn, p);
        return;
      }
      const qr = qualifiedResource(p.req.kind);
      this.fail(
        p,
        res.code,
        res.code === 429
          ? newTooManyRequestsClientError(p.slot.method, qr, p.req.name, retryAfter)
          : (res.error ??
              new StatusError(
                res.code,
                'InternalError',
                `an error on the server has prevented the request from succeeding`,
              )),
      );
      return;
    }
    if (res.error) {
      const err =
        res.code === 429
          ? newTooManyRequestsClientError(
              p.slot.method,
              qualifiedResource(p.req.kind),
              p.req.name,
              undefined,
            )
          : res.error;
      this.fail(p, res.code, err);
      return;
    }
    this.end(p, true, res.code, res.object, res.list, undefined);
  }

  private retryLog(p: Pending, retryAfter: number): void {
    const log = this.o.log;
    if (!log || this.verbosity < 4) return;
    const t = this.loop.now();
    const logger = this.o.logger ?? 'client-go';
    if (this.minor >= 33) {
      log({
        t,
        level: 'debug',
        logger,
        msg: 'Got a Retry-After response',
        kv: {
          delay: formatDuration(retryAfter * Second),
          attempt: p.retries,
          url: this.urlFor(p.req),
          v: 4,
        },
      });
    } else if (this.minor >= 22) {
      log({
        t,
        level: 'debug',
        logger,
        msg: `Got a Retry-After ${formatDuration(retryAfter * Second)} response for attempt ${p.retries} to ${this.urlFor(p.req)}`,
        kv: { v: 4 },
      });
    } else {
      log({
        t,
        level: 'debug',
        logger,
        msg: `Got a Retry-After ${retryAfter}s response for attempt ${p.retries} to ${this.urlFor(p.req)}`,
        kv: { v: 4 },
      });
    }
  }

  /** Ends the request with an error (code 0: it never reached the server). */
  private fail(p: Pending, code: number, error: StatusError | Error): void {
    this.end(p, false, code, undefined, undefined, error);
  }
  /**
   * Ends the request: the Pending is its own ClientResult (and its timings), handed to the
   * process waiting on it or to the callback. Nothing changes it afterwards.
   */
  private end(
    p: Pending,
    ok: boolean,
    code: number,
    object: KubeObject | undefined,
    list: ListResult | undefined,
    error: StatusError | Error | undefined,
  ): void {
    this.inflight--;
    p.total = this.loop.now() - p.start;
    p.ok = ok;
    p.code = code;
    p.object = object;
    p.list = list;
    p.error = error;
    const w = p.waiter;
    if (w !== undefined) w.opDone(p, p);
    else p.cb!(p);
  }

  /** Whether spans of this request are recorded (details are only built then). */
  private tracing(p: Pending): boolean {
    return this.o.observer !== undefined && p.ctx.key !== undefined;
  }

  private span(
    p: Pending,
    stage: TraceSpan['stage'],
    start: Nanos,
    end: Nanos,
    detail: string,
  ): void {
    this.o.observer!.span({ key: p.ctx.key!, stage, start, end, detail });
  }

  /** Metric series of one HTTP method, looked up without building strings per request. */
  private slot(method: string): MethodSlot {
    let sl = this.slots.get(method);
    if (!sl) {
      const m = this.o.metrics;
      const host = this.host;
      sl = {
        method,
        duration: m.histogramSeries('rest_client_request_duration_seconds', { verb: method, host }),
        rateLimiter: undefined,
        requests: new Map(),
        lastCode: -1,
        lastRequests: undefined,
        retries: new Map(),
      };
      this.slots.set(method, sl);
    }
    return sl;
  }

  private requestsCounter(sl: MethodSlot, code: number): CounterSeries {
    if (sl.lastCode === code) return sl.lastRequests!;
    let c = sl.requests.get(code);
    if (!c) {
      c = this.o.metrics.counter('rest_client_requests_total', {
        code: String(code),
        method: sl.method,
        host: this.host,
      });
      sl.requests.set(code, c);
    }
    sl.lastCode = code;
    sl.lastRequests = c;
    return c;
  }

  private retriesCounter(method: string, code: number): CounterSeries {
    const sl = this.slot(method);
    let c = sl.retries.get(code);
    if (!c) {
      c = this.o.metrics.counter('rest_client_request_retries_total', {
        code: String(code),
        verb: method,
        host: this.host,
      });
      sl.retries.set(code, c);
    }
    return c;
  }
}
