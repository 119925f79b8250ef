/**
 * Share links: everything needed to reproduce what the learner sees (code, scenario, seed,
 * controller-runtime version, time cursor) in the URL fragment, versioned and compressed with
 * lz-string, with a checksum so a changed or truncated link is recognised and explained.
 *
 * Fragment form: `#/lesson/<lessonId>?s=<payload>`, payload = `<version>.<checksum>.<lz>`.
 */
import { compressToEncodedURIComponent, decompressFromEncodedURIComponent } from 'lz-string';
import { CR_VERSIONS, type CrVersion } from '../../engine/settings';
import { applyPatch, diffLines, type Patch } from './diff';

export const SHARE_VERSION = 1;

export interface ShareState {
  lessonId: string;
  code: string;
  scenarioId: string;
  seed: number;
  version: CrVersion;
  /** Virtual time the run had reached (ns): the opened link runs to the same point. */
  t: number;
  /** Time cursor (ns), or null. */
  cursor: number | null;
}

interface PayloadV1 {
  l: string;
  /** Full code, or… */
  c?: string;
  /** …a patch against the starting code, with the starting code's hash. */
  p?: Patch;
  b?: string;
  sc: string;
  sd: number;
  cr: CrVersion;
  t: number;
  cu: number | null;
}

/** FNV-1a 32-bit, hex: a checksum against accidental damage (not a security measure). */
export function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function encodeShare(state: ShareState, startingCode: string): string {
  const payload: PayloadV1 = {
    l: state.lessonId,
    sc: state.scenarioId,
    sd: state.seed,
    cr: state.version,
    t: state.t,
    cu: state.cursor,
  };
  const patch = diffLines(startingCode, state.code);
  const patchJson = patch ? JSON.stringify(patch) : null;
  if (patchJson !== null && patchJson.length < JSON.stringify(state.code).length) {
    payload.p = patch!;
    payload.b = fnv1a(startingCode);
  } else {
    payload.c = state.code;
  }
  const lz = compressToEncodedURIComponent(JSON.stringify(payload));
  // The checksum covers the transmitted text, so any change or cut is noticed.
  return `${SHARE_VERSION}.${fnv1a(lz)}.${lz}`;
}

export type DecodeResult = { ok: true; state: ShareState } | { ok: false; error: string };

const DAMAGED =
  'This share link is damaged or incomplete (it may have been cut off when it was copied). ' +
  'Nothing was changed; ask for the link again.';

/**
 * Decodes a payload. `startingCodeFor` returns the starting code of a lesson (the patch base).
 * Never throws: every problem becomes a clear message.
 */
export function decodeShare(
  payload: string,
  startingCodeFor: (lessonId: string) => string | undefined,
): DecodeResult {
  const m = /^(\d+)\.([0-9a-f]{8})\.([A-Za-z0-9+\-$]+)$/.exec(payload.trim());
  if (!m) {
    const v = /^(\d+)\./.exec(payload);
    if (v && Number(v[1]) !== SHARE_VERSION) return versionError(Number(v[1]));
    return { ok: false, error: DAMAGED };
  }
  const version = Number(m[1]);
  if (version !== SHARE_VERSION) return versionError(version);
  if (fnv1a(m[3]!) !== m[2]) {
    return {
      ok: false,
      error:
        'This share link was changed or cut off after it was made (its checksum does not ' +
        'match). Nothing was changed; ask for the link again.',
    };
  }
  let json: string | null;
  try {
    json = decompressFromEncodedURIComponent(m[3]!);
  } catch {
    json = null;
  }
  if (!json) return { ok: false, error: DAMAGED };
  let p: unknown;
  try {
    p = JSON.parse(json);
  } catch {
    return { ok: false, error: DAMAGED };
  }
  const o = p as Partial<PayloadV1>;
  if (
    typeof o !== 'object' ||
    o === null ||
    typeof o.l !== 'string' ||
    typeof o.sc !== 'string' ||
    typeof o.sd !== 'number' ||
    !Number.isSafeInteger(o.sd) ||
    !CR_VERSIONS.includes(o.cr as CrVersion) ||
    typeof o.t !== 'number' ||
    !Number.isFinite(o.t) ||
    o.t < 0 ||
    !(o.cu === null || (typeof o.cu === 'number' && Number.isFinite(o.cu)))
  ) {
    return { ok: false, error: DAMAGED };
  }
  let code: string | null = null;
  if (typeof o.c === 'string') code = o.c;
  else if (o.p !== undefined) {
    const base = startingCodeFor(o.l);
    if (base === undefined) {
      return {
        ok: false,
        error: `This share link is for a lesson this lab does not have (${o.l}).`,
      };
    }
    if (o.b !== fnv1a(base)) {
      return {
        ok: false,
        error:
          "This share link's code was written against a different version of the lesson's " +
          'starting code, so it cannot be rebuilt here. Nothing was changed.',
      };
    }
    code = applyPatch(base, o.p);
  }
  if (code === null) return { ok: false, error: DAMAGED };
  return {
    ok: true,
    state: {
      lessonId: o.l,
      code,
      scenarioId: o.sc,
      seed: o.sd,
      version: o.cr as CrVersion,
      t: o.t,
      cursor: o.cu ?? null,
    },
  };
}

function versionError(v: number): DecodeResult {
  return {
    ok: false,
    error:
      v > SHARE_VERSION
        ? `This share link was made by a newer version of Reconcile Lab (link format ${v}); this lab reads format ${SHARE_VERSION}. Nothing was changed.`
        : `This share link uses an old format (${v}) that this lab no longer reads. Nothing was changed.`,
  };
}

/** The fragment for a share link. */
export function shareFragment(lessonId: string, payload: string): string {
  return `#/lesson/${encodeURIComponent(lessonId)}?s=${payload}`;
}

/** Finds a share payload in a URL fragment (`…?s=…` or `#share=…`); null if none. */
export function payloadFromHash(hash: string): string | null {
  const m = /[?&#]s=([^&]*)/.exec(hash) ?? /^#share=([^&]*)/.exec(hash);
  return m ? decodeURIComponent(m[1]!) : null;
}

/** The fragment without its share payload (after the link was applied). */
export function hashWithoutPayload(hash: string): string {
  return hash
    .replace(/([?&])s=[^&]*&?/, '$1')
    .replace(/[?&]$/, '')
    .replace(/^#share=.*$/, '');
}
