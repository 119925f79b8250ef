import { create } from 'zustand';
import { readStored, writeStored } from '../storage';

/** Width of the lesson pane in percent of the workspace (the lab gets the rest). */
export const SPLIT_MIN = 25;
export const SPLIT_MAX = 75;
export const SPLIT_DEFAULT = 60;

export type NarrowTab = 'lesson' | 'lab';

interface LayoutState {
  /** Lesson pane width, percent (wide layout). */
  split: number;
  /** Whether the lab pane is shown beside the lesson (wide layout). */
  labOpen: boolean;
  /** Which pane shows in the narrow (tablet) layout. */
  narrowTab: NarrowTab;
  setSplit(percent: number): void;
  setLabOpen(open: boolean): void;
  setNarrowTab(tab: NarrowTab): void;
  /** Makes the lab visible in either layout (used by "Try in lab"). */
  revealLab(): void;
}

const KEY = 'layout';
const VERSION = 1;

interface Persisted {
  split: number;
  labOpen: boolean;
}

function validate(d: unknown): Persisted | undefined {
  if (typeof d !== 'object' || d === null) return undefined;
  const { split, labOpen } = d as Record<string, unknown>;
  if (typeof split !== 'number' || !Number.isFinite(split) || typeof labOpen !== 'boolean') {
    return undefined;
  }
  return { split: clampSplit(split), labOpen };
}

export function clampSplit(percent: number): number {
  if (!Number.isFinite(percent)) return SPLIT_DEFAULT;
  return Math.min(SPLIT_MAX, Math.max(SPLIT_MIN, Math.round(percent)));
}

const stored = readStored(KEY, VERSION, validate);

export const useLayoutStore = create<LayoutState>((set, get) => {
  const persist = () => writeStored(KEY, VERSION, { split: get().split, labOpen: get().labOpen });
  return {
    split: stored?.split ?? SPLIT_DEFAULT,
    labOpen: stored?.labOpen ?? true,
    narrowTab: 'lesson',
    setSplit(percent) {
      set({ split: clampSplit(percent) });
      persist();
    },
    setLabOpen(labOpen) {
      set({ labOpen });
      persist();
    },
    setNarrowTab(narrowTab) {
      set({ narrowTab });
    },
    revealLab() {
      set({ labOpen: true, narrowTab: 'lab' });
      persist();
    },
  };
});
