import { readStored, writeStored, type KeyValueStorage } from '../storage';

/**
 * Which sections of which lessons the learner has read, kept across reloads in localStorage
 * under `reconcile-lab:read-sections` as `{ v: 1, data: { <lesson id>: [<slug>, …] } }`.
 * Anything malformed in the stored value is dropped, never trusted.
 */
export type ReadSections = Record<string, string[]>;

const KEY = 'read-sections';
export const READ_PROGRESS_VERSION = 1;

export function validateReadSections(data: unknown): ReadSections | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const out: ReadSections = {};
  for (const [lesson, slugs] of Object.entries(data)) {
    if (!Array.isArray(slugs)) continue;
    const clean = slugs.filter((s): s is string => typeof s === 'string' && s.length <= 200);
    out[lesson] = [...new Set(clean)];
  }
  return out;
}

export function loadReadSections(storage?: KeyValueStorage): ReadSections {
  return readStored(KEY, READ_PROGRESS_VERSION, validateReadSections, storage) ?? {};
}

export function saveReadSections(all: ReadSections, storage?: KeyValueStorage): void {
  writeStored(KEY, READ_PROGRESS_VERSION, all, storage);
}

/** Returns a new record with `slugs` marked read (or unread) for `lessonId`. */
export function withSectionsRead(
  all: ReadSections,
  lessonId: string,
  slugs: readonly string[],
  read: boolean,
): ReadSections {
  const current = new Set(all[lessonId] ?? []);
  for (const s of slugs) {
    if (read) current.add(s);
    else current.delete(s);
  }
  return { ...all, [lessonId]: [...current] };
}
