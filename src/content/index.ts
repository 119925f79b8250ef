// Public surface of src/content: lesson files → validated, outlined lessons. Pure TypeScript
// (no React, no DOM); `bundledLessons` is the app's lesson list (Vite bundles the files).
export { LessonFormatError } from './errors';
export type { LessonMeta } from './lessonSchema';
export type { Heading } from './markdownOutline';
export { parseLesson, lessonFolder, type Lesson, type LessonCodeBlock } from './parseLesson';
export { loadLessons, lessonNumber, type LoadedLessons } from './loadLessons';
export { slugify, Slugger } from './slug';
export {
  outlineDiagram,
  diagramTitle,
  cleanLabel,
  withReadableTextColors,
  type DiagramOutline,
  type DiagramNode,
  type DiagramEdge,
  type SequenceStep,
} from './diagramOutline';
export { bundledLessons } from './bundledLessons';
