/**
 * src/lab-config public surface (see README.md). Pure TypeScript: no Monaco, no React.
 * The parser must be loaded first: `initGoParserForBrowser()` from './parser-browser'
 * (lazy import) or `initGoParserForNode()` from './parser-node' in tests.
 */
export { initGoParser, isGoParserReady, type GoParserLoader } from './parser';
export { compileLabText, MAX_WORKERS, MAX_REPLICAS } from './compile';
export { createLabCompiler, type LabCompiler, type LabCompileResult } from './lab-compiler';
export {
  editKnob,
  setKnobValue,
  setRateLimiter,
  rateLimiterToGo,
  formatGoDuration,
  formatKnobValue,
  INSERTABLE_KNOBS,
  type KnobEdit,
} from './knobs';
export { knobDocs, docForKnob, type KnobDoc } from './docs';
export { COMPLETIONS, type CompletionItem } from './completions';
export { lessonBlockToLabText, extractGoBlocks } from './wrap';
export { DIAGNOSTIC_CATALOGUE } from './types';
export type {
  CompileOptions,
  CompileResult,
  Diagnostic,
  DiagnosticCode,
  Knob,
  KnobKind,
  Severity,
  SourceRange,
  CatalogueEntry,
} from './types';
