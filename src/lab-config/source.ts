/** Offsets ↔ Monaco-style positions (1-based lines, 1-based UTF-16 columns). */
import type { SourceRange } from './types';

export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13) {
        // "\r\n" counts once; a lone "\r" is a line break for Monaco too.
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
  }

  /** 1-based line and column of an offset (clamped into the text). */
  position(offset: number): { line: number; column: number } {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - (this.starts[lo] ?? 0) + 1 };
  }

  /** Offset of the start of a 1-based line. */
  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line - 1, this.starts.length - 1))] ?? 0;
  }

  range(startOffset: number, endOffset: number): SourceRange {
    const s = Math.max(0, Math.min(startOffset, this.text.length));
    const e = Math.max(s, Math.min(endOffset, this.text.length));
    const a = this.position(s);
    const b = this.position(e);
    return {
      startLineNumber: a.line,
      startColumn: a.column,
      endLineNumber: b.line,
      endColumn: b.column,
      startOffset: s,
      endOffset: e,
    };
  }
}

/** The range of a tree node (offsets are UTF-16 code units in web-tree-sitter). */
export function nodeRange(
  lines: LineIndex,
  node: { startIndex: number; endIndex: number },
): SourceRange {
  return lines.range(node.startIndex, node.endIndex);
}
