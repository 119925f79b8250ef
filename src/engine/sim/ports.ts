/**
 * The request port between the operator and the API server: one call = one client-go
 * request (client-side throttle, APF, execution, 429 retries). Implemented over the
 * apiserver helper's REST client and server (sim/api-adapter.ts).
 */
import type { StatusError } from '../apiserver/errors';
import type {
  KubeObject,
  ListResult,
  MergePatch,
  NewObject,
  ObjectUpdate,
} from '../apiserver/object-store';

/** Which client sends it: each has its own token bucket per kind (controller-semantics.md §6). */
export type ClientName = 'manager' | 'apiReader' | 'informer' | 'leaderElection';

export type ApiCall =
  | { verb: 'get'; kind: string; namespace: string; name: string }
  | {
      verb: 'list';
      kind: string;
      namespace: string;
      labelSelector?: Record<string, string>;
      limit?: number;
      /** resourceVersion "0": served whole from the watch cache (informer initial LIST). */
      fromWatchCache?: boolean;
    }
  | { verb: 'create'; kind: string; namespace: string; name: string; obj: NewObject }
  | {
      verb: 'update' | 'updateStatus';
      kind: string;
      namespace: string;
      name: string;
      obj: ObjectUpdate;
    }
  | {
      verb: 'patch' | 'patchStatus';
      kind: string;
      namespace: string;
      name: string;
      patch: MergePatch;
    }
  | { verb: 'delete'; kind: string; namespace: string; name: string };

export type ApiResult =
  { ok: true; obj?: KubeObject; list?: ListResult } | { ok: false; err: StatusError };

export interface ApiPort {
  call(
    client: ClientName,
    call: ApiCall,
    traceKey: string | undefined,
    cb: (r: ApiResult) => void,
  ): void;
}
