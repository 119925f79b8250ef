/**
 * Kubernetes API errors as the API server returns them and client-go surfaces them
 * (k8s.io/apimachinery/pkg/api/errors). Messages use the real forms:
 *   NotFound:       databases.database.example.com "db-1" not found
 *   AlreadyExists:  databases.database.example.com "db-1" already exists
 *   Conflict:       Operation cannot be fulfilled on databases.database.example.com "db-1": the
 *                   object has been modified; please apply your changes to the latest version
 *                   and try again
 *   Expired (410):  too old resource version: 12 (40)
 *   TooManyRequests (client side, after a 429 with a non-Status body):
 *                   the server has received too many requests and has asked us to try again
 *                   later (put databases.database.example.com db-1)
 */
export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Expired'
  | 'Gone'
  | 'TooManyRequests'
  | 'Invalid'
  | 'InternalError'
  | 'Timeout';

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    /** Retry-After in whole seconds when the server sent one (429 / 5xx). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'StatusError';
  }
}

export function newNotFound(qualifiedResource: string, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${qualifiedResource} "${name}" not found`);
}

export function newAlreadyExists(qualifiedResource: string, name: string): StatusError {
  return new StatusError(409, 'AlreadyExists', `${qualifiedResource} "${name}" already exists`);
}

export const CONFLICT_SUFFIX =
  'the object has been modified; please apply your changes to the latest version and try again';

export function newConflict(qualifiedResource: string, name: string, detail = CONFLICT_SUFFIX) {
  return new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource} "${name}": ${detail}`,
  );
}

/** The cacher's answer to a watch from a resource version older than its history. */
export function newTooOldResourceVersion(requested: number, oldest: number): StatusError {
  return new StatusError(410, 'Expired', `too old resource version: ${requested} (${oldest})`);
}

/** The body APF and max-inflight write with a 429 (the filters' tooManyRequests). */
export const TOO_MANY_REQUESTS_BODY = 'Too many requests, please try again later.';

/**
 * What client-go makes of a 429 whose body is not a Status (newUnstructuredResponseError →
 * NewGenericServerResponse): reason TooManyRequests and this message, followed by
 * "(<verb> <resource>[ <name>])".
 */
export function newTooManyRequestsClientError(
  method: string,
  qualifiedResource: string,
  name: string | undefined,
  retryAfterSeconds: number | undefined,
): StatusError {
  const what = name ? `${qualifiedResource} ${name}` : qualifiedResource;
  return new StatusError(
    429,
    'TooManyRequests',
    `the server has received too many requests and has asked us to try again later (${method.toLowerCase()} ${what})`,
    retryAfterSeconds,
  );
}

export function isNotFound(err: unknown): boolean {
  return err instanceof StatusError && err.reason === 'NotFound';
}
export function isAlreadyExists(err: unknown): boolean {
  return err instanceof StatusError && err.reason === 'AlreadyExists';
}
export function isConflict(err: unknown): boolean {
  return err instanceof StatusError && err.reason === 'Conflict';
}
export function isTooManyRequests(err: unknown): boolean {
  return err instanceof StatusError && (err.reason === 'TooManyRequests' || err.code === 429);
}
export function isResourceExpired(err: unknown): boolean {
  return err instanceof StatusError && (err.reason === 'Expired' || err.code === 410);
}
