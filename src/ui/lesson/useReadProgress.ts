import { useCallback, useMemo, useState } from 'react';
import { loadReadSections, saveReadSections, withSectionsRead } from './readProgress';

export interface ReadProgress {
  read: ReadonlySet<string>;
  setRead(slugs: readonly string[], read: boolean): void;
}

/** Read/unread state of a lesson's sections, persisted (see readProgress.ts). */
export function useReadProgress(lessonId: string): ReadProgress {
  const [all, setAll] = useState(loadReadSections);
  const read = useMemo(() => new Set(all[lessonId] ?? []), [all, lessonId]);
  const setRead = useCallback(
    (slugs: readonly string[], value: boolean) => {
      setAll((prev) => {
        if (slugs.every((s) => (prev[lessonId] ?? []).includes(s) === value)) return prev;
        // Re-read storage so another tab's progress is merged rather than overwritten.
        const next = withSectionsRead({ ...loadReadSections(), ...prev }, lessonId, slugs, value);
        saveReadSections(next);
        return next;
      });
    },
    [lessonId],
  );
  return { read, setRead };
}
