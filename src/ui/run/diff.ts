/**
 * A small line-based diff and patch for share links: the code travels as the edits against
 * the starting code when that is shorter than the code itself.
 *
 * A patch is a list of ops over the base's lines, in order: a positive number n keeps n lines,
 * a negative number -n deletes n lines, an array of strings inserts those lines.
 */
export type PatchOp = number | string[];
export type Patch = PatchOp[];

/** Largest base × target line product for which the LCS table is computed. */
const MAX_CELLS = 4_000_000;

export function diffLines(base: string, target: string): Patch | null {
  const a = base.split('\n');
  const b = target.split('\n');
  // Common prefix and suffix first: most edits touch a few lines.
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (
    suf < a.length - pre &&
    suf < b.length - pre &&
    a[a.length - 1 - suf] === b[b.length - 1 - suf]
  ) {
    suf++;
  }
  const am = a.slice(pre, a.length - suf);
  const bm = b.slice(pre, b.length - suf);
  if (am.length * bm.length > MAX_CELLS) return null;
  const n = am.length;
  const m = bm.length;
  // lcs[i][j] = LCS length of am[i..] and bm[j..], in one flat array.
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] =
        am[i] === bm[j]
          ? lcs[(i + 1) * w + j + 1]! + 1
          : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
    }
  }
  const ops: Patch = [];
  const keep = (k: number) => {
    if (k === 0) return;
    const last = ops[ops.length - 1];
    if (typeof last === 'number' && last > 0) ops[ops.length - 1] = last + k;
    else ops.push(k);
  };
  const del = (k: number) => {
    const last = ops[ops.length - 1];
    if (typeof last === 'number' && last < 0) ops[ops.length - 1] = last - k;
    else ops.push(-k);
  };
  const ins = (line: string) => {
    const last = ops[ops.length - 1];
    if (Array.isArray(last)) last.push(line);
    else ops.push([line]);
  };
  keep(pre);
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && am[i] === bm[j]) {
      keep(1);
      i++;
      j++;
    } else if (j < m && (i >= n || lcs[i * w + j + 1]! >= lcs[(i + 1) * w + j]!)) {
      ins(bm[j]!);
      j++;
    } else {
      del(1);
      i++;
    }
  }
  keep(suf);
  return ops;
}

/** Applies a patch; null when it does not fit the base (wrong base, damaged patch). */
export function applyPatch(base: string, patch: unknown): string | null {
  if (!Array.isArray(patch)) return null;
  const a = base.split('\n');
  const out: string[] = [];
  let i = 0;
  for (const op of patch as unknown[]) {
    if (typeof op === 'number') {
      if (!Number.isInteger(op) || op === 0) return null;
      if (op > 0) {
        if (i + op > a.length) return null;
        for (let k = 0; k < op; k++) out.push(a[i + k]!);
        i += op;
      } else {
        if (i - op > a.length) return null;
        i -= op;
      }
    } else if (Array.isArray(op) && op.every((l) => typeof l === 'string')) {
      out.push(...(op as string[]));
    } else return null;
  }
  if (i !== a.length) return null;
  return out.join('\n');
}
