/**
 * Exports: data as CSV, charts as SVG/PNG, the Prometheus text, and the Go snippet for the
 * knobs of the run. The text builders are pure (unit-tested); the download helpers touch the
 * DOM.
 */
import { Hour, Microsecond, Millisecond, Minute, Second, type Nanos } from '../../engine/time';
import { SERIES, SERIES_KEYS } from '../../engine/run-types';
import type { RateLimiterSpec, SimSettings } from '../../engine/settings';
import type { RunData } from '../../store/runStore';

/** CSV of every series: one row per stored column, t in seconds, header = series keys. */
export function toCsv(d: RunData): string {
  const lines = [['t_seconds', ...SERIES_KEYS].join(',')];
  for (let i = 0; i < d.t.length; i++) {
    const row = [fmtNum(d.t[i]! / Second)];
    for (const k of SERIES_KEYS) row.push(fmtNum(d.v[k][i]!));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

/** A second CSV header line naming the real metric of each column (for spreadsheets). */
export function csvMetricsLegend(): string {
  return ['# metric', ...SERIES_KEYS.map((k) => `"${SERIES[k].metric.replace(/"/g, '""')}"`)].join(
    ',',
  );
}

function fmtNum(x: number): string {
  if (!Number.isFinite(x)) return '';
  return String(Math.round(x * 1e9) / 1e9);
}

/** A duration as Go code writes it: 5*time.Millisecond, 1000*time.Second, 0. */
export function goDuration(d: Nanos): string {
  if (d === 0) return '0';
  const units: [Nanos, string][] = [
    [Hour, 'time.Hour'],
    [Minute, 'time.Minute'],
    [Second, 'time.Second'],
    [Millisecond, 'time.Millisecond'],
    [Microsecond, 'time.Microsecond'],
  ];
  for (const [u, name] of units) {
    if (d % u === 0) return d === u ? name : `${d / u} * ${name}`;
  }
  return `${d} * time.Nanosecond`;
}

function goFloat(x: number): string {
  if (x === Infinity) return 'rate.Inf';
  return Number.isInteger(x) ? String(x) : String(x);
}

function limiterExpr(spec: RateLimiterSpec, indent: string): string {
  const T = '[reconcile.Request]';
  switch (spec.kind) {
    case 'default':
    case 'defaultController':
      return `workqueue.DefaultTypedControllerRateLimiter${T}()`;
    case 'defaultItemBased':
      return `workqueue.DefaultTypedItemBasedRateLimiter${T}()`;
    case 'itemExponentialFailure':
      return `workqueue.NewTypedItemExponentialFailureRateLimiter${T}(${goDuration(spec.baseDelay)}, ${goDuration(spec.maxDelay)})`;
    case 'itemFastSlow':
      return `workqueue.NewTypedItemFastSlowRateLimiter${T}(${goDuration(spec.fastDelay)}, ${goDuration(spec.slowDelay)}, ${spec.maxFastAttempts})`;
    case 'bucket':
      return `&workqueue.TypedBucketRateLimiter${T}{Limiter: rate.NewLimiter(rate.Limit(${goFloat(spec.qps)}), ${spec.burst})}`;
    case 'maxOf': {
      const inner = indent + '\t';
      return `workqueue.NewTypedMaxOfRateLimiter(\n${spec.limiters
        .map((l) => `${inner}${limiterExpr(l, inner)},`)
        .join('\n')}\n${indent})`;
    }
    case 'withMaxWait':
      return `workqueue.NewTypedWithMaxWaitRateLimiter(${limiterExpr(spec.limiter, indent)}, ${goDuration(spec.maxDelay)})`;
  }
}

const CORE_GROUPS: Record<string, string> = {
  StatefulSet: 'appsv1',
  Deployment: 'appsv1',
  ReplicaSet: 'appsv1',
  DaemonSet: 'appsv1',
  Service: 'corev1',
  ConfigMap: 'corev1',
  Secret: 'corev1',
  Pod: 'corev1',
  PersistentVolumeClaim: 'corev1',
  Job: 'batchv1',
};

function typeRef(kind: string): string {
  return `&${CORE_GROUPS[kind] ?? 'v1'}.${kind}{}`;
}

/**
 * Go for the knobs of a run: the controller options, the rest.Config QPS/Burst, the field
 * indexes and the reconciler's limiter. Knobs left at their defaults are written as comments
 * so the learner sees which defaults were in force.
 */
export function goSnippet(s: SimSettings): string {
  const c = s.controller;
  const out: string[] = [];
  out.push(
    `// Knobs of this Reconcile Lab run (controller-runtime ${s.version}).`,
    '',
    'cfg := ctrl.GetConfigOrDie()',
  );
  if (s.client.qps === 'default') out.push('// cfg.QPS: left at the default for this version');
  else out.push(`cfg.QPS = ${goFloat(s.client.qps)}`);
  if (s.client.burst === 'default') out.push('// cfg.Burst: left at the default for this version');
  else out.push(`cfg.Burst = ${s.client.burst}`);
  out.push('');
  out.push('mgr, err := ctrl.NewManager(cfg, ctrl.Options{');
  out.push(`\tLeaderElection: ${s.manager.leaderElection},`);
  if (s.manager.syncPeriod !== 10 * Hour) {
    out.push(`\tCache: cache.Options{SyncPeriod: ptr.To(${goDuration(s.manager.syncPeriod)})},`);
  }
  out.push('})');
  for (const ix of s.indexes) {
    out.push('');
    out.push(
      `if err := mgr.GetFieldIndexer().IndexField(ctx, ${typeRef(ix.kind)}, "${ix.field}", func(o client.Object) []string {`,
    );
    out.push(`\treturn []string{ /* the value of ${ix.field} */ }`);
    out.push('}); err != nil {\n\treturn err\n}');
  }
  out.push('');
  out.push(`func (r *${c.forKind}Reconciler) SetupWithManager(mgr ctrl.Manager) error {`);
  out.push('\treturn ctrl.NewControllerManagedBy(mgr).');
  out.push(`\t\tFor(${typeRef(c.forKind)}).`);
  for (const o of c.owns) out.push(`\t\tOwns(${typeRef(o)}).`);
  out.push('\t\tWithOptions(controller.Options{');
  out.push(`\t\t\tMaxConcurrentReconciles: ${c.maxConcurrentReconciles},`);
  if (c.rateLimiter.kind === 'default') {
    out.push("\t\t\t// RateLimiter: the version's default");
  } else {
    out.push(`\t\t\tRateLimiter: ${limiterExpr(c.rateLimiter, '\t\t\t')},`);
  }
  if (c.usePriorityQueue !== undefined)
    out.push(`\t\t\tUsePriorityQueue: ptr.To(${c.usePriorityQueue}),`);
  if (c.recoverPanic !== undefined) out.push(`\t\t\tRecoverPanic: ptr.To(${c.recoverPanic}),`);
  if (c.reconciliationTimeout > 0) {
    out.push(`\t\t\tReconciliationTimeout: ${goDuration(c.reconciliationTimeout)},`);
  }
  out.push('\t\t}).');
  out.push('\t\tComplete(r)');
  out.push('}');
  if (s.apiLimiter) {
    out.push('');
    out.push('// The reconciler guards its external API with a token bucket:');
    out.push(
      `apiLimiter: rate.NewLimiter(${s.apiLimiter.limit === Infinity ? 'rate.Inf' : `rate.Limit(${goFloat(s.apiLimiter.limit)})`}, ${s.apiLimiter.burst}),`,
    );
  }
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// DOM helpers

export function downloadBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function downloadText(name: string, text: string, mime = 'text/plain'): void {
  downloadBlob(name, new Blob([text], { type: `${mime};charset=utf-8` }));
}

/** The chart's SVG as a standalone document (with a background and the text colour resolved). */
export function svgMarkup(container: HTMLElement): string | null {
  const svg = container.querySelector('svg.recharts-surface');
  if (!svg) return null;
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const cs = getComputedStyle(container);
  const w = svg.getAttribute('width') ?? String(container.clientWidth);
  const h = svg.getAttribute('height') ?? String(container.clientHeight);
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', w);
  clone.setAttribute('height', h);
  clone.setAttribute('style', `color:${cs.color};font-family:system-ui,sans-serif`);
  const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute(
    'fill',
    cs.backgroundColor && cs.backgroundColor !== 'rgba(0, 0, 0, 0)'
      ? cs.backgroundColor
      : '#ffffff',
  );
  clone.insertBefore(bg, clone.firstChild);
  return new XMLSerializer().serializeToString(clone);
}

export async function downloadPanelImage(
  container: HTMLElement | null,
  name: string,
  format: 'svg' | 'png',
): Promise<void> {
  if (!container) return;
  const canvas = container.querySelector('canvas');
  if (canvas) {
    const dataUrl = canvas.toDataURL('image/png');
    if (format === 'png') {
      const png = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/png'));
      if (png) downloadBlob(`${name}.png`, png);
    } else {
      const w = canvas.clientWidth;
      const h = canvas.clientHeight;
      downloadText(
        `${name}.svg`,
        `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><image href="${dataUrl}" width="${w}" height="${h}"/></svg>`,
        'image/svg+xml',
      );
    }
    return;
  }
  const markup = svgMarkup(container);
  if (!markup) return;
  if (format === 'svg') {
    downloadText(`${name}.svg`, markup, 'image/svg+xml');
    return;
  }
  const svgBlob = new Blob([markup], { type: 'image/svg+xml;charset=utf-8' });
  const url = URL.createObjectURL(svgBlob);
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the chart could not be drawn as an image'));
      img.src = url;
    });
    const scale = 2;
    const canvas = document.createElement('canvas');
    canvas.width = img.width * scale;
    canvas.height = img.height * scale;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0);
    const png = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/png'));
    if (png) downloadBlob(`${name}.png`, png);
  } finally {
    URL.revokeObjectURL(url);
  }
}
