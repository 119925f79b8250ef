/**
 * Small, fail-safe access to localStorage for UI preferences and reading progress. Every value
 * is stored as `{ "v": <version>, "data": … }` under a namespaced key. A missing, unreadable,
 * corrupted or other-version value reads as `undefined` (never throws), and a storage that
 * refuses writes (private mode, quota) is ignored: preferences are a convenience.
 */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export const STORAGE_PREFIX = 'reconcile-lab:';

export function browserStorage(): KeyValueStorage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}

export function readStored<T>(
  key: string,
  version: number,
  validate: (data: unknown) => T | undefined,
  storage: KeyValueStorage | undefined = browserStorage(),
): T | undefined {
  try {
    const raw = storage?.getItem(STORAGE_PREFIX + key);
    if (raw == null) return undefined;
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const record = parsed as { v?: unknown; data?: unknown };
    if (record.v !== version) return undefined;
    return validate(record.data);
  } catch {
    return undefined;
  }
}

export function writeStored(
  key: string,
  version: number,
  data: unknown,
  storage: KeyValueStorage | undefined = browserStorage(),
): void {
  try {
    storage?.setItem(STORAGE_PREFIX + key, JSON.stringify({ v: version, data }));
  } catch {
    // Storage full or disabled: the preference lasts for this visit only.
  }
}
