/**
 * Public types of src/lab-config: diagnostics (Monaco-shaped ranges), knobs and compile
 * results. Pure data, no Monaco import: the editor maps these onto markers itself.
 */
import type { CrVersion, SimSettings } from '../engine/settings';

/** A source range: 1-based lines and UTF-16 columns (as Monaco), plus 0-based offsets. */
export interface SourceRange {
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
  /** UTF-16 offset of the first character (0-based). */
  startOffset: number;
  /** UTF-16 offset just past the last character. */
  endOffset: number;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  /** Stable code from DIAGNOSTIC_CATALOGUE, e.g. 'LC001'. */
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  range: SourceRange;
}

export type KnobKind = 'int' | 'float' | 'duration' | 'bool' | 'string';

/**
 * One editable value recognised in the text. `range` covers the expression that holds the
 * value (after following a named constant to its declaration), e.g. `2`, `5*time.Millisecond`,
 * `rate.Limit(10)`. `editKnob` rewrites exactly that range.
 */
export interface Knob {
  /** Stable id, e.g. 'maxConcurrentReconciles', 'rateLimiter.baseDelay' (see README). */
  id: string;
  /** Short human label for forms and screen readers. */
  label: string;
  kind: KnobKind;
  /** int/float: the number (Infinity for rate.Inf); duration: Nanos; bool; string. */
  value: number | boolean | string;
  range: SourceRange;
}

export interface CompileOptions {
  version: CrVersion;
}

export interface CompileResult {
  /** undefined when the text has at least one error-severity diagnostic. */
  settings: SimSettings | undefined;
  diagnostics: Diagnostic[];
  knobs: Knob[];
}

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CATALOGUE;

export interface CatalogueEntry {
  severity: Severity;
  title: string;
  description: string;
}

/**
 * Every diagnostic the compiler can produce. Codes never change meaning; new ones are added.
 * ARCHITECTURE.md lists this table.
 */
export const DIAGNOSTIC_CATALOGUE = {
  LC001: {
    severity: 'error',
    title: 'Syntax error',
    description: 'tree-sitter-go could not parse this part (an ERROR node): unexpected token.',
  },
  LC002: {
    severity: 'error',
    title: 'Missing token',
    description: 'tree-sitter-go inserted a MISSING token here (e.g. a `)` or `}` is missing).',
  },
  LC010: {
    severity: 'error',
    title: 'Division by zero',
    description: 'Constant division by zero, rejected by the Go compiler.',
  },
  LC011: {
    severity: 'error',
    title: 'Constant truncated',
    description:
      'A fractional constant used where Go needs an integer (an int field, or a time.Duration such as 1.5*time.Nanosecond).',
  },
  LC012: {
    severity: 'error',
    title: 'Constant overflow',
    description: 'The constant does not fit in the Go type (int64 / time.Duration).',
  },
  LC013: {
    severity: 'error',
    title: 'Not a number',
    description: 'NaN (e.g. math.NaN()) where a rate, QPS or duration is needed.',
  },
  LC014: {
    severity: 'error',
    title: 'Wrong type',
    description:
      'The value has the wrong type for this field (e.g. a string where a number is needed).',
  },
  LC015: {
    severity: 'error',
    title: 'Undefined name',
    description:
      'A misspelt time unit (e.g. time.Milisecond): Go reports "undefined: time.Milisecond".',
  },
  LC020: {
    severity: 'error',
    title: 'Too many workers',
    description: 'MaxConcurrentReconciles above the lab cap of 10,000 workers.',
  },
  LC021: {
    severity: 'warning',
    title: 'Non-positive workers',
    description:
      'MaxConcurrentReconciles ≤ 0: controller-runtime replaces it with the default, 1 worker.',
  },
  LC022: {
    severity: 'warning',
    title: 'Suspicious delay',
    description:
      'A negative or zero rate-limiter delay (items are re-added at once: a hot retry loop), or a max delay below the base delay.',
  },
  LC023: {
    severity: 'warning',
    title: 'Bucket that never admits',
    description:
      'A token bucket with burst ≤ 0 (and a finite limit): Reserve is never OK, so When returns rate.InfDuration and Wait fails with "rate: Wait(n=1) exceeds limiter\'s burst 0".',
  },
  LC024: {
    severity: 'warning',
    title: 'Non-positive rate',
    description: 'rate.Limit ≤ 0: the bucket starts with `burst` tokens and never refills.',
  },
  LC025: {
    severity: 'warning',
    title: 'Client QPS/Burst',
    description:
      'rest.Config QPS/Burst values that client-go treats specially (Burst ≤ 0 with QPS > 0 gives a bucket that never admits).',
  },
  LC026: {
    severity: 'error',
    title: 'Replicas',
    description: 'The lab `const replicas` must be an integer from 1 to 10.',
  },
  LC027: {
    severity: 'warning',
    title: 'Replicas without leader election',
    description:
      'replicas > 1 without LeaderElection: every replica runs the controller (duplicate work).',
  },
  LC030: {
    severity: 'error',
    title: 'Missing index',
    description:
      'client.MatchingFields on a field with no mgr.GetFieldIndexer().IndexField(…) for that kind: the cached List fails with "Index with name field:<f> does not exist".',
  },
  LC031: {
    severity: 'error',
    title: 'Leader-election durations',
    description:
      "client-go rejects the durations: leaseDuration > renewDeadline > retryPeriod × 1.2 (JitterFactor), all > 0, with client-go's own messages.",
  },
  LC032: {
    severity: 'error',
    title: 'Duplicate index',
    description:
      'The same field indexed twice for one kind: IndexField fails with "indexer conflict".',
  },
  LC040: {
    severity: 'warning',
    title: 'Value not constant',
    description:
      'The value is computed at run time (a function call, a variable the lab cannot follow); the lab uses the default.',
  },
  LC041: {
    severity: 'warning',
    title: 'Rate limiter not recognised',
    description:
      "The RateLimiter expression is not one of the client-go constructors the lab knows; the version's default limiter is used.",
  },
  LC042: {
    severity: 'warning',
    title: 'No controller',
    description:
      'No ctrl.NewControllerManagedBy(mgr).For(&T{}) chain found; the lab simulates For(&Database{}) with defaults.',
  },
  LC043: {
    severity: 'warning',
    title: 'No Reconcile',
    description: 'No Reconcile method found; each reconcile does no API work.',
  },
  LC044: {
    severity: 'warning',
    title: 'Unknown object kind',
    description: 'The lab could not tell which Kind this call reads or writes.',
  },
  LC045: {
    severity: 'info',
    title: 'Not simulated',
    description: 'Valid code the lab does not simulate (it is ignored).',
  },
  LC047: {
    severity: 'error',
    title: 'Unknown field for this version',
    description:
      'The struct field does not exist in the chosen controller-runtime version (e.g. ReconciliationTimeout before v0.22).',
  },
  LC048: {
    severity: 'warning',
    title: 'Untyped rate limiter',
    description:
      'A deprecated untyped workqueue constructor: since controller-runtime v0.19, controller.Options.RateLimiter needs the typed form (…[reconcile.Request]).',
  },
  LC049: {
    severity: 'error',
    title: 'Cannot infer type argument',
    description:
      'A generic workqueue constructor without [reconcile.Request] whose arguments do not mention T: Go reports "cannot infer T".',
  },
  LC050: {
    severity: 'warning',
    title: 'Pointer field',
    description: 'The field is a pointer (*bool, *time.Duration): write ptr.To(…) or &variable.',
  },
  LC051: {
    severity: 'warning',
    title: 'Negative duration',
    description: 'A negative timeout or period.',
  },
  LC052: {
    severity: 'warning',
    title: 'Limiter never created',
    description:
      'r.apiLimiter.Wait(ctx) but no rate.NewLimiter(…) is assigned to that field: in Go the nil *rate.Limiter panics; the lab skips the wait.',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type { CrVersion, SimSettings };
