import { create } from 'zustand';

/**
 * Lesson reading state and the "Try in lab" hand-off. The lesson view publishes a code block
 * here; the lab editor consumes it (and clears it) when it has loaded the code.
 */
export interface TryInLabRequest {
  /** The Go code of the block. */
  code: string;
  /** Stable id of the block in its lesson (e.g. "7.4-performance-and-scalability#go-3"). */
  blockId: string;
  /** Increases on every publish, so publishing the same block twice is still seen. */
  nonce: number;
}

interface LessonState {
  tryInLab: TryInLabRequest | null;
  publishToLab(code: string, blockId: string): void;
  consumeTryInLab(nonce: number): void;
}

export const useLessonStore = create<LessonState>((set, get) => ({
  tryInLab: null,
  publishToLab(code, blockId) {
    const nonce = (get().tryInLab?.nonce ?? 0) + 1;
    set({ tryInLab: { code, blockId, nonce } });
  },
  consumeTryInLab(nonce) {
    if (get().tryInLab?.nonce === nonce) set({ tryInLab: null });
  },
}));
