import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import type { LessonCodeBlock } from '../../content';
import { useLessonStore } from '../../store/lessonStore';
import { useLayoutStore } from '../app/layoutStore';
import { testIds } from '../testIds';
import { copyText } from './copyText';
import { useNearViewport } from './useNearViewport';

const HighlightedCode = lazy(() => import('./HighlightedCode'));

const LANGUAGE_NAMES: Record<string, string> = {
  go: 'Go',
  text: 'Text',
  sh: 'Shell',
  yaml: 'YAML',
};

/**
 * A code block of the lesson: highlighted once near the viewport, with Copy and (for Go) "Try in
 * lab", which hands the code to the lab editor through the lesson store.
 */
export function CodeBlock({ block }: { block: LessonCodeBlock }) {
  const [ref, near] = useNearViewport<HTMLDivElement>();
  const [status, setStatus] = useState('');
  const timer = useRef<number | undefined>(undefined);
  const language = LANGUAGE_NAMES[block.lang] ?? block.lang;
  const label = `${language} code${block.heading ? `: ${block.heading.text}` : ''}`;

  useEffect(() => () => window.clearTimeout(timer.current), []);
  const say = (message: string) => {
    setStatus(message);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setStatus(''), 2500);
  };

  const plain = (
    <pre className="code" tabIndex={0} aria-label={label}>
      <code>{block.code}</code>
    </pre>
  );
  return (
    <div
      ref={ref}
      className="code-block"
      data-testid={testIds.codeBlock}
      data-block-id={block.id}
      data-lang={block.lang}
    >
      <div className="code-bar">
        <span className="code-lang" aria-hidden="true">
          {language}
        </span>
        <span className="code-status" role="status">
          {status}
        </span>
        <button
          type="button"
          className="button button-small"
          aria-label={`Copy (${label})`}
          onClick={() => {
            void copyText(block.code).then((ok) =>
              say(ok ? 'Copied' : 'Copy failed: select the code and press Ctrl+C'),
            );
          }}
        >
          Copy
        </button>
        {block.lang === 'go' && (
          <button
            type="button"
            className="button button-small button-accent"
            aria-label={`Try in lab (${label})`}
            onClick={() => {
              useLessonStore.getState().publishToLab(block.code, block.id);
              useLayoutStore.getState().revealLab();
              say('Sent to the lab editor');
            }}
          >
            Try in lab
          </button>
        )}
      </div>
      {near && block.lang !== 'text' ? (
        <Suspense fallback={plain}>
          <HighlightedCode code={block.code} language={block.lang} label={label} />
        </Suspense>
      ) : (
        plain
      )}
    </div>
  );
}
